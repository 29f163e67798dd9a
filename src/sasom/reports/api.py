"""The report builder over the JSON API (``/api/v1/reports/builder/...``): its dimensions, measures
and filters; a definition run as sent (rows and totals); saved reports (list, read, create,
change, delete), a saved report run and exported as CSV, XLSX or PDF.

The endpoints call what the builder's page calls: ``builder.definition_clean`` checks a
definition (same ``builder.*`` codes, ``field`` naming the part; inside a saved report's body,
``definition.<part>``), ``builder_query.result_compute`` computes it, ``builder_services`` saves
it (owner only, audited) and ``builder_report.builder_file`` writes the files.

Who sees what: permission ``reports.view`` (a staff session with a role that holds it, or an API
key that may change configuration). A branch manager's session, and a key bound to a branch,
see their branches only (another branch is ``builder.bad_filter`` on ``branch``). A saved report
belongs to a staff member: a session sees its own and the shared ones, and only the owner changes
or deletes one (403 ``builder.not_owner``); a key sees the shared ones and saves none (403
``builder.staff_only``). Another organization's report is not found (404 ``builder.not_found``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from sasom.core.audit import Actor
from sasom.core.currency import currency_of
from sasom.core.errors import DomainError
from sasom.core.inputs import body_none, query_known
from sasom.core.money import money_text
from sasom.integrations.auth import api_auth
from sasom.members.models import CustomField, Member, MemberType
from sasom.organizations.models import Branch
from sasom.reports import exports
from sasom.reports.api_access import Viewer, saved_for, saved_visible, staff_of, viewer_of
from sasom.reports.api_schedules import router as schedules_router
from sasom.reports.api_schemas import (
    BuilderCellOut,
    BuilderChoiceOut,
    BuilderColumnOut,
    BuilderDefinitionIn,
    BuilderDimensionOut,
    BuilderExportQuery,
    BuilderFieldsOut,
    BuilderLimitsOut,
    BuilderMeasureOut,
    BuilderResultOut,
    BuilderRowOut,
    BuilderSavedIn,
    BuilderSavedList,
    BuilderSavedOut,
    BuilderSavedPatch,
    Measure,
)
from sasom.reports.builder import (
    CUSTOM,
    DIMENSIONS,
    MAX_DAYS,
    MAX_DIMENSIONS,
    MAX_GROUPS,
    MAX_VALUES,
    MEASURES,
    PERIODS,
    Definition,
    definition_clean,
    dimension_of,
)
from sasom.reports.builder_models import SavedReport
from sasom.reports.builder_report import BuilderReport, builder_file, builder_scope_for
from sasom.reports.builder_services import (
    saved_report_delete,
    saved_report_save,
)
from sasom.reports.formatting import INT, MONEY, TEXT, cell_text
from sasom.reports.framework import Scope, tiers_for
from sasom.reports.replica import reports_reading
from sasom.reports.sales import AGE_BANDS

router = Router(tags=["reports"], auth=api_auth)
router.add_router("", schedules_router)


def _checked(data: dict[str, Any], viewer: Viewer, prefix: str = "") -> Definition:
    """``builder.definition_clean`` with the caller's choices; inside a body, the field is prefixed."""
    org = viewer.organization.pk
    try:
        return definition_clean(
            data, organization_id=org, branch_ids=viewer.branch_ids,
            member_type_ids=set(MemberType.objects.filter(organization_id=org).values_list("pk", flat=True)),
            tier_ids={str(t.pk) for t in tiers_for(org)})
    except DomainError as error:
        if prefix and error.field:
            error.field = prefix + error.field
        raise


def _measure(value: Any, kind: str, places: int) -> Measure:
    """An amount as a decimal string in the currency's own unit (two places THB, none IRR: the
    API speaks rial, not toman), a count as an integer."""
    if value is None:
        return None
    if kind == MONEY:
        return money_text(value, places)
    return int(value) if kind == INT else str(value)


