"""``sasom run-jobs``: the scheduled jobs, for cron (e.g. ``5 0 * * *``, and hourly is fine too).

Without ``--date`` it runs what is due: today's jobs for each organization (its own calendar day)
and any date of the catch-up window (``JOBS_CATCH_UP_DAYS``, default 7) a job missed, oldest
first. With ``--date D`` it runs the jobs due on D. Either way each (job, organization, date) runs
once: what is done already is reported and not run again, unless ``--force`` (only jobs that say
a rerun is safe). ``--enqueue`` hands the work to the worker instead. Every run is in the run log
(``core.JobRun``; back office: Scheduled jobs).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from sasom.core import jobs
from sasom.core.tasks import jobs_run_task, jobs_tick_task


class Command(BaseCommand):
    help = "Run the scheduled jobs due (or those of --date D): points release and expiry, member expiry, clean-ups."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="Run the jobs of this date (YYYY-MM-DD) instead of what is due.")
        parser.add_argument("--job", action="append", default=[], help="Only this job (repeatable).")
        parser.add_argument("--organization", action="append", default=[],
                            help="Only this organization, by code or id (repeatable).")
        parser.add_argument("--force", action="store_true", help="Run again what is done (jobs safe to rerun only).")
        parser.add_argument("--enqueue", action="store_true", help="Queue the work for the worker instead.")
        parser.add_argument("--list", action="store_true", help="List the registered jobs and exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["list"]:
            for job in jobs.jobs_registered():
                scope = "per organization" if job.per_organization else "whole database"
                self.stdout.write(f"{job.name:20} {job.schedule!s:12} {scope:16} {job.description}")
            return
        chosen = None
        if options["job"]:
            unknown = [name for name in options["job"] if jobs.job_get(name) is None]
            if unknown:
                raise CommandError(f"unknown job {', '.join(unknown)}; known: "
                                   + ", ".join(j.name for j in jobs.jobs_registered()))
            chosen = [j for j in jobs.jobs_registered() if j.name in options["job"]]
        org_ids = self._organizations(options["organization"]) if options["organization"] else None
        on_date = None
        if options["date"]:
            try:
                on_date = dt.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(f"--date: {options['date']!r} is not a date (YYYY-MM-DD)") from exc
            latest = max([jobs.local_today(tz) for _i, _c, tz in jobs.organizations_all()]
                         + [jobs.local_today(settings.TIME_ZONE)])
            if on_date > latest:
                raise CommandError(f"--date: {on_date} is in the future")
        if options["enqueue"]:
            if on_date is None:
                queued = jobs_tick_task.enqueue().id
            else:
                queued = jobs_run_task.enqueue(on_date.isoformat(), [j.name for j in chosen] if chosen else None,
                                               org_ids, bool(options["force"])).id
            self.stdout.write(f"queued {queued}")
            return
        if on_date is None:
            if options["force"]:
                raise CommandError("--force needs --date")
            results = jobs.jobs_run_due(trigger="cron", jobs=chosen, organization_ids=org_ids)
        else:
            results = jobs.jobs_run_for_date(on_date=on_date, jobs=chosen, organization_ids=org_ids,
                                             force=options["force"], trigger="cron",
                                             whole_database=org_ids is None)
        for result in results:
            self.stdout.write(result.line())
        if not results:
            self.stdout.write("nothing due")
        failed = [r for r in results if r.outcome == "failed"]
        if failed:
            raise CommandError(f"{len(failed)} job runs failed (see the run log); they are retried on the next run")

    def _organizations(self, wanted: list[str]) -> list[int]:
        known = jobs.organizations_all()
        ids = []
        for item in wanted:
            match = [org_id for org_id, code, _tz in known if code == item or str(org_id) == item]
            if not match:
                raise CommandError(f"--organization: no organization {item!r}")
            ids.extend(match)
        return ids
