"""Running the jobs of a date by hand, for one organization: the back office's "Run the jobs of
a date now" and ``POST /api/v1/jobs/run``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from sasom.core import errors
from sasom.core.audit import audit_record
from sasom.core.errors import DomainError
from sasom.core.jobs import (
    RunResult,
    job_get,
    jobs_registered,
    jobs_run_for_date,
    local_today,
    organization_zone,
)

EARLIEST_MANUAL_DAYS = 366


def jobs_run_manual(
    *,
    organization_id: int,
    on_date: dt.date,
    job_name: str | None = None,
    force: bool = False,
    actor: Any,
    trigger: str = "manual",
) -> list[RunResult]:
    """"Run the jobs for date D now", for one organization (screen and API). Only per-organization
    jobs: whole-database clean-ups belong to the operator's cron. Idempotent like every run (a
    done date is reported, not run again) unless ``force`` on a job safe to rerun; audited."""
    today = local_today(organization_zone(organization_id))
    if on_date > today:
        raise DomainError(errors.DATE_IN_FUTURE, _("The jobs of a date still to come cannot run yet."), field="date")
    if on_date < today - dt.timedelta(days=EARLIEST_MANUAL_DAYS):
        raise DomainError(errors.DATE_TOO_OLD, _("Only the last %(days)s days can be run.") % {"days": EARLIEST_MANUAL_DAYS}, field="date")
    if job_name:
        job = job_get(job_name)
        if job is None or not job.per_organization:
            raise DomainError(errors.JOB_UNKNOWN, _("There is no job %(job)s for an organization.") % {"job": job_name}, field="job")
        if force and not job.rerun_safe:
            raise DomainError(errors.JOB_NOT_RERUNNABLE, _("The job %(job)s cannot run twice for a date.") % {"job": job_name},
                              field="force")
        chosen = [job]
    else:
        chosen = [job for job in jobs_registered() if job.per_organization]
    results = jobs_run_for_date(on_date=on_date, jobs=chosen, organization_ids=[organization_id],
                                force=force, trigger=trigger, actor_label=actor.label, whole_database=False)
    audit_record(
        organization_id=organization_id, actor=actor, action="jobs.run", object_type="core.jobrun",
        object_repr=f"{job_name or 'all jobs'} {on_date.isoformat()}",
        changes={"date": [None, on_date.isoformat()], "job": [None, job_name or ""], "force": [None, force],
                 "outcomes": [None, {r.job: r.outcome for r in results}]},
    )
    return results