def _value(value: Any) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def result_out(definition: Definition, scope: Scope, name: str = "") -> BuilderResultOut:
    report = BuilderReport(definition, name)
    result = report.result(scope)
    org = scope.organization
    places = currency_of(org).places
    kinds = [dimension_of(k).kind for k in definition.dimensions]
    rows = [BuilderRowOut(
        dimensions=[BuilderCellOut(key=key, value=_value(row.get(f"d{i}")),
                                   label=(cell_text(row[f"d{i}_label"], kinds[i], org) if kinds[i] != TEXT
                                          else str(row[f"d{i}_label"])))
                    for i, key in enumerate(definition.dimensions)],
        measures={m: _measure(row.get(m), MEASURES[m].kind, places) for m in definition.measures})
        for row in result.rows]
    return BuilderResultOut(
        name=name, date_from=scope.start_on, date_to=scope.end_on, definition=definition.as_json(),
        columns=[BuilderColumnOut(key=c.key, label=str(c.label), kind=c.kind) for c in report.columns],
        count=len(rows), rows=rows,
        totals={m: _measure(result.totals.get(m), MEASURES[m].kind, places) for m in definition.measures})


def _scope(definition: Definition, viewer: Viewer) -> Scope:
    return builder_scope_for(definition, organization=viewer.organization, allowed=viewer.branch_ids,
                             staff=viewer.staff)


def _saved_out(report: SavedReport, viewer: Viewer) -> BuilderSavedOut:
    return BuilderSavedOut(id=report.pk, name=report.name, shared=report.shared, owner=str(report.owner),
                           mine=viewer.staff is not None and report.owner_id == viewer.staff.pk,
                           scheduled=getattr(report, "schedule", None) is not None, definition=report.definition,
                           created_at=report.created_at, updated_at=report.updated_at)


def _choices(pairs: Any) -> list[BuilderChoiceOut]:
    return [BuilderChoiceOut(key=str(k), label=str(v)) for k, v in pairs]


VALUE_LABELS: dict[str, list[tuple[str, Any]]] = {
    "gender": list(Member.Gender.choices), "marital_status": list(Member.MaritalStatus.choices),
    "age": [(label, label) for _lo, _hi, label in AGE_BANDS],
}


@router.get("/reports/builder/fields", response=BuilderFieldsOut,
            summary="The builder's dimensions, measures, periods and filter choices (the caller's branches)")
def builder_fields(request: HttpRequest) -> BuilderFieldsOut:
    viewer = viewer_of(request)
    query_known(request, ())
    org = viewer.organization.pk
    customs = list(CustomField.objects.filter(organization_id=org).order_by("sort_order", "key"))
    dims = [BuilderDimensionOut(key=d.key, label=str(d.label), kind=d.kind, time=d.time, on_lines=d.on_lines,
                                values=_choices(VALUE_LABELS.get(d.key, []))) for d in DIMENSIONS.values()]
    dims += [BuilderDimensionOut(key=CUSTOM + f.key, label=str(f.label), kind=TEXT, time=False, on_lines=False,
                                 values=[]) for f in customs]
    branches = Branch.objects.filter(organization_id=org).order_by("code")
    if viewer.branch_ids is not None:
        branches = branches.filter(pk__in=viewer.branch_ids)
    types = MemberType.objects.filter(organization_id=org).order_by("sort_order", "name")
    return BuilderFieldsOut(
        dimensions=dims,
        measures=[BuilderMeasureOut(key=m.key, label=str(m.label), kind=m.kind, source=m.source)
                  for m in MEASURES.values()],
        periods=_choices(PERIODS.items()),
        branches=[BuilderChoiceOut(key=str(b.pk), label=f"{b.code} {b.name}") for b in branches],
        member_types=[BuilderChoiceOut(key=str(t.pk), label=t.name) for t in types],
        tiers=[BuilderChoiceOut(key=str(t.pk), label=t.name) for t in tiers_for(org)],
        limits=BuilderLimitsOut(dimensions=MAX_DIMENSIONS, values=MAX_VALUES, days=MAX_DAYS, rows=MAX_GROUPS))


@router.post("/reports/builder/run", response=BuilderResultOut,
             summary="Run a definition as sent (writes nothing): its rows and totals")
def builder_run(request: HttpRequest, body: BuilderDefinitionIn) -> BuilderResultOut:
    viewer = viewer_of(request)
    definition = _checked(body.dict(), viewer)
    with reports_reading():  # a configured replica (``replica``)
        return result_out(definition, _scope(definition, viewer))


@router.get("/reports/builder/saved", response=BuilderSavedList,
            summary="Saved reports: the caller's own and those shared in the organization, by name")
