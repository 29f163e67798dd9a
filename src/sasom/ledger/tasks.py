"""Daily jobs: expire due points and release pending points, for every organization.

Run by the task worker (``sasom worker``) when enqueued, or directly by ``manage.py sasom_daily``
from cron, shortly after local midnight. Both are idempotent: running twice does nothing more.
"""

from __future__ import annotations

from django_tasks import task

from sasom.ledger.services import points_expire_due, points_release_pending
from sasom.organizations.models import Organization


def _organization_ids() -> list[int]:
    return list(Organization.objects.order_by("pk").values_list("pk", flat=True))


@task()
def expire_points_task() -> dict[str, int]:
    """Expire every lot past its date, in each organization's own time zone."""
    return {str(org_id): points_expire_due(organization_id=org_id) for org_id in _organization_ids()}


@task()
def release_pending_task() -> dict[str, int]:
    return {str(org_id): points_release_pending(organization_id=org_id) for org_id in _organization_ids()}


def points_daily() -> str:
    """The ledger's daily job (``core.jobs``): release pending points, then expire due points."""
    released = release_pending_task.call()
    expired = expire_points_task.call()
    return (
        f"released {sum(released.values())} pending points, expired {sum(expired.values())} points "
        f"in {len(expired)} organizations"
    )
