"""A saved report's e-mail schedule over the API (``/api/v1/reports/builder/saved/{id}/schedules``):
list, create, read, change and delete, as the builder's schedule page does.

The same service and checks as the page (``builder_services.report_schedule_set``): only the
saved report's owner schedules it (403 ``builder.not_owner``; an API key 403
``builder.staff_only``), the frequency, the file and one to twenty addresses are checked with the
page's codes (400 ``builder.bad_frequency`` on ``frequency``, ``builder.bad_format`` on
``format``, ``builder.bad_recipients`` on ``recipients``). A saved report has one schedule: a
second create is 409 ``builder.schedule_exists`` (change it with PATCH). A create sent with an
``Idempotency-Key`` runs once (``integrations.idempotency``: a replay gets the first answer)."""

from __future__ import annotations

from typing import Any

from django.db.models import Max
from django.http import HttpRequest
from ninja import Router, Status

from sasom.core.audit import Actor
from sasom.core.errors import NotFound
from sasom.core.inputs import body_none, query_known
from sasom.integrations.auth import api_auth
from sasom.reports.api_access import Viewer, saved_for, staff_of, viewer_of
from sasom.reports.api_schemas import (
    BuilderScheduleIn,
    BuilderScheduleList,
    BuilderScheduleOut,
    BuilderSchedulePatch,
)
from sasom.reports.builder_models import ReportSchedule, SavedReport
from sasom.reports.builder_services import NOT_FOUND, report_schedule_delete, report_schedule_set

router = Router(tags=["reports"], auth=api_auth)
PATH = "/reports/builder/saved/{report_id}/schedules"


def _owned(request: HttpRequest, report_id: int) -> tuple[Viewer, SavedReport]:
    viewer = viewer_of(request)
    staff_of(viewer)
    return viewer, saved_for(viewer, report_id, own=True)


def _schedules(report: SavedReport) -> list[ReportSchedule]:
    return list(ReportSchedule.objects.filter(organization_id=report.organization_id, report=report)
                .annotate(last_sent_on=Max("runs__run_on")).order_by("pk"))


def _one(report: SavedReport, schedule_id: int) -> ReportSchedule:
    for schedule in _schedules(report):
        if schedule.pk == schedule_id:
            schedule.report = report
            return schedule
    raise NotFound(NOT_FOUND, "No such schedule of this saved report.", field="schedule_id")


def _out(schedule: Any) -> BuilderScheduleOut:
    return BuilderScheduleOut(id=schedule.pk, report_id=schedule.report_id, frequency=schedule.frequency,
                              format=schedule.format, recipients=list(schedule.recipients), active=schedule.active,
                              last_sent_on=getattr(schedule, "last_sent_on", None))


@router.get(PATH, response=BuilderScheduleList, summary="One's own saved report's e-mail schedule (none or one)")
def schedule_list(request: HttpRequest, report_id: int) -> BuilderScheduleList:
    _viewer, report = _owned(request, report_id)
    query_known(request, ())
    items = [_out(s) for s in _schedules(report)]
    return BuilderScheduleList(count=len(items), items=items)


@router.post(PATH, response={201: BuilderScheduleOut},
             summary="Schedule one's own saved report by e-mail (409 when it is scheduled already)")
def schedule_create(request: HttpRequest, report_id: int, body: BuilderScheduleIn) -> Status[BuilderScheduleOut]:
    viewer, report = _owned(request, report_id)
    schedule = report_schedule_set(staff=viewer.staff, report=report, frequency=body.frequency, fmt=body.format,
                                   recipients=list(body.recipients), active=body.active,
                                   actor=Actor.from_request(request), create_only=True)
    return Status(201, _out(_one(report, schedule.pk)))


@router.get(PATH + "/{schedule_id}", response=BuilderScheduleOut, summary="One schedule of one's own saved report")
def schedule_read(request: HttpRequest, report_id: int, schedule_id: int) -> BuilderScheduleOut:
    _viewer, report = _owned(request, report_id)
    query_known(request, ())
    return _out(_one(report, schedule_id))


@router.patch(PATH + "/{schedule_id}", response=BuilderScheduleOut,
              summary="Change a schedule (how often, the file, the addresses, active)")
def schedule_patch(request: HttpRequest, report_id: int, schedule_id: int,
                   body: BuilderSchedulePatch) -> BuilderScheduleOut:
    viewer, report = _owned(request, report_id)
    current = _one(report, schedule_id)
    changes = {k: v for k, v in body.dict(exclude_unset=True).items() if v is not None}
    report_schedule_set(staff=viewer.staff, report=report, frequency=changes.get("frequency", current.frequency),
                        fmt=changes.get("format", current.format),
                        recipients=list(changes.get("recipients", current.recipients)),
                        active=changes.get("active", current.active), actor=Actor.from_request(request))
    return _out(_one(report, schedule_id))


@router.delete(PATH + "/{schedule_id}", response={204: None}, summary="Delete a schedule of one's own saved report")
def schedule_delete(request: HttpRequest, report_id: int, schedule_id: int) -> Status[None]:
    body_none(request)
    viewer, report = _owned(request, report_id)
    report_schedule_delete(staff=viewer.staff, schedule=_one(report, schedule_id), actor=Actor.from_request(request))
    return Status(204, None)
