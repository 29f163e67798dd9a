"""A builder definition as a :class:`~sasom.reports.framework.Report`, so the exports (CSV, XLSX,
PDF) and the background worker write it with the same code as every other report; and its chart.

The result is computed once (:func:`builder_query.result_compute`: one grouped query per source,
one aggregate per source for the totals) and kept on the scope, so a page's table, totals and
chart cost those queries once."""

from __future__ import annotations

import datetime as dt
import io
import zoneinfo
from collections.abc import Callable, Iterator
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sasom.core.permissions import branch_ids_in_scope
from sasom.members.models import MemberType
from sasom.organizations.models import Branch
from sasom.reports import exports
from sasom.reports.builder import MEASURES, PERIODS, Definition, dimension_of
from sasom.reports.builder_query import Result, result_compute
from sasom.reports.charts import Chart, bars, lines
from sasom.reports.formatting import DATE, MONTH, TEXT, date_text, month_text
from sasom.reports.framework import NO_TIER, Column, Report, Scope
from sasom.reports.periods import month_calendar
from sasom.tiers.models import Tier

CHART_SERIES = 8  # series of the second dimension drawn (the biggest); the table has them all


def builder_scope(definition: Definition, *, staff: Any, today: dt.date | None = None) -> Scope:
    """The definition's filters for this staff member: their branches only (a branch manager's);
    a relative period counts from ``today`` (the organization's today unless a job says)."""
    return builder_scope_for(definition, organization=staff.organization, allowed=branch_ids_in_scope(staff),
                             staff=staff, today=today)


def builder_scope_for(definition: Definition, *, organization: Any, allowed: set[int] | None, staff: Any = None,
                      today: dt.date | None = None) -> Scope:
    """As :func:`builder_scope` for any caller: ``allowed`` are the branches it may see (None:
    every branch), a staff member's or an API key's (a key bound to a branch sees that branch)."""
    zone = zoneinfo.ZoneInfo(organization.time_zone)
    start, end = definition.dates(today or timezone.now().astimezone(zone).date(), month_calendar(organization))
    branch = None
    if definition.branch is not None:
        branch = Branch.objects.filter(organization_id=organization.pk, pk=definition.branch).first()
    if branch is not None and (allowed is None or branch.pk in allowed):
        branch_ids: set[int] | None = {branch.pk}
    else:
        branch, branch_ids = None, allowed
    member_type = (MemberType.objects.filter(organization_id=organization.pk, pk=definition.member_type).first()
                   if definition.member_type is not None else None)
    return Scope(organization=organization, staff=staff, zone=zone, start_on=start, end_on=end,
                 branch_ids=branch_ids, branch=branch, member_type=member_type, tier=definition.tier,
                 data={"definition": definition})


class BuilderReport(Report):
    """One definition, shaped as a report for the exports."""

    slug = "builder"
    title = gettext_lazy("Report builder")
    note = gettext_lazy("Members' bills net of returns (voided and wholly returned bills are out), by the member's "
                        "attribute today; a visit is a member's day; points redeemed are the redeem and "
                        "paid-with-points entries. The totals count each member, bill and visit once.")

    def __init__(self, definition: Definition, name: str = "") -> None:
        self.definition = definition
        self.name = name
        if name:
            self.title = name  # type: ignore[misc,assignment]  # an instance's own title
        dims = tuple(Column(f"d{i}_label", dimension_of(key).label, dimension_of(key).kind, order=f"d{i}")
                     for i, key in enumerate(definition.dimensions))
        measures = tuple(Column(m, MEASURES[m].label, MEASURES[m].kind, total=True) for m in definition.measures)
        self.columns = (*dims, *measures)  # type: ignore[misc]  # an instance's own columns

    def result(self, scope: Scope) -> Result:
        if "result" not in scope.cache:
            scope.cache["result"] = result_compute(self.definition, scope)
        result: Result = scope.cache["result"]
        return result

    def stream(self, scope: Scope, sort: str, chunk: int = 2000,
               progress: Callable[[int], None] | None = None) -> Iterator[dict[str, Any]]:
        rows = self.result(scope).rows
        for start in range(0, len(rows), chunk):
            yield from rows[start:start + chunk]
            if progress:
                progress(min(start + chunk, len(rows)))

    def totals(self, scope: Scope) -> dict[str, Any]:
        return self.result(scope).totals

    def chart(self, scope: Scope) -> Chart | None:
        return builder_chart(self.definition, self.result(scope), scope)


