"""The worker's side of the scheduler (``core.jobs``).

``jobs_tick_task`` runs whatever is due (today's jobs and the missed dates of the catch-up window,
oldest first) and queues the next tick ``JOBS_TICK_SECONDS`` later (default 300). ``sasom worker``
queues the first tick when it starts; a tick finding another one already queued queues none, so
two workers do not double the chain (and a run is once per key anyway).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django_tasks import default_task_backend, task

from sasom.core import jobs
from sasom.core.background import import_run

TICK_PATH = "sasom.core.tasks.jobs_tick_task"


def tick_seconds() -> int:
    return max(30, int(getattr(settings, "JOBS_TICK_SECONDS", 300)))


@task()
def jobs_tick_task() -> int:
    try:
        return len(jobs.jobs_run_due(trigger="worker"))
    finally:
        jobs_tick_ensure(delay=dt.timedelta(seconds=tick_seconds()))


@task()
def jobs_run_task(on_date: str, job_names: list[str] | None = None, organization_ids: list[int] | None = None,
                  force: bool = False) -> list[str]:
    """Run the jobs for one date (``sasom run-jobs --date D --enqueue``); returns the lines."""
    chosen = None if not job_names else [job for job in map(jobs.job_get, job_names) if job is not None]
    results = jobs.jobs_run_for_date(on_date=dt.date.fromisoformat(on_date), jobs=chosen,
                                     organization_ids=organization_ids, force=force, trigger="worker")
    return [r.line() for r in results]


def jobs_tick_ensure(*, delay: dt.timedelta = dt.timedelta(0)) -> bool:
    """Queue a tick ``delay`` from now unless one is queued already. Only for a backend that
    keeps tasks for later (the database backend); returns whether one was queued."""
    if not default_task_backend.supports_defer:
        return False
    from django_tasks_db.models import DBTaskResult  # only with the database backend

    if DBTaskResult.objects.filter(task_path=TICK_PATH, status="READY").exists():
        return False
    jobs_tick_task.using(run_after=timezone.now() + delay).enqueue()
    return True


@task()
def import_run_task(import_id: int) -> str:
    """A large import (``core.background``): check the stored upload, write it, record the result."""
    return import_run(import_id)
