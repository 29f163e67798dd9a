"""The scheduler: daily and periodic jobs, each run once per (job, organization, date).

Each app registers its jobs from ``AppConfig.ready()`` with :func:`job_register`; core knows no
app above it, and the organizations to run for come from the provider ``organizations`` registers
(:func:`organizations_provide`). A job is a function

- ``fn(*, organization_id, on_date) -> dict[str, int]`` (``per_organization=True``, the default), or
- ``fn(*, on_date) -> dict[str, int]`` (``per_organization=False``: whole-database clean-ups),

that computes "today" from ``on_date`` (the organization's calendar day), never from the wall
clock, is idempotent for that date, and returns its counts (``{"expired_points": 7}``).

:func:`job_run` records every run in ``core.JobRun`` under a unique key (organization, job, date):
a second run for the same key is a no-op that returns the first run, unless ``force`` is given and
the job says a rerun is safe (``rerun_safe``). A failed run is retried by the next tick (up to
:data:`MAX_ATTEMPTS`), a run left ``running`` by a dead process is taken over after
:data:`STALE_AFTER`.

:func:`jobs_due` lists what the scheduler owes: for every job, organization and date in the
catch-up window (the last ``JOBS_CATCH_UP_DAYS`` days, default 7, up to the organization's
today) with no finished run, oldest date first. A (job, organization) that never ran starts at
today: a new organization, or a new job, is not back-filled. :func:`jobs_run_due` runs them in
that order; ``sasom run-jobs`` (cron) and the worker's tick task (``core.tasks``) both call it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import logging
import time
import zoneinfo
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Min, Q
from django.utils import timezone

# the schedules, importable from here too (``job_register(..., schedule=jobs.MONTH_END)``)
from sasom.core.schedules import DAILY as DAILY
from sasom.core.schedules import MONTH_END as MONTH_END
from sasom.core.schedules import MONTH_START as MONTH_START
from sasom.core.schedules import Schedule as Schedule
from sasom.core.schedules import weekly as weekly
from sasom.core.shopcontext import shop_of, shop_zone

logger = logging.getLogger("sasom.jobs")

MAX_ATTEMPTS = 3
STALE_AFTER = dt.timedelta(hours=2)
DEFAULT_CATCH_UP_DAYS = 7

Counts = dict[str, int]


# ------------------------------------------------------------------------------------- registry


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[..., Any]
    order: int
    schedule: Schedule = DAILY
    per_organization: bool = True
    rerun_safe: bool = True
    description: Any = ""  # a string, or a lazy translation
    counts: dict[str, Any] = field(default_factory=dict)  # a label for each count the job returns


_jobs: dict[str, Job] = {}

# (id, code, time zone) of every organization; filled by ``organizations`` (core cannot name it)
_organizations: list[Callable[[], list[tuple[int, str, str]]]] = []


def job_register(
    name: str,
    fn: Callable[..., Any],
    *,
    order: int,
    schedule: Schedule = DAILY,
    per_organization: bool = True,
    rerun_safe: bool = True,
    description: Any = "",
    counts: dict[str, Any] | None = None,
) -> Job:
    """Register (or replace) the job ``name``; lower ``order`` runs first on a date. A tier
    cut-off service ``tiers_cutoff_run(*, organization_id, on_date)`` registers with
    ``job_register("tiers_cutoff", tiers_cutoff_run, order=150, schedule=MONTH_END)``."""
    job = Job(name=name, run=fn, order=order, schedule=schedule, per_organization=per_organization,
              rerun_safe=rerun_safe, description=description or (fn.__doc__ or "").strip().split("\n")[0],
              counts=dict(counts or {}))
    _jobs[name] = job
    return job


def job_forget(name: str) -> None:
    """Undo a registration (for tests)."""
    _jobs.pop(name, None)


def jobs_registered() -> list[Job]:
    return sorted(_jobs.values(), key=lambda job: (job.order, job.name))


def job_get(name: str) -> Job | None:
    return _jobs.get(name)


def count_label(job_name: str, key: str) -> Any:
    """What a count of a job's run means, for people (the key itself when the job gave no label)."""
    job = _jobs.get(job_name)
    return job.counts.get(key, key) if job is not None else key


