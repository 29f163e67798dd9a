"""``manage.py sasom_daily``: the nightly points jobs, for cron (e.g. ``5 0 * * *``).

Releases pending points whose return window closed, then expires points past their date. With
``--enqueue`` the jobs go to the task queue instead of running here.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from sasom.ledger.tasks import expire_points_task, release_pending_task


class Command(BaseCommand):
    help = "Release pending points and expire due points for every organization."

    def add_arguments(self, parser):
        parser.add_argument("--enqueue", action="store_true", help="Queue the jobs for the worker instead.")

    def handle(self, *args, enqueue: bool = False, **options):
        if enqueue:
            for job in (release_pending_task, expire_points_task):
                result = job.enqueue()
                self.stdout.write(f"{job.name}: queued {result.id}")
            return
        released = release_pending_task.call()
        expired = expire_points_task.call()
        self.stdout.write(
            f"released {sum(released.values())} pending points, expired {sum(expired.values())} points "
            f"in {len(expired)} organizations"
        )
        # PDPA retention: closed members past their organization's retention period are anonymized.
        from sasom.members.models import MemberRetention
        from sasom.members.privacy import members_retention_apply

        erased = sum(
            members_retention_apply(org_id)
            for org_id in MemberRetention.objects.filter(anonymize_closed_after_days__isnull=False)
            .values_list("organization_id", flat=True)
        )
        self.stdout.write(f"anonymized {erased} closed members past their retention")
        # one-time login codes of the member portal: only the recent ones count for the caps
        from sasom.portal.services import login_codes_purge

        self.stdout.write(f"deleted {login_codes_purge()} old portal login codes")
