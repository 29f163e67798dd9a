"""Charts drawn on the server as SVG with pygal, so the same picture is on screen and in the PDF.

pygal's default configuration links a script from the internet for tooltips; every chart here sets
``js=[]`` and :func:`render` drops the inline configuration script too, so the SVG is a plain
picture: the page stays self-contained and WeasyPrint reads it as is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import pygal
from django.utils.translation import gettext as _
from pygal.style import Style

from sasom.reports.formatting import date_text, month_text

FONT = "Sarabun, Waree, Loma, Garuda, sans-serif"
STYLE = Style(
    background="transparent", plot_background="transparent", foreground="#334155", foreground_strong="#0f172a",
    foreground_subtle="#cbd5e1", font_family=FONT, label_font_family=FONT, major_label_font_family=FONT,
    value_font_family=FONT, legend_font_family=FONT, title_font_family=FONT, tooltip_font_family=FONT,
    colors=("#0f766e", "#f59e0b", "#dc2626", "#6366f1", "#64748b", "#16a34a", "#db2777", "#0891b2", "#a16207"),
    title_font_size=16, legend_font_size=13, label_font_size=12, major_label_font_size=12, value_font_size=11,
)
BASE: dict[str, Any] = {
    "style": STYLE, "js": [], "width": 800, "height": 320, "disable_xml_declaration": True,
    "legend_at_bottom": True, "legend_at_bottom_columns": 4, "print_values": False, "show_y_guides": True,
    "margin": 8, "spacing": 8, "no_data_text": "—", "truncate_label": 16,
}


SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL)


def render(chart: Any) -> str:
    """The chart's SVG without pygal's inline configuration script (tooltips need its JavaScript,
    which is not loaded: the picture reads the same without it, and a PDF has no scripts)."""
    return SCRIPT.sub("", str(chart.render(is_unicode=True)))


def bars(title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[int | float | None]]],
         *, stacked: bool = False, height: int = 320) -> str:
    kind = pygal.StackedBar if stacked else pygal.Bar
    chart = kind(title=title, x_labels=list(labels), x_label_rotation=-35 if len(labels) > 8 else 0,
                 **{**BASE, "height": height})
    for name, values in series:
        chart.add(name, list(values))
    return render(chart)


def lines(title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[int | float | None]]],
          *, height: int = 280) -> str:
    chart = pygal.Line(title=title, x_labels=list(labels), x_label_rotation=-35 if len(labels) > 10 else 0,
                       show_minor_x_labels=len(labels) <= 31, x_labels_major_every=max(1, len(labels) // 10),
                       dots_size=2, fill=False, **{**BASE, "height": height})
    for name, values in series:
        chart.add(name, list(values))
    return render(chart)


def top_bars(title: str, items: Sequence[tuple[str, int | float]]) -> str:
    chart = pygal.HorizontalBar(title=title, **{**BASE, "show_legend": False,
                                                "height": max(160, 40 + 28 * len(items))})
    chart.x_labels = [label for label, _v in reversed(items)]
    chart.add(title, [v for _l, v in reversed(items)])
    return render(chart)


def pie(title: str, items: Sequence[tuple[str, int | float]], *, height: int = 280) -> str:
    chart = pygal.Pie(title=title, inner_radius=0.45, **{**BASE, "height": height, "legend_at_bottom": False})
    for label, value in items:
        chart.add(label, value)
    return render(chart)


def movement_chart(report: Any, scope: Any) -> str:
    """Points in and out per period (the movement report's rows, summed over kinds)."""
    per: dict[Any, list[int]] = {}
    for row in report.rows(scope).order_by():
        ins_outs = per.setdefault(row["period"], [0, 0])
        ins_outs[0] += row["credit"]
        ins_outs[1] += row["debit"]
    periods = sorted(per)
    monthly = (scope.data.get("period") or "month") == "month"
    labels = [month_text(p, scope.organization) if monthly else date_text(p, scope.organization) for p in periods]
    return bars(_("Points in and out"), labels,
                [(_("Points in"), [per[p][0] for p in periods]), (_("Points out"), [per[p][1] for p in periods])])