def organizations_provide(fn: Callable[[], list[tuple[int, str, str]]]) -> None:
    """``organizations`` hands core the list of (id, code, time zone) of every organization."""
    _organizations[:] = [fn]


def organizations_all() -> list[tuple[int, str, str]]:
    return _organizations[0]() if _organizations else []


# ------------------------------------------------------------------------------------ calendar


def zone_of(tz_name: str | None) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(tz_name or settings.TIME_ZONE)


def local_today(tz_name: str | None, now: dt.datetime | None = None) -> dt.date:
    return timezone.localtime(now or timezone.now(), zone_of(tz_name)).date()


def day_start(on_date: dt.date, tz_name: str | None) -> dt.datetime:
    """The first instant of ``on_date`` in the zone: what a job for that date takes as "now"."""
    return dt.datetime.combine(on_date, dt.time.min, tzinfo=zone_of(tz_name))


_pass_zones: list[dict[int, str]] = []  # during a pass over many runs: the zones, read once


def organization_zone(organization_id: int) -> str:
    """The organization's time zone (during a pass, from the list the pass read once)."""
    if _pass_zones and organization_id in _pass_zones[-1]:
        return _pass_zones[-1][organization_id]
    for org_id, _code, tz_name in organizations_all():
        if org_id == organization_id:
            return tz_name
    return settings.TIME_ZONE


@contextlib.contextmanager
def _one_pass() -> Iterator[None]:
    _pass_zones.append({org_id: tz_name for org_id, _code, tz_name in organizations_all()})
    try:
        yield
    finally:
        _pass_zones.pop()


def catch_up_days() -> int:
    return max(1, int(getattr(settings, "JOBS_CATCH_UP_DAYS", DEFAULT_CATCH_UP_DAYS)))


# ------------------------------------------------------------------------------------- running


RunOutcome = Literal["done", "failed", "skipped", "busy"]


@dataclass
class RunResult:
    job: str
    organization_id: int | None
    on_date: dt.date
    outcome: RunOutcome  # what this call did: ran (done/failed), or found it done / running
    run: Any  # the JobRun row

    @property
    def counts(self) -> Counts:
        return dict(self.run.counts or {})

    def line(self) -> str:
        where = f"organization {self.organization_id}" if self.organization_id else "all organizations"
        counts = ", ".join(f"{k} {v}" for k, v in sorted(self.counts.items())) or "nothing"
        if self.outcome == "skipped":
            return f"{self.job} {self.on_date} {where}: already done ({counts})"
        if self.outcome == "busy":
            return f"{self.job} {self.on_date} {where}: running elsewhere"
        if self.outcome == "failed":
            return f"{self.job} {self.on_date} {where}: FAILED {self.run.error.splitlines()[0] if self.run.error else ''}"
        return f"{self.job} {self.on_date} {where}: {counts} ({self.run.duration_ms} ms)"


