"""Months, quarters and years as the organization counts them, for every report with month
columns or a period option, and the builder's time dimensions (DOMAIN.md 12,
docs/decisions/0006-calendars.md): the one place periods are computed.

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

Quarters and years (:func:`period_start`, :func:`periods_between`, :func:`period_bucket`,
:func:`period_label`) follow the same calendar: a Jalali shop's quarters are Farvardin–Khordad,
Tir–Shahrivar, Mehr–Azar and Dey–Esfand and its year is the Jalali year (1 Farvardin, Nowruz, to
29 or 30 Esfand); a Buddhist-era shop keeps Gregorian quarters and years and shows the year in
the Buddhist era to Thai readers. A quarter or a year is named by its first day, as a month is.

Weeks start on the organization's first weekday (``core.shopcontext.week_start``, from the
calendar its periods follow; docs/decisions/0010-week-start.md): a Jalali shop's week is Saturday
(شنبه) to Friday: the week of Saturday 25 Esfand 1403 (15 March 2025) holds the leap day, 30
Esfand, and ends on Nowruz, Friday 1 Farvardin 1404, so it spans two Jalali years and is named by
``2025-03-15`` (Nowruz 1405 is a Saturday: it opens its week). A Buddhist-era shop's week is Sunday to Saturday, as
Thai calendars print it; a Gregorian shop's (or one not following its calendar) the ISO week,
Monday to Sunday. A week is named by its first day (:func:`week_start_on`), in the
organization's local days; :func:`week_bucket` is its SQL.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Case, DateField, ExpressionWrapper, F, Q, Value, When
from django.db.models.functions import (
    Cast,
    TruncDate,
    TruncDay,
    TruncMonth,
    TruncQuarter,
    TruncWeek,
    TruncYear,
)
from django.utils import translation
from django.utils.translation import gettext

from sasom.core import calendars
from sasom.core.dates import shop_digits
from sasom.core.shopcontext import MONDAY, week_start

SPANS = {"month": 1, "quarter": 3, "year": 12}  # months in a period of each kind
KINDS = ("day", "week", "month", "quarter", "year")
_TRUNCS: dict[str, Any] = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth, "quarter": TruncQuarter,
                           "year": TruncYear}


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
    return period_bucket("month", field, scope, local_day=local_day)


def period_start(day: dt.date, kind: str, organization: Any) -> dt.date:
    """The first day of the organization's month, quarter or year holding ``day`` (Jalali
    quarters start on 1 Farvardin, 1 Tir, 1 Mehr and 1 Dey; a Jalali year on 1 Farvardin); for
    ``week`` the first day of its week."""
    if kind == "week":
        return week_start_on(day, organization)
    span = SPANS.get(kind)
    if span is None:
        raise ValueError(f"a month, a quarter or a year, not {kind!r}")
    calendar = month_calendar(organization)
    year, month, _day = calendars.to_calendar(day, calendar)
    return calendars.from_calendar(year, (month - 1) // span * span + 1, 1, calendar)


def period_after(start: dt.date, kind: str, organization: Any) -> dt.date:
    """The first day of the period after the one starting on ``start``."""
    if kind == "week":
        return week_start_on(start, organization) + dt.timedelta(days=7)
    calendar = month_calendar(organization)
    return calendars.add_months(period_start(start, kind, organization), SPANS[kind], calendar)


def periods_between(start_on: dt.date, end_on: dt.date, kind: str, organization: Any) -> list[dt.date]:
    """The first day of every week, month, quarter or year of the organization ``[start_on, end_on]`` touches."""
    out: list[dt.date] = []
    start = period_start(start_on, kind, organization)
    while start <= end_on:
        out.append(start)
        start = period_after(start, kind, organization)
    return out


def periods_in(scope: Any, kind: str) -> list[dt.date]:
    """The months, quarters or years a report's period touches."""
    return periods_between(scope.start_on, scope.end_on, kind, scope.organization)


