"""Where the members' sales reports read from: the daily summary (``summary``), made exact for
the period first, or the raw sales (``salesdata``) when the summary is switched off or a filter
needs what it does not hold. On a replica, the days it cannot rebuild are read raw and the rest
from the summary, in one query (``summary_mixed``); on the primary too, for the days a page leaves
to the worker (``summary_catchup``). Both give the same names: ``member_id``, ``branch_id`` (and the
joins through them: ``member__code``, ``branch__code``), and the measures members, visits
(bills), amount and points, so a report groups either the same way."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from django.db.models import Count, IntegerField, Max, Min, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from sasom.reports import periods
from sasom.reports.framework import Scope, branch_filter, tier_filter
from sasom.reports.replica import (
    summary_rebuilds as summary_rebuilds,  # what a replica's tests replace
)
from sasom.reports.salesdata import AMOUNT, measures, member_sales, net_after_returns
from sasom.reports.summary import _grouped, summary_on
from sasom.reports.summary_mixed import any_fresh, during, mixed, stale_days
from sasom.reports.summary_models import DailyMemberSales


def summarised(scope: Scope) -> bool:
    """Whether the reports read the summary: when at least one day of the period is exact once
    the page has rebuilt the few it may (the others are read raw: ``summary_mixed``)."""
    return summary_on() and any_fresh(scope)


def summary_ready(scope: Scope) -> None:
    """Make the period's summary readable, once per screen: on the primary the newest stale days
    rebuilt, the others queued for the worker and read raw (``summary_catchup``); on a replica
    nothing written, every stale day read raw."""
    stale_days(scope)


def summary_sales(scope: Scope, *, members_only: bool = True) -> QuerySet[DailyMemberSales]:
    """The summary rows of the period, branches, member type and tier (the members' rows)."""
    summary_ready(scope)
    rows = DailyMemberSales.objects.filter(organization_id=scope.organization.pk, day__gte=scope.start_on,
                                           day__lte=scope.end_on, **branch_filter(scope, "branch_id"))
    if members_only:
        rows = rows.filter(member__isnull=False)
    if scope.member_type is not None:
        rows = rows.filter(member__member_type_id=scope.member_type.pk)
    rows = rows.filter(tier_filter(scope, "member_id"))
    stale = stale_days(scope)
    if not stale:
        return rows
    raw = _grouped(scope.organization.pk, scope.zone, scope.start_at, scope.end_at).filter(
        during("occurred_at", stale, scope.zone))
    return mixed(rows, DailyMemberSales, scope.organization.pk, stale, raw, {})


def sales_of(scope: Scope) -> QuerySet[Any, Any]:
    """The members' sales of the scope: summary rows or raw sales."""
    return summary_sales(scope) if summarised(scope) else member_sales(scope)


def summary_measures() -> dict[str, Any]:
    return {
        "members": Count("member_id", distinct=True),
        "visits": Coalesce(Sum("bills"), 0, output_field=IntegerField()),
        "amount": Coalesce(Sum("amount"), Decimal("0"), output_field=AMOUNT),
        "points": Coalesce(Sum("points"), 0, output_field=IntegerField()),
    }


def measures_of(scope: Scope) -> dict[str, Any]:
    return summary_measures() if summarised(scope) else measures()


def per_member_measures(scope: Scope) -> dict[str, Any]:
    """The measures of one member's rows (no ``members``: a distinct count per group would make the
    database sort every row instead of hashing the groups)."""
    return {k: v for k, v in measures_of(scope).items() if k != "members"}


class CountedRows:
    """A sorted ``values()`` queryset whose ``count()`` is given (by the report's totals, computed
    once per screen) instead of a second grouped scan; the rest is the queryset's."""

    def __init__(self, rows: QuerySet[Any, Any], count: Callable[[], int]) -> None:
        self._rows, self._count = rows, count

    def count(self) -> int:
        return self._count()

    def __len__(self) -> int:
        return self._count()

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self._rows)

    def __getitem__(self, item: Any) -> Any:
        return self._rows[item]

    def order_by(self, *fields: str) -> QuerySet[Any, Any]:
        return self._rows.order_by(*fields)

    def iterator(self, chunk_size: int | None = None) -> Iterator[dict[str, Any]]:
        return self._rows.iterator(chunk_size=chunk_size)


def visits_amount(scope: Scope) -> dict[str, Any]:
    """A member's (or group's) ``n`` visits and what they ``spent``, for the banded reports."""
    if summarised(scope):
        return {"n": Sum("bills"), "spent": Sum("amount")}
    return {"n": Count("id"), "spent": Sum(net_after_returns(), output_field=AMOUNT)}


def first_last(scope: Scope) -> dict[str, Any]:
    if summarised(scope):
        return {"first_at": Min("first_at"), "last_at": Max("last_at")}
    return {"first_at": Min("occurred_at"), "last_at": Max("occurred_at")}


def period_of(scope: Scope, kind: str) -> Any:
    """The day, week, month, quarter or year a sale falls in, as the organization counts them
    (``periods.period_bucket``: its zone, its calendar's months, quarters and years, its week's
    first day: Saturday for a Jalali shop, docs/decisions/0010), on the daily summary (its local
    ``day``) or the raw sales (``occurred_at``)."""
    if summarised(scope):
        return periods.period_bucket(kind, "day", scope, local_day=True)
    return periods.period_bucket(kind, "occurred_at", scope)


def month_in(month: dt.date, scope: Scope) -> Q:
    """The sales of ``month`` (the organization's local month) inside the period."""
    following = periods.month_after(month, scope.organization)
    if summarised(scope):
        return Q(day__gte=max(month, scope.start_on), day__lt=following, day__lte=scope.end_on)
    start = dt.datetime.combine(month, dt.time(0), tzinfo=scope.zone)
    end = dt.datetime.combine(following, dt.time(0), tzinfo=scope.zone)
    return Q(occurred_at__gte=max(start, scope.start_at), occurred_at__lt=min(end, scope.end_at))


def amount_in(condition: Q, scope: Scope) -> Any:
    """Σ amount of the sales matching ``condition``."""
    field: Any = "amount" if summarised(scope) else net_after_returns()
    return Coalesce(Sum(field, filter=condition, output_field=AMOUNT), Decimal("0"), output_field=AMOUNT)


def visits_in(condition: Q, scope: Scope) -> Any:
    if summarised(scope):
        return Coalesce(Sum("bills", filter=condition), 0, output_field=IntegerField())
    return Count("id", filter=condition)
