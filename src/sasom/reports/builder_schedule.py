"""Saved reports e-mailed on a schedule: the daily job ``report_schedules_send`` (per organization,
order 930) sends, for the date it runs for, every active schedule due that day (daily: every day;
weekly: Mondays; monthly: the 1st) that has not been sent for that date.

A sending is recorded as a ``ReportScheduleRun`` under the unique key (organization, schedule,
date) in the same transaction as the mail is handed to the e-mail backend: a second run of the job
for the date sends nothing, a failed sending leaves no row and is sent by the next tick, and the
scheduler's catch-up (``core.jobs``: missed dates, oldest first) sends a missed date's report then.
A relative period counts from that date ("last month" on 1 December is November).

The report is computed as its owner sees it (their branches), in the organization's language.

The mail goes out through the shop's own e-mail channel (its SMTP server, set under Messages →
Channels) when it has one, else through the deployment's e-mail backend: ``core.mail``, where
the messaging app registers how to reach a shop's channel (reports may not import it).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from sasom.core.mail import organization_email
from sasom.core.permissions import branch_ids_in_scope
from sasom.members.models import MemberType
from sasom.reports import exports
from sasom.reports.builder import Definition, definition_clean
from sasom.reports.builder_models import ReportSchedule, ReportScheduleRun
from sasom.reports.builder_report import BuilderReport, builder_file, builder_scope, filters_of
from sasom.reports.formatting import date_text
from sasom.tiers.models import Tier

logger = logging.getLogger("sasom.reports")


def schedule_due(schedule: ReportSchedule, on_date: dt.date) -> bool:
    if schedule.frequency == ReportSchedule.Frequency.WEEKLY:
        return on_date.weekday() == 0
    if schedule.frequency == ReportSchedule.Frequency.MONTHLY:
        return on_date.day == 1
    return True


def saved_definition(data: dict[str, Any], staff: Any) -> Definition:
    """A saved definition checked again (a branch, a type or a tier may have gone since)."""
    org = staff.organization_id
    return definition_clean(
        data, organization_id=org, branch_ids=branch_ids_in_scope(staff),
        member_type_ids=set(MemberType.objects.filter(organization_id=org).values_list("pk", flat=True)),
        tier_ids={str(pk) for pk in Tier.objects.filter(organization_id=org).values_list("pk", flat=True)})


def report_schedule_send(*, schedule: ReportSchedule, on_date: dt.date) -> bool:
    """Send ``schedule``'s report for ``on_date`` unless sent already; True when it was sent now."""
    staff = schedule.report.owner
    with transaction.atomic():
        try:
            with transaction.atomic():
                run = ReportScheduleRun.objects.create(organization_id=schedule.organization_id, schedule=schedule,
                                                       run_on=on_date, recipients=schedule.recipients)
        except IntegrityError:
            return False
        with translation.override(staff.organization.language or settings.LANGUAGE_CODE):
            definition = saved_definition(schedule.report.definition, staff)
            report = BuilderReport(definition, schedule.report.name)
            scope = builder_scope(definition, staff=staff, today=on_date)
            content = builder_file(report, scope, schedule.format)
            rows = len(report.result(scope).rows)
            org = scope.organization
            period = f"{date_text(scope.start_on, org)} – {date_text(scope.end_on, org)}"
            body = "\n".join([
                _("%(report)s, %(period)s: %(rows)s rows, attached.") % {
                    "report": schedule.report.name, "period": period, "rows": rows},
                "", *[f"{label}: {value}" for label, value in filters_of(definition, scope)], "",
                _("Sent by Sasom for %(shop)s (%(frequency)s).") % {
                    "shop": org.name, "frequency": schedule.get_frequency_display()}])
            subject = f"{schedule.report.name} · {period}"
        name = f"{exports.file_name(report, scope, schedule.format)}"
        email = organization_email(organization_id=schedule.organization_id, subject=subject, body=body,
                                   to=schedule.recipients,
                                   attachments=[(name, content, exports.CONTENT_TYPES[schedule.format].split(";")[0])])
        email.send(fail_silently=False)
        ReportScheduleRun.objects.filter(pk=run.pk).update(rows=rows)
    return True


def report_schedules_send(*, organization_id: int, on_date: dt.date) -> dict[str, int]:
    """Send the organization's scheduled reports due on ``on_date`` (daily job, idempotent per date)."""
    sent = skipped = failed = 0
    schedules = (ReportSchedule.objects.filter(organization_id=organization_id, active=True)
                 .select_related("report", "report__owner", "report__owner__organization").order_by("pk"))
    for schedule in schedules:
        if not schedule_due(schedule, on_date) or not schedule.report.owner.is_active:
            continue
        try:
            if report_schedule_send(schedule=schedule, on_date=on_date):
                sent += 1
            else:
                skipped += 1
        except Exception:  # one bad schedule (a filter gone) does not stop the others
            logger.exception("scheduled report %s for %s failed", schedule.pk, on_date)
            failed += 1
    if failed:
        raise RuntimeError(f"{failed} scheduled report(s) failed; {sent} sent")  # the scheduler retries the date
    return {"sent_reports": sent, "already_sent_reports": skipped}
