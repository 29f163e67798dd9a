"""Daily jobs: each app registers its own from ``AppConfig.ready()``; ``manage.py sasom_daily``
runs them all, lowest ``order`` first, so the command knows no app above ``core``.

A job does its work and returns the line the command prints. ``tasks`` are what ``--enqueue``
hands to the worker instead; a job without tasks runs only in place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DailyJob:
    name: str
    run: Callable[[], str]
    order: int
    tasks: tuple[Any, ...] = ()  # django_tasks Task objects


_jobs: dict[str, DailyJob] = {}


def daily_job(name: str, fn: Callable[[], str], order: int, *, tasks: tuple[Any, ...] = ()) -> None:
    """Register (or replace) the daily job ``name``."""
    _jobs[name] = DailyJob(name=name, run=fn, order=order, tasks=tasks)


def daily_jobs() -> list[DailyJob]:
    return sorted(_jobs.values(), key=lambda job: (job.order, job.name))


def daily_job_forget(name: str) -> None:
    """Undo a registration (for tests)."""
    _jobs.pop(name, None)