def _claim(job: Job, organization_id: int | None, on_date: dt.date, *, force: bool, trigger: str,
           actor_label: str) -> tuple[Any, RunOutcome | None]:
    """Take the run row for (organization, job, date), or say why not: ``skipped`` (done, no
    force) or ``busy`` (another process runs it). The take is one row write that only one of two
    processes can win (the unique key, or a conditional UPDATE)."""
    # app loading order: every apps.py imports this module before the models are ready
    from sasom.core.models import JobRun

    now = timezone.now()
    fresh = dict(status=JobRun.Status.RUNNING, started_at=now, finished_at=None, duration_ms=None, error="",
                 trigger=trigger, actor_label=actor_label[:200])
    try:
        with transaction.atomic():
            return JobRun.objects.create(organization_id=organization_id, job=job.name, on_date=on_date,
                                         attempts=1, **fresh), None
    except IntegrityError:
        pass
    which = Q(organization__isnull=True) if organization_id is None else Q(organization_id=organization_id)
    row = JobRun.objects.get(which, job=job.name, on_date=on_date)
    takeable = Q(status=JobRun.Status.FAILED) | Q(status=JobRun.Status.RUNNING, started_at__lt=now - STALE_AFTER)
    if row.status == JobRun.Status.DONE:
        if not (force and job.rerun_safe):
            return row, "skipped"
        takeable = takeable | Q(status=JobRun.Status.DONE)
    taken = JobRun.objects.filter(takeable, pk=row.pk, started_at=row.started_at).update(
        attempts=row.attempts + 1, **fresh)
    row.refresh_from_db()
    if not taken:
        return row, ("skipped" if row.status == JobRun.Status.DONE else "busy")
    return row, None


def counts_of(value: Any) -> Counts:
    """A job's return value as counts: a dict of numbers, a number (``{"count": n}``), a dataclass
    (its whole-number fields) or nothing; so a service returning its own result registers as is."""
    if value is None:
        return {}
    if isinstance(value, bool):
        return {"count": int(value)}
    if isinstance(value, int):
        return {"count": value}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = dataclasses.asdict(value)
    if isinstance(value, dict):
        return {str(k): int(v) for k, v in value.items() if isinstance(v, int | float) and not isinstance(v, bool)}
    return {}


def job_run(
    job: Job | str,
    *,
    on_date: dt.date,
    organization_id: int | None = None,
    force: bool = False,
    trigger: str = "cron",
    actor_label: str = "system",
) -> RunResult:
    """Run ``job`` for one organization (or the whole database) and date, once. Records the run
    (counts, duration, status, error); a failure is recorded, logged and returned, not raised."""
    # app loading order: every apps.py imports this module before the models are ready
    from sasom.core.models import JobRun

    job = job if isinstance(job, Job) else _jobs[job]
    org_id = organization_id if job.per_organization else None
    if job.per_organization and org_id is None:
        raise ValueError(f"job {job.name} runs per organization: organization_id is required")
    row, outcome = _claim(job, org_id, on_date, force=force, trigger=trigger, actor_label=actor_label)
    if outcome is not None:
        return RunResult(job.name, org_id, on_date, outcome, row)
    started = time.monotonic()
    try:
        if job.per_organization:
            # messages, PDFs, exports and amounts the job writes read the organization's context
            # (zone, calendar, currency: core.shopcontext), as its requests do
            with shop_zone(shop_of(org_id) or organization_zone(org_id)):  # type: ignore[arg-type]  # set
                counts = job.run(organization_id=org_id, on_date=on_date)
        else:
            counts = job.run(on_date=on_date)
        status, error = JobRun.Status.DONE, ""
    except Exception as exc:  # one job's failure must not stop the others; it is recorded and retried
        logger.exception("job %s failed for organization %s on %s", job.name, org_id, on_date)
        counts, status, error = {}, JobRun.Status.FAILED, f"{type(exc).__name__}: {exc}"[:2000]
    row.status, row.counts, row.error = status, counts_of(counts), error
    row.finished_at = timezone.now()
    row.duration_ms = int((time.monotonic() - started) * 1000)
    row.save(update_fields=["status", "counts", "error", "finished_at", "duration_ms"])
    return RunResult(job.name, org_id, on_date, "done" if status == JobRun.Status.DONE else "failed", row)


@dataclass(frozen=True)
class Due:
    job: Job
    organization_id: int | None
    on_date: dt.date


