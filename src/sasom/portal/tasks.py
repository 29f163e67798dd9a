"""Background jobs of the portal."""

from __future__ import annotations

from django_tasks import task

from .services import login_codes_purge


@task()
def login_codes_purge_task() -> int:
    return login_codes_purge()


def login_codes_daily() -> str:
    """The portal's daily job (``core.jobs``): only the recent login codes count for the caps."""
    return f"deleted {login_codes_purge()} old portal login codes"
