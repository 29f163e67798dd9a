"""Charts drawn on the server as SVG with pygal, so the same picture is on screen and in the PDF.

A :class:`Chart` is the SVG plus its title and legend, which the templates write as HTML
(``reports/_chart.html``): WeasyPrint lays SVG text out letter by letter, which tears Thai
vowel and tone marks from their consonants, while HTML text is shaped whole. Labels inside the
SVG are numbers, dates and codes.

pygal's default configuration links a script from the internet for tooltips; every chart here sets
``js=[]`` and :func:`render` drops the inline configuration script too, so the SVG is a plain
picture: the page stays self-contained and WeasyPrint reads it as is.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pygal
from django.utils.translation import gettext as _
from pygal.style import Style

from sasom.reports.formatting import date_text, month_text

FONT = "Sarabun, Waree, Loma, Garuda, Nazli, Homa, sans-serif"
STYLE = Style(
    background="transparent", plot_background="transparent", foreground="#334155", foreground_strong="#0f172a",
    foreground_subtle="#cbd5e1", font_family=FONT, label_font_family=FONT, major_label_font_family=FONT,
    value_font_family=FONT, legend_font_family=FONT, title_font_family=FONT, tooltip_font_family=FONT,
    colors=("#0f766e", "#f59e0b", "#dc2626", "#6366f1", "#64748b", "#16a34a", "#db2777", "#0891b2", "#a16207"),
    title_font_size=16, legend_font_size=13, label_font_size=12, major_label_font_size=12, value_font_size=11,
)
def axis_number(value: float) -> str:
    """A value axis's label, short enough not to run into its neighbours: ``1,600``, ``120K``,
    ``12.5M`` (a rial shop's sales reach hundreds of millions)."""
    size = abs(value)
    if size >= 1_000_000_000:
        return f"{value / 1_000_000_000:.3g}B"
    if size >= 1_000_000:
        return f"{value / 1_000_000:.3g}M"
    if size >= 100_000:
        return f"{value / 1_000:.3g}K"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


BASE: dict[str, Any] = {
    "style": STYLE, "js": [], "width": 800, "height": 320, "disable_xml_declaration": True,
    "show_legend": False, "print_values": False, "show_y_guides": True,
    "margin": 8, "spacing": 8, "no_data_text": "—", "truncate_label": 16, "value_formatter": axis_number,
}


@dataclass(frozen=True)
class Chart:
    title: str
    svg: str
    legend: tuple[tuple[str, str], ...] = ()  # (series name, colour)


def _legend(names: Sequence[str]) -> tuple[tuple[str, str], ...]:
    colours = STYLE.colors
    return tuple((str(name), colours[i % len(colours)]) for i, name in enumerate(names))


SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL)


def render(chart: Any) -> str:
    """The chart's SVG without pygal's inline configuration script (tooltips need its JavaScript,
    which is not loaded: the picture reads the same without it, and a PDF has no scripts)."""
    return SCRIPT.sub("", str(chart.render(is_unicode=True)))


def _thin(labels: Sequence[str]) -> dict[str, Any]:
    """Every label when they fit, else about eight of them, level (rotated labels ran into the legend)."""
    if len(labels) <= 10:
        return {"x_labels": list(labels)}
    return {"x_labels": list(labels), "x_labels_major_every": math.ceil(len(labels) / 8),
            "show_minor_x_labels": False}


def bars(title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[int | float | None]]],
         *, stacked: bool = False, height: int = 300) -> Chart:
    kind = pygal.StackedBar if stacked else pygal.Bar
    chart = kind(**_thin(labels), **{**BASE, "height": height})
    for name, values in series:
        chart.add(name, list(values))
    return Chart(title=str(title), svg=render(chart), legend=_legend([name for name, _v in series]))


def lines(title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[int | float | None]]],
          *, height: int = 280) -> Chart:
    chart = pygal.Line(**_thin(labels), dots_size=2, fill=False, **{**BASE, "height": height})
    for name, values in series:
        chart.add(name, list(values))
    return Chart(title=str(title), svg=render(chart), legend=_legend([name for name, _v in series]))


def top_bars(title: str, items: Sequence[tuple[str, int | float]]) -> Chart:
    """Horizontal bars, the biggest on top; labels should be codes (see the module's note)."""
    chart = pygal.HorizontalBar(**{**BASE, "height": max(140, 24 + 30 * len(items))})
    chart.x_labels = [label for label, _v in reversed(items)]
    chart.add(title, [v for _l, v in reversed(items)])
    return Chart(title=str(title), svg=render(chart))


def pie(title: str, items: Sequence[tuple[str, int | float]], *, height: int = 260) -> Chart:
    chart = pygal.Pie(inner_radius=0.45, **{**BASE, "height": height})
    for label, value in items:
        chart.add(label, value)
    return Chart(title=str(title), svg=render(chart),
                 legend=tuple((f"{name} ({value:,})", colour) for (name, value), (_n, colour)
                              in zip(items, _legend([n for n, _v in items]), strict=True)))


def movement_chart(report: Any, scope: Any) -> Chart:
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