def jobs_due(
    *,
    now: dt.datetime | None = None,
    jobs: Iterable[Job] | None = None,
    organization_ids: Iterable[int] | None = None,
    days: int | None = None,
) -> list[Due]:
    """What the scheduler owes at ``now``: oldest date first, then job order, then organization."""
    # app loading order: every apps.py imports this module before the models are ready
    from sasom.core.models import JobRun

    now = now or timezone.now()
    days = days or catch_up_days()
    chosen = list(jobs) if jobs is not None else jobs_registered()
    orgs = organizations_all()
    if organization_ids is not None:
        wanted = set(organization_ids)
        orgs = [o for o in orgs if o[0] in wanted]
    server_today = local_today(settings.TIME_ZONE, now)
    earliest = server_today - dt.timedelta(days=days + 1)  # a zone ahead of the server's: a day more
    names = [job.name for job in chosen]
    done: set[tuple[str, int | None, dt.date]] = set()
    for name, org_id, on, status, attempts, started_at in JobRun.objects.filter(
        job__in=names, on_date__gte=earliest
    ).values_list("job", "organization_id", "on_date", "status", "attempts", "started_at"):
        finished = status == JobRun.Status.DONE
        gave_up = status == JobRun.Status.FAILED and attempts >= MAX_ATTEMPTS
        running = status == JobRun.Status.RUNNING and started_at >= now - STALE_AFTER
        if finished or gave_up or running:
            done.add((name, org_id, on))
    first: dict[tuple[str, int | None], dt.date] = {
        (row["job"], row["organization_id"]): row["first"]
        for row in JobRun.objects.filter(job__in=names).values("job", "organization_id").annotate(first=Min("on_date"))
    }
    owed: list[Due] = []
    for job in chosen:
        places: list[tuple[int | None, str]] = (
            [(org_id, tz) for org_id, _code, tz in orgs] if job.per_organization else [(None, settings.TIME_ZONE)]
        )
        for place, tz in places:
            today = local_today(tz, now)
            start = max(today - dt.timedelta(days=days - 1), first.get((job.name, place), today))
            on = start
            while on <= today:
                if job.schedule.due(on) and (job.name, place, on) not in done:
                    owed.append(Due(job, place, on))
                on += dt.timedelta(days=1)
    owed.sort(key=lambda d: (d.on_date, d.job.order, d.job.name, d.organization_id or 0))
    return owed


def jobs_run_due(*, now: dt.datetime | None = None, trigger: str = "worker", **filters: Any) -> list[RunResult]:
    """Run everything :func:`jobs_due` lists, in its order (catch-up: missed dates oldest first)."""
    with _one_pass():
        return [job_run(d.job, on_date=d.on_date, organization_id=d.organization_id, trigger=trigger)
                for d in jobs_due(now=now, **filters)]


def jobs_run_for_date(
    *,
    on_date: dt.date,
    jobs: Iterable[Job] | None = None,
    organization_ids: Iterable[int] | None = None,
    force: bool = False,
    trigger: str = "cron",
    actor_label: str = "system",
    whole_database: bool = True,
) -> list[RunResult]:
    """Run the jobs (all, or those given) due on ``on_date`` for the organizations (all, or those
    given), in job order. Jobs whose schedule does not fall on the date are left out; a run that
    is done already is a no-op unless forced."""
    chosen = [job for job in (list(jobs) if jobs is not None else jobs_registered()) if job.schedule.due(on_date)]
    org_ids = [o[0] for o in organizations_all()] if organization_ids is None else list(organization_ids)
    results: list[RunResult] = []
    with _one_pass():
        for job in chosen:
            results.extend(_runs_of(job, on_date=on_date, org_ids=org_ids, force=force, trigger=trigger,
                                    actor_label=actor_label, whole_database=whole_database))
    return results


def _runs_of(job: Job, *, on_date: dt.date, org_ids: list[int], force: bool, trigger: str, actor_label: str,
             whole_database: bool) -> list[RunResult]:
    """One job's runs on the date: once for the whole database, or once per organization."""
    if not job.per_organization:
        if not whole_database:
            return []
        return [job_run(job, on_date=on_date, force=force, trigger=trigger, actor_label=actor_label)]
    return [job_run(job, on_date=on_date, organization_id=org_id, force=force, trigger=trigger, actor_label=actor_label)
            for org_id in org_ids]
