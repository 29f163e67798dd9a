"""``manage.py sasom_daily``: the nightly jobs, for cron (e.g. ``5 0 * * *``).

Runs the daily jobs every app registered (``core.jobs``), in their order: the ledger releases
pending points whose return window closed then expires points past their date; members past their
retention are anonymized; old portal login codes and processed outbox events are deleted. With
``--enqueue`` the jobs that have worker tasks go to the task queue instead of running here.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sasom.core.jobs import daily_jobs


class Command(BaseCommand):
    help = "Run the daily jobs: points release and expiry, PDPA retention, clean-ups."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--enqueue", action="store_true", help="Queue the jobs for the worker instead.")

    def handle(self, *args: Any, enqueue: bool = False, **options: Any) -> None:
        for job in daily_jobs():
            if enqueue:
                for task in job.tasks:
                    result = task.enqueue()
                    self.stdout.write(f"{task.name}: queued {result.id}")
            else:
                self.stdout.write(job.run())
