"""The ledger's scheduled jobs (``core.jobs``): release pending points, then expire due points.

Each takes the organization and the date it runs for: "now" is the first instant of that date in
the organization's time zone, so a run for a given date does the same whenever it runs (cron
after midnight, the worker's tick, a catch-up after downtime). Both are idempotent.
"""

from __future__ import annotations

import datetime as dt

from sasom.core.jobs import day_start, organization_zone
from sasom.ledger.services import points_expire_due, points_release_pending


def points_release_job(*, organization_id: int, on_date: dt.date) -> dict[str, int]:
    """Pending points whose return window closed before the date become spendable."""
    now = day_start(on_date, organization_zone(organization_id))
    return {"released_points": points_release_pending(organization_id=organization_id, now=now)}


def points_expire_job(*, organization_id: int, on_date: dt.date) -> dict[str, int]:
    """Points whose expiry date is before the date expire."""
    now = day_start(on_date, organization_zone(organization_id))
    return {"expired_points": points_expire_due(organization_id=organization_id, today=on_date, now=now)}
