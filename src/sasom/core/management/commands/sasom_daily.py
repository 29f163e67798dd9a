"""``sasom sasom_daily``: the former name of ``sasom run-jobs`` (kept for existing crontabs)."""

from __future__ import annotations

from .run_jobs import Command as RunJobs


class Command(RunJobs):
    help = "Alias of run_jobs (sasom run-jobs): the scheduled jobs due."