def saved_list(request: HttpRequest) -> BuilderSavedList:
    viewer = viewer_of(request)
    query_known(request, ())
    items = [_saved_out(r, viewer) for r in saved_visible(viewer)]
    return BuilderSavedList(count=len(items), items=items)


@router.post("/reports/builder/saved", response={201: BuilderSavedOut},
             summary="Save a definition under a name unique in the organization (private or shared)")
def saved_create(request: HttpRequest, body: BuilderSavedIn) -> Status[BuilderSavedOut]:
    viewer = viewer_of(request)
    staff = staff_of(viewer)
    definition = _checked(body.definition.dict(), viewer, "definition.")
    report = saved_report_save(staff=staff, name=body.name, shared=body.shared, definition=definition,
                               actor=Actor.from_request(request))
    return Status(201, _saved_out(saved_for(viewer, report.pk), viewer))


@router.get("/reports/builder/saved/{report_id}", response=BuilderSavedOut, summary="One saved report")
def saved_read(request: HttpRequest, report_id: int) -> BuilderSavedOut:
    viewer = viewer_of(request)
    query_known(request, ())
    return _saved_out(saved_for(viewer, report_id), viewer)


@router.patch("/reports/builder/saved/{report_id}", response=BuilderSavedOut,
              summary="Change one's own saved report (its name, sharing or definition)")
def saved_patch(request: HttpRequest, report_id: int, body: BuilderSavedPatch) -> BuilderSavedOut:
    viewer = viewer_of(request)
    staff_of(viewer)
    report = saved_for(viewer, report_id, own=True)
    changes = body.dict(exclude_unset=True)
    data = changes["definition"] if changes.get("definition") is not None else report.definition
    definition = _checked(data, viewer, "definition.")
    saved_report_save(staff=viewer.staff, name=changes.get("name") or report.name,
                      shared=report.shared if changes.get("shared") is None else changes["shared"],
                      definition=definition, actor=Actor.from_request(request), report=report)
    return _saved_out(saved_for(viewer, report_id), viewer)


@router.delete("/reports/builder/saved/{report_id}", response={204: None}, summary="Delete one's own saved report")
def saved_delete(request: HttpRequest, report_id: int) -> Status[None]:
    body_none(request)
    viewer = viewer_of(request)
    staff_of(viewer)
    report = saved_for(viewer, report_id, own=True)
    saved_report_delete(staff=viewer.staff, report=report, actor=Actor.from_request(request))
    return Status(204, None)


def _saved_definition(viewer: Viewer, report_id: int) -> tuple[SavedReport, Definition, Scope]:
    """A saved report checked again as the caller sees it (a branch, type or tier may have gone)."""
    report = saved_for(viewer, report_id)
    definition = _checked(report.definition, viewer, "definition.")
    return report, definition, _scope(definition, viewer)


@router.get("/reports/builder/saved/{report_id}/run", response=BuilderResultOut,
            summary="Run a saved report (a relative period counts from the organization's today)")
def saved_run(request: HttpRequest, report_id: int) -> BuilderResultOut:
    viewer = viewer_of(request)
    query_known(request, ())
    report, definition, scope = _saved_definition(viewer, report_id)
    with reports_reading():
        return result_out(definition, scope, report.name)


@router.get("/reports/builder/saved/{report_id}/export",
            summary="A saved report as a file: CSV (UTF-8 with BOM), XLSX or PDF (at most 2,000 rows and the "
                    "totals of all)",
            openapi_extra={"responses": {"200": {"description": "the file", "content": {
                t.split(";")[0]: {"schema": {"type": "string", "format": "binary"}}
                for t in exports.CONTENT_TYPES.values()}}}})
def saved_export(request: HttpRequest, report_id: int, q: Query[BuilderExportQuery]) -> HttpResponse:
    viewer = viewer_of(request)
    query_known(request, ("format",))
    report, definition, scope = _saved_definition(viewer, report_id)
    builder = BuilderReport(definition, report.name)
    with reports_reading():
        content = builder_file(builder, scope, q.format)
    response = HttpResponse(content, content_type=exports.CONTENT_TYPES[q.format])
    response["Content-Disposition"] = f'attachment; filename="{exports.file_name(builder, scope, q.format)}"'
    return response