def _label(value: Any, kind: str, organization: Any) -> str:
    if kind == MONTH:
        return month_text(value, organization)
    if kind == DATE:
        return date_text(value, organization)
    return str(value)


def builder_chart(definition: Definition, result: Result, scope: Scope) -> Chart | None:
    """The first measure: bars per value of one dimension, a line over time; with a second
    dimension, its values as series (stacked over time, grouped otherwise)."""
    if not result.rows:
        return None
    measure = definition.measures[0]
    title = str(MEASURES[measure].label)
    org = scope.organization
    first = dimension_of(definition.dimensions[0])
    if len(definition.dimensions) == 1:
        labels = [_label(r["d0_label"], first.kind, org) for r in result.rows]
        values = [float(r.get(measure) or 0) for r in result.rows]
        if first.time:
            return lines(title, labels, [(title, values)])
        return bars(title, labels, [(title, values)])
    time_first = dimension_of(definition.dimensions[1]).time and not first.time
    x, s = (1, 0) if time_first else (0, 1)
    x_kind = dimension_of(definition.dimensions[x]).kind
    xs = list(dict.fromkeys(r[f"d{x}"] for r in sorted(result.rows, key=lambda r: str(r[f"d{x}"]))))
    per_series: dict[Any, dict[Any, float]] = {}
    for row in result.rows:
        per_series.setdefault(row[f"d{s}_label"], {})[row[f"d{x}"]] = float(row.get(measure) or 0)
    biggest = sorted(per_series, key=lambda k: -sum(per_series[k].values()))[:CHART_SERIES]
    labels = [_label(v if v != "" else "—", x_kind if v != "" else TEXT, org) for v in xs]
    series = [(str(name), [per_series[name].get(v, 0.0) for v in xs]) for name in biggest]
    return bars(f"{title} · {_('by')} {dimension_of(definition.dimensions[s]).label}", labels, series,
                stacked=dimension_of(definition.dimensions[x]).time)


def filters_of(definition: Definition, scope: Scope) -> list[tuple[str, str]]:
    """The filters used, for the screen's heading and the PDF."""
    org = scope.organization
    out = [(str(_("Period")), f"{date_text(scope.start_on, org)} – {date_text(scope.end_on, org)}"
                              + ("" if definition.period == "custom" else f" ({PERIODS[definition.period]})"))]
    every = _("All my branches") if scope.branch_ids is not None and scope.branch is None else _("All branches")
    out.append((str(_("Branch")), str(scope.branch) if scope.branch else str(every)))
    out.append((str(_("Member type")), scope.member_type.name if scope.member_type else str(_("All member types"))))
    if definition.tier:
        name = (Tier.objects.filter(organization_id=org.pk, pk=int(definition.tier)).values_list("name", flat=True)
                .first() if definition.tier != NO_TIER else None)
        out.append((str(_("Tier")), str(_("No tier")) if definition.tier == NO_TIER else name or definition.tier))
    for key, values in definition.values.items():
        out.append((str(dimension_of(key).label), ", ".join(values)))
    return out


def builder_file(report: BuilderReport, scope: Scope, fmt: str, *, limit: int | None = None,
                 progress: Callable[[int], None] | None = None) -> bytes:
    """The report as a CSV, XLSX or PDF file, written by the exports every report uses."""
    sort = report.definition.sort
    if fmt == "csv":
        return exports.as_bytes(exports.csv_chunks(report, scope, sort, progress=progress))
    if fmt == "xlsx":
        out = io.BytesIO()
        exports.xlsx_write(report, scope, sort, out, progress=progress)
        return out.getvalue()
    return exports.report_pdf(report, scope, sort, filters=filters_of(report.definition, scope),
                              chart=report.chart(scope), limit=limit or exports.PDF_ROW_LIMIT, progress=progress)