def period_bucket(kind: str, field: str, scope: Any, *, local_day: bool = False) -> Any:
    """A SQL expression: the first day of the day, week, month, quarter or year holding ``field``
    (a datetime, read in the organization's zone; with ``local_day`` a date already local).
    Gregorian periods truncate (``TruncQuarter``...); a Jalali shop's months, quarters and years
    are a ``CASE`` over the periods of the report's period (NULL outside it)."""
    if kind not in KINDS:
        raise ValueError(f"unknown period {kind!r}")
    zone = {} if local_day else {"tzinfo": scope.zone}
    if kind == "week":
        return week_bucket(field, scope, local_day=local_day)
    if kind == "day" or month_calendar(scope.organization) == calendars.GREGORIAN:
        return _TRUNCS[kind](field, output_field=DateField(), **zone)
    def edge(day: dt.date) -> Any:
        return day if local_day else _at(day, scope)
    whens = [When(Q(**{f"{field}__gte": edge(p), f"{field}__lt": edge(period_after(p, kind, scope.organization))}),
                  then=Value(p)) for p in periods_in(scope, kind)]
    return Case(*whens, default=Value(None), output_field=DateField())


def week_start_on(day: dt.date, organization: Any) -> dt.date:
    """The first day of the organization's week holding ``day``: the Saturday on or before it for
    a Jalali shop, the Sunday for a Buddhist-era shop, the Monday for the others."""
    return day - dt.timedelta(days=(day.weekday() - week_start(organization)) % 7)


def week_bucket(field: str, scope: Any, *, local_day: bool = False) -> Any:
    """A SQL expression: the first day of the organization's week holding ``field`` (a datetime
    read in the organization's zone; with ``local_day`` a date already local). ISO weeks truncate
    (``TruncWeek``); a week starting on another day is the ISO week of the local day moved forward
    onto a Monday (a Saturday by two days, a Sunday by one), moved back the same days: plain date
    arithmetic, the same on both databases, no list of weeks."""
    first = week_start(scope.organization)
    if first == MONDAY:
        return TruncWeek(field, output_field=DateField(), **({} if local_day else {"tzinfo": scope.zone}))
    shift = Value(dt.timedelta(days=(7 - first) % 7))
    day = F(field) if local_day else TruncDate(field, tzinfo=scope.zone)
    # date arithmetic on the local day (no zone, no hour to move); ``Cast`` makes it a date again
    # on both databases (PostgreSQL's date ± interval is a timestamp, SQLite's a text)
    monday = TruncWeek(ExpressionWrapper(day + shift, output_field=DateField()), output_field=DateField())
    return Cast(ExpressionWrapper(monday - shift, output_field=DateField()), DateField())


def period_year(day: dt.date, organization: Any, *, language: str) -> int:
    """The year a period starting on ``day`` is written with: the Jalali year of a Jalali shop
    following its calendar, the Buddhist-era year for a Buddhist-era shop's Thai readers, else
    the Gregorian year."""
    if month_calendar(organization) == calendars.JALALI:
        return calendars.to_calendar(day, calendars.JALALI)[0]
    if calendars.calendar_of(organization) == calendars.BUDDHIST and language.startswith("th"):
        return day.year + calendars.BUDDHIST_ERA_OFFSET
    return day.year


def period_label(day: dt.date, kind: str, organization: Any, *, language: str) -> str:
    """A quarter as ``Q4 2026`` (``ไตรมาส 4/2569`` in Thai for a Buddhist-era shop; ``Q3 1405`` for
    Mehr–Azar 1405 of a Jalali shop), a year as ``2026`` (``2569``, ``1405``); Persian digits when
    the shop asks for them and the reader reads Persian."""
    if kind == "week":
        return week_label(day, organization, language=language)
    year = period_year(day, organization, language=language)
    if kind == "year":
        text = str(year)
    elif kind == "quarter":
        month = calendars.to_calendar(day, month_calendar(organization))[1]
        with translation.override(language or translation.get_language()):
            text = gettext("Q%(quarter)s %(year)s") % {"quarter": (month - 1) // 3 + 1, "year": year}
    else:
        raise ValueError(f"a label is for a quarter or a year, not {kind!r}")
    return shop_digits(text, organization, language=language)


def week_label(day: dt.date, organization: Any, *, language: str) -> str:
    """A week by its first and last days in the organization's calendar: ``1404/12/23–1404/12/29``
    for a Jalali shop's week of Saturday 14 March 2026, ``15/03/2569–21/03/2569`` for a Thai
    reader of a Buddhist-era shop's Sunday week (Persian digits when the shop asks for them)."""
    first = week_start_on(day, organization)
    last = first + dt.timedelta(days=6)
    calendar = calendars.calendar_of(organization)
    text = "–".join(calendars.display(edge, calendar, language=language) for edge in (first, last))
    return shop_digits(text, organization, language=language)


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
