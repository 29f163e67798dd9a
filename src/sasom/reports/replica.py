"""Reports served from a read-only replica (``REPORTS_DATABASE``, docs/reports.md "Reports on a
replica").

An operator names a database alias (``SASOM_REPORTS_DATABASE_URL`` adds the alias ``reports``,
or ``REPORTS_DATABASE`` names one already in ``DATABASES``). While a report page, the builder,
the dashboard or the builder's API reads (:func:`reports_reading`, :func:`reads_reports`), the
router :class:`ReportsRouter` sends every read to that alias; writes (a background export's
record, the session) still go to the primary, and an object read from the replica is saved to
the primary too.

On the replica a page never writes: it does not rebuild the daily sales summary nor queue its
catch-up (``summary_mixed.stale_days`` asks :func:`summary_rebuilds`). It reads the days the
summary cannot answer (never built, built in another zone, touched since) from the raw sales and
the others from the summary, in one query (``summary_mixed``); a period with no day built is read
raw, as ``REPORTS_SALES_SUMMARY = False`` reads every period (the dashboard asks
:func:`days_fresh`). The nightly job ``reports_sales_summary``, the pages served by the primary
(a few days each) and the catch-up they queue (``summary_catchup``) keep building the summary.
Without the setting nothing changes: reports read and rebuild on the primary.
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS

from sasom.reports import summary
from sasom.reports.summary_models import SummaryDay

_READING: ContextVar[bool] = ContextVar("sasom_reports_reading", default=False)
F = TypeVar("F", bound=Callable[..., Any])


def reports_alias() -> str | None:
    """The replica's alias, when the operator configured one (not the primary)."""
    alias = getattr(settings, "REPORTS_DATABASE", None)
    return alias if alias and alias != DEFAULT_DB_ALIAS else None


def on_replica() -> bool:
    """Whether reads now go to the replica (a report is being read and a replica is configured)."""
    return _READING.get() and reports_alias() is not None


@contextmanager
def reports_reading() -> Iterator[None]:
    """Reads inside go to the replica (when configured). A streamed CSV's generator holds it
    while it writes rows, after the view has returned."""
    before = _READING.get()
    _READING.set(True)
    try:
        yield
    finally:
        _READING.set(before)


def reads_reports(view: F) -> F:
    """A view or an API operation that reads reports: its reads go to the replica."""
    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        with reports_reading():
            return view(*args, **kwargs)
    return wrapped  # type: ignore[return-value]


class ReportsRouter:
    """Reads of a report to ``REPORTS_DATABASE``; every write to the primary."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        return reports_alias() if _READING.get() else None

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        alias = reports_alias()
        instance = hints.get("instance")
        if alias is not None and instance is not None and instance._state.db == alias:
            return DEFAULT_DB_ALIAS  # read from the replica, saved to the primary
        return None

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        alias = reports_alias()
        if alias is not None and {obj1._state.db, obj2._state.db} <= {alias, DEFAULT_DB_ALIAS}:
            return True  # the same data
        return None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return False if db == reports_alias() else None  # a replica follows the primary's schema


def summary_rebuilds() -> bool:
    """Whether a report may rebuild the summary's days before reading (not on the replica)."""
    return not on_replica()


def days_fresh(organization: Any, start_on: dt.date, end_on: dt.date) -> bool:
    """Whether every day of ``start_on``..``end_on`` is built in the organization's zone and untouched
    since: the summary's own test of stale days (``summary_refresh``), without the rebuild."""
    zone_name = organization.time_zone
    zone = zoneinfo.ZoneInfo(zone_name)
    built = {s.day: s for s in SummaryDay.objects.filter(organization_id=organization.pk, day__gte=start_on,
                                                          day__lte=end_on, zone=zone_name)}
    if len(built) < (end_on - start_on).days + 1:
        return False
    start_at = dt.datetime.combine(start_on, dt.time(0), tzinfo=zone)
    end_at = dt.datetime.combine(end_on + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
    return not summary._touched(organization.pk, zone, built, start_at, end_at)
