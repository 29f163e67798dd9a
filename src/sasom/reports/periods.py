"""Months as the organization counts them, for every report with month columns or a month
dimension (DOMAIN.md 12, docs/decisions/0006-calendars.md).

A Jalali organization whose periods follow its calendar (``Organization.periods_follow_calendar``,
``core.calendars.period_calendar``) counts Jalali months: Aban 1405 is 23 October to 21 November
2026, in the organization's time zone. Every other organization counts Gregorian months (a
Buddhist-era month *is* a Gregorian month; only the year's number differs).

A month is named by its first day, a Gregorian ``date`` as everything is stored: ``2026-10-23``
for Aban 1405, ``2026-11-01`` for November. A Jalali month never starts on the 1st of a Gregorian
month, so a month's first day says which calendar it belongs to: :func:`is_calendar_month` is
how the cells (``formatting.month_text``, the exports) know to write ``1405/08`` rather than
``2026-10``, and a report still grouping by Gregorian months reads as Gregorian.

The helpers:

- :func:`months_of` — the months a report's period touches (its month columns);
- :func:`month_bounds` — a ``Q`` for one month's rows inside the period (a column's aggregate);
- :func:`month_bucket` — a SQL expression grouping rows by month (the builder's month
  dimension): ``TruncMonth`` for Gregorian months; for Jalali months a ``CASE`` over the months
  of the period (a report covers at most three years: 37 branches at most);
- :func:`last_months` — the last ``n`` months up to today (a report's default period).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Case, DateField, Q, Value, When
from django.db.models.functions import TruncMonth

from sasom.core import calendars


def month_calendar(organization: Any) -> str:
    """``jalali`` when the organization counts Jalali months, else ``gregorian``."""
    if calendars.period_calendar(organization) == calendars.JALALI:
        return calendars.JALALI
    return calendars.GREGORIAN


def month_start(day: dt.date, organization: Any) -> dt.date:
    """The first day of the organization's month holding ``day``."""
    return calendars.month_start(day, month_calendar(organization))


def month_after(month: dt.date, organization: Any) -> dt.date:
    """The first day of the month after the one starting on ``month``."""
    return calendars.add_months(calendars.month_start(month, month_calendar(organization)), 1,
                                month_calendar(organization))


def months_between(start_on: dt.date, end_on: dt.date, organization: Any) -> list[dt.date]:
    """The first day of every month of the organization that ``[start_on, end_on]`` touches."""
    out: list[dt.date] = []
    month = month_start(start_on, organization)
    while month <= end_on:
        out.append(month)
        month = month_after(month, organization)
    return out


def months_of(scope: Any) -> list[dt.date]:
    """The months a report's period touches (``scope``: a ``framework.Scope``)."""
    return months_between(scope.start_on, scope.end_on, scope.organization)


def _at(day: dt.date, scope: Any) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=scope.zone)


def month_bounds(month: dt.date, scope: Any, field: str = "occurred_at") -> Q:
    """The rows of the month starting on ``month`` (local days of the organization) inside the period."""
    start = max(_at(month, scope), scope.start_at)
    end = min(_at(month_after(month, scope.organization), scope), scope.end_at)
    return Q(**{f"{field}__gte": start, f"{field}__lt": end})


def month_bucket(field: str, scope: Any, *, local_day: bool = False) -> Any:
    """A SQL expression: the first day of the organization's month holding ``field`` (a datetime,
    in the organization's zone; or, with ``local_day``, a date that is already the local day, as
    the daily sales summary's). Rows outside the period's months are NULL (the report filters
    them out already)."""
    if month_calendar(scope.organization) == calendars.GREGORIAN:
        if local_day:
            return TruncMonth(field, output_field=DateField())
        return TruncMonth(field, tzinfo=scope.zone, output_field=DateField())
    def edge(day: dt.date) -> Any:
        return day if local_day else _at(day, scope)
    whens = [When(Q(**{f"{field}__gte": edge(m), f"{field}__lt": edge(month_after(m, scope.organization))}),
                  then=Value(m)) for m in months_of(scope)]
    return Case(*whens, default=Value(None), output_field=DateField())


def last_months(today: dt.date, n: int, organization: Any) -> tuple[dt.date, dt.date]:
    """The ``n`` months ending with today's (today's month so far): a report's default period."""
    calendar = month_calendar(organization)
    return calendars.add_months(calendars.month_start(today, calendar), -(n - 1), calendar), today


def is_calendar_month(day: Any, organization: Any) -> bool:
    """Whether ``day`` names a month of the organization's own calendar that is not Gregorian (a
    Jalali month's first day, for a Jalali organization whose periods follow its calendar)."""
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
        return False
    calendar = month_calendar(organization)
    return calendar != calendars.GREGORIAN and calendars.month_start(day, calendar) == day
