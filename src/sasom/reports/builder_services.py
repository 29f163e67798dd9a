"""Writes of the report builder: saved reports and their schedules. A saved report belongs to its
owner: only they change, schedule or delete it; a shared one is opened (and copied under another
name) by every staff member of the organization who may see reports."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from sasom.core.audit import Actor, audit_record
from sasom.core.errors import DomainError, Forbidden, NotFound
from sasom.reports.builder import Definition
from sasom.reports.builder_models import ReportSchedule, SavedReport

NAME_TAKEN = "builder.name_taken"
NAME_NEEDED = "builder.name_needed"
NOT_FOUND = "builder.not_found"
NOT_OWNER = "builder.not_owner"
BAD_RECIPIENTS = "builder.bad_recipients"
STAFF_ONLY = "builder.staff_only"  # an API key reads shared reports; a saved report belongs to a staff member
BAD_FREQUENCY = "builder.bad_frequency"
BAD_FORMAT = "builder.bad_format"
SCHEDULE_EXISTS = "builder.schedule_exists"  # a saved report has one schedule: change it instead
MAX_RECIPIENTS = 20


def saved_reports_visible(staff: Any) -> QuerySet[SavedReport]:
    """The staff member's own saved reports and those shared in the organization."""
    return (SavedReport.objects.filter(Q(owner=staff) | Q(shared=True), organization_id=staff.organization_id)
            .select_related("owner", "schedule").order_by("name"))


def saved_reports_shared(organization_id: int) -> QuerySet[SavedReport]:
    """The organization's shared saved reports (what an API key, which owns none, may open)."""
    return (SavedReport.objects.filter(organization_id=organization_id, shared=True)
            .select_related("owner", "schedule").order_by("name"))


def saved_report_get(*, staff: Any, pk: int, own: bool = False) -> SavedReport:
    report = saved_reports_visible(staff).filter(pk=pk).first()
    if report is None:
        raise NotFound(NOT_FOUND, _("No such saved report."), field="report")
    if own and report.owner_id != staff.pk:
        raise Forbidden(NOT_OWNER, _("Only its owner changes a saved report; save a copy under another name."),
                        field="report")
    return report


def _name(name: str) -> str:
    name = " ".join((name or "").split())[:100]
    if not name:
        raise DomainError(NAME_NEEDED, _("Give the report a name."), field="name")
    return name


@transaction.atomic
def saved_report_save(*, staff: Any, name: str, shared: bool, definition: Definition, actor: Actor,
                      report: SavedReport | None = None) -> SavedReport:
    """Create a saved report, or change the owner's ``report``; the name is unique in the organization."""
    if report is not None and report.owner_id != staff.pk:
        raise Forbidden(NOT_OWNER, _("Only its owner changes a saved report; save a copy under another name."),
                        field="report")
    name = _name(name)
    taken = SavedReport.objects.filter(organization_id=staff.organization_id, name=name)
    if report is not None:
        taken = taken.exclude(pk=report.pk)
    if taken.exists():
        raise DomainError(NAME_TAKEN, _("A saved report has this name already."), field="name")
    action = "saved_report.changed" if report else "saved_report.created"
    if report is None:
        report = SavedReport(organization_id=staff.organization_id, owner=staff)
    report.name, report.shared, report.definition = name, shared, definition.as_json()
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:  # saved at the same moment under the same name
        raise DomainError(NAME_TAKEN, _("A saved report has this name already."), field="name") from None
    audit_record(organization_id=staff.organization_id, actor=actor, action=action, obj=report,
                 changes={"name": name, "shared": shared})
    return report


@transaction.atomic
def saved_report_delete(*, staff: Any, report: SavedReport, actor: Actor) -> None:
    if report.owner_id != staff.pk:
        raise Forbidden(NOT_OWNER, _("Only its owner deletes a saved report."), field="report")
    audit_record(organization_id=staff.organization_id, actor=actor, action="saved_report.deleted", obj=report)
    report.delete()


def recipients_clean(text: str | list[str]) -> list[str]:
    items = text if isinstance(text, list) else text.replace(";", ",").replace("\n", ",").split(",")
    out = list(dict.fromkeys(i.strip().lower() for i in items if i.strip()))
    if not out or len(out) > MAX_RECIPIENTS:
        raise DomainError(BAD_RECIPIENTS, _("Give one to twenty e-mail addresses."), field="recipients")
    for address in out:
        try:
            validate_email(address)
        except ValidationError:
            raise DomainError(BAD_RECIPIENTS, _("Not an e-mail address: %(address)s") % {"address": address[:80]},
                              field="recipients") from None
    return out


def _schedule_owner(staff: Any, report: SavedReport) -> None:
    if report.owner_id != staff.pk:
        raise Forbidden(NOT_OWNER, _("Only its owner schedules a saved report."), field="report")


def _schedule_clean(frequency: str, fmt: str, recipients: str | list[str]) -> list[str]:
    """The screen's and the API's checks of a schedule: the frequency, the file and the addresses."""
    if frequency not in ReportSchedule.Frequency.values:
        raise DomainError(BAD_FREQUENCY, _("Choose daily, weekly or monthly."), field="frequency")
    if fmt not in ReportSchedule.Format.values:
        raise DomainError(BAD_FORMAT, _("Choose CSV, XLSX or PDF."), field="format")
    return recipients_clean(recipients)


@transaction.atomic
def report_schedule_set(*, staff: Any, report: SavedReport, frequency: str, fmt: str, recipients: str | list[str],
                        active: bool, actor: Actor, create_only: bool = False) -> ReportSchedule:
    """Schedule (or change the schedule of) the owner's saved report. With ``create_only`` (the
    API's create) a report scheduled already is refused (409 ``builder.schedule_exists``)."""
    _schedule_owner(staff, report)
    addresses = _schedule_clean(frequency, fmt, recipients)
    report = SavedReport.objects.select_for_update().get(pk=report.pk)  # one schedule per report, even at once
    if create_only and ReportSchedule.objects.filter(report=report).exists():
        raise DomainError(SCHEDULE_EXISTS, _("This saved report is scheduled already: change its schedule."),
                          field="report", status=409)
    schedule, _created = ReportSchedule.objects.update_or_create(
        organization_id=staff.organization_id, report=report,
        defaults={"frequency": frequency, "format": fmt, "recipients": addresses, "active": active})
    audit_record(organization_id=staff.organization_id, actor=actor, action="report_schedule.set", obj=schedule,
                 changes={"frequency": frequency, "format": fmt, "recipients": addresses, "active": active})
    return schedule


@transaction.atomic
def report_schedule_delete(*, staff: Any, schedule: ReportSchedule, actor: Actor) -> None:
    """Stop and forget the owner's schedule (its sendings' records go with it)."""
    _schedule_owner(staff, schedule.report)
    audit_record(organization_id=staff.organization_id, actor=actor, action="report_schedule.deleted", obj=schedule)
    schedule.delete()
