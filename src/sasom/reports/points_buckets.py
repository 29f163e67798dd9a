"""Periods and expiry months of the points reports as a binary search (docs/performance.md B7r).

The points movement groups a period's entries by day, week, month, quarter or year in the shop's
zone and calendar; the liability groups the open lots by the shop's month of their expiry. On
PostgreSQL both are ``width_bucket(value, edges)``: the edges are the periods' first instants (or
days), computed here in Python in the shop's calendar, and each row costs a binary search over
them, whatever the calendar, instead of a time-zone truncation (Gregorian) or a ``CASE`` with a
branch per period (Jalali). The grouped rows carry a bucket number, turned back into the
period's first day here: ``edges[i - 1] <= value < edges[i]`` is bucket ``i``. Other databases
(SQLite: the tests, a demo) group by ``periods.period_bucket`` and ``points.expiry_month_bucket``
as before; the reconciliation tests run both ways.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connections
from django.db.models import F, Func, IntegerField, QuerySet

from sasom.reports import periods


class WidthBucket(Func):
    """``WIDTH_BUCKET(field, edges::type[])``: the bucket number of ``field`` among sorted edges
    (0 before the first, ``len(edges)`` from the last on, NULL for NULL)."""

    function = "WIDTH_BUCKET"
    output_field = IntegerField()

    def __init__(self, field: str, edges: tuple[Any, ...], array_type: str) -> None:
        super().__init__(F(field))
        self.edges, self.array_type = list(edges), array_type

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:  # type: ignore[override]
        sql, params = compiler.compile(self.source_expressions[0])
        return f"WIDTH_BUCKET({sql}, %s::{self.array_type}[])", [*params, self.edges]


def searched(queryset: QuerySet[Any]) -> bool:
    """Whether this queryset's database groups by ``width_bucket`` (PostgreSQL)."""
    return connections[queryset.db].vendor == "postgresql"


def period_starts(scope: Any, kind: str) -> list[dt.date]:
    """The first day of every period of ``kind`` the report's period touches, and of the one after."""
    if kind == "day":
        days = (scope.end_on - scope.start_on).days + 1
        return [scope.start_on + dt.timedelta(days=n) for n in range(days + 1)]
    starts = periods.periods_between(scope.start_on, scope.end_on, kind, scope.organization)
    return [*starts, periods.period_after(starts[-1], kind, scope.organization)]


def period_search(scope: Any, kind: str, field: str = "occurred_at") -> tuple[WidthBucket, list[dt.date]]:
    """The bucket of a datetime ``field`` among the periods' first instants (local midnights in the
    shop's zone), and the periods' first days the buckets stand for."""
    starts = period_starts(scope, kind)
    edges = tuple(dt.datetime.combine(day, dt.time(0), tzinfo=scope.zone) for day in starts)
    return WidthBucket(field, edges, "timestamptz"), starts


def month_search(first_on: dt.date, last_on: dt.date, organization: Any,
                 field: str = "expires_on") -> tuple[WidthBucket, list[dt.date]]:
    """The bucket of a date ``field`` among the shop's months from the one holding ``first_on`` to
    the one after ``last_on``, and those months' first days."""
    months = periods.months_between(first_on, last_on, organization)
    starts = [*months, periods.month_after(months[-1], organization)]
    return WidthBucket(field, tuple(starts), "date"), starts


def unbucket(rows: list[dict[str, Any]], key: str, starts: list[dt.date]) -> list[dict[str, Any]]:
    """The rows with ``key`` turned from a bucket number back into its period's first day (None
    stays None: points that never expire)."""
    for row in rows:
        if row[key] is not None:
            row[key] = starts[row[key] - 1]
    return rows
