"""Scheduled jobs of the portal (``core.jobs``)."""

from __future__ import annotations

import datetime as dt

from sasom.core.jobs import day_start

from .services import login_codes_purge


def login_codes_purge_job(*, on_date: dt.date) -> dict[str, int]:
    """Login codes older than a day are deleted: only the recent ones count for the caps."""
    return {"deleted_codes": login_codes_purge(now=day_start(on_date, None))}
