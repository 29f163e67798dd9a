"""The organization's calendar: Gregorian, Thai Buddhist era, Jalali (Solar Hijri).

Pure functions over ``datetime.date`` (stored dates stay Gregorian ISO; a calendar only decides how a
day is written and read, and, when the organization chooses, what "month", "quarter" and "year"
mean). Jalali arithmetic is ``jdatetime``'s (the 33-year rule, equal to Iran's astronomical calendar
for 1277-1501 AP; docs/decisions/0006-calendars.md).

Decisions held here (docs/user-guide.md, "Dates and calendars"):

* Buddhist-era months and years are Gregorian months and years (B.E. = C.E. + 543), so every period
  rule is Gregorian for a Thai shop; only the written year changes, and only for Thai readers.
* Adding months keeps the day of month, clamped to the target month's last day: 31 Farvardin + 6
  months is 30 Mehr; 30 Esfand 1403 + 12 months is 29 Esfand 1404; 31 January + 1 month is 28 or
  29 February.
* Quarters and halves count from the calendar's first month: Jalali quarters end with Khordad,
  Shahrivar, Azar and Esfand; halves with Shahrivar and Esfand.
* A birthday on a day the year lacks (30 Esfand in a common Jalali year, 29 February in a common
  Gregorian year) is kept on that month's last day (29 Esfand, 28 February), never moved into the
  next month.
"""

from __future__ import annotations

import calendar as stdcal
import datetime as dt
import re
from typing import Any, TypeVar

import jdatetime

GREGORIAN, BUDDHIST, JALALI = "gregorian", "buddhist", "jalali"
CALENDARS = (GREGORIAN, BUDDHIST, JALALI)
BUDDHIST_ERA_OFFSET = 543

PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
_TO_ASCII = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
_PARTS = re.compile(r"^\s*(\d{1,4})\s*[/\-.]\s*(\d{1,2})\s*[/\-.]\s*(\d{1,4})\s*$")
# A typed year at or past this is a Gregorian (or B.E.) year whatever the calendar: Jalali years
# reach it only in the 24th century, Gregorian years have been past it since the 19th.
_GREGORIAN_YEARS_FROM = 1800
_JALALI_YEARS_FROM = 1200
_BUDDHIST_YEARS_ABOVE = 2400  # a typed year above it is B.E. (as members.validation.parse_date reads it)

D = TypeVar("D", dt.date, dt.datetime)


def check(calendar: str) -> str:
    if calendar not in CALENDARS:
        raise ValueError(f"unknown calendar {calendar!r}")
    return calendar


def calendar_of(organization: Any) -> str:
    """The calendar an organization writes its days in (Gregorian when there is none)."""
    value = getattr(organization, "calendar", None)
    return value if value in CALENDARS else GREGORIAN


def period_calendar(organization: Any) -> str:
    """The calendar whose months, quarters and years an organization's periods follow (expiry
    "end of month", birthdays, birth months, cut-offs): its own when it chooses so
    (``periods_follow_calendar``), else Gregorian."""
    if getattr(organization, "periods_follow_calendar", True):
        return calendar_of(organization)
    return GREGORIAN


def _jalali(calendar: str) -> bool:
    return check(calendar) == JALALI


def to_calendar(day: dt.date, calendar: str) -> tuple[int, int, int]:
    """(year, month, day) of a Gregorian ``day`` in ``calendar`` (B.E. years for Buddhist)."""
    if _jalali(calendar):
        j = jdatetime.date.fromgregorian(date=day)
        return j.year, j.month, j.day
    if calendar == BUDDHIST:
        return day.year + BUDDHIST_ERA_OFFSET, day.month, day.day
    return day.year, day.month, day.day


def from_calendar(year: int, month: int, day: int, calendar: str) -> dt.date:
    """The Gregorian date of (year, month, day) in ``calendar``; ValueError for a day that does not
    exist (30 Esfand of a common year, 31 Mehr, 29 February 2569 B.E.)."""
    if _jalali(calendar):
        if not 1 <= month <= 12 or not 1 <= day <= days_in_month(year, month, JALALI):
            raise ValueError("day is out of range for month")
        return jdatetime.date(year, month, day).togregorian()
    if calendar == BUDDHIST:
        year -= BUDDHIST_ERA_OFFSET
    return dt.date(year, month, day)


def is_leap(year: int, calendar: str) -> bool:
    """Whether ``year`` (written in ``calendar``) has its extra day (30 Esfand, 29 February)."""
    if _jalali(calendar):
        return bool(jdatetime.date(year, 1, 1).isleap())
    return stdcal.isleap(year - BUDDHIST_ERA_OFFSET if calendar == BUDDHIST else year)


def days_in_month(year: int, month: int, calendar: str) -> int:
    if _jalali(calendar):
        if month <= 6:
            return 31
        if month <= 11:
            return 30
        return 30 if is_leap(year, JALALI) else 29
    return stdcal.monthrange(year - BUDDHIST_ERA_OFFSET if calendar == BUDDHIST else year, month)[1]


def _shift(year: int, month: int, n: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + n
    return index // 12, index % 12 + 1


def add_months(day: dt.date, n: int, calendar: str) -> dt.date:
    """``day`` moved ``n`` months (negative: back) in ``calendar``, the day of month clamped."""
    year, month, mday = to_calendar(day, calendar)
    year, month = _shift(year, month, n)
    return from_calendar(year, month, min(mday, days_in_month(year, month, calendar)), calendar)


def months_back(value: D, n: int, calendar: str) -> D:
    """``value`` minus ``n`` months in ``calendar`` (the day clamped). A datetime keeps its wall
    time and zone: pass it in the organization's zone, so the months are the shop's months."""
    if isinstance(value, dt.datetime):
        moved = add_months(value.date(), -n, calendar)
        return value.replace(year=moved.year, month=moved.month, day=moved.day)
    return add_months(value, -n, calendar)


def month_start(day: dt.date, calendar: str) -> dt.date:
    year, month, _ = to_calendar(day, calendar)
    return from_calendar(year, month, 1, calendar)


def month_end(day: dt.date, calendar: str) -> dt.date:
    year, month, _ = to_calendar(day, calendar)
    return from_calendar(year, month, days_in_month(year, month, calendar), calendar)


def period_end(day: dt.date, months: int, calendar: str) -> dt.date:
    """The last day of the period of ``months`` months (1 month, 3 quarter, 6 half, 12 year; a
    divisor of 12) that contains ``day``, periods counted from the calendar year's first month."""
    if months not in (1, 2, 3, 4, 6, 12):
        raise ValueError("a period is 1, 2, 3, 4, 6 or 12 months")
    year, month, _ = to_calendar(day, calendar)
    last = ((month - 1) // months + 1) * months
    return from_calendar(year, last, days_in_month(year, last, calendar), calendar)


def is_period_end(day: dt.date, months: int, calendar: str) -> bool:
    """Whether ``day`` is the last day of a month (1), quarter (3), half (6) or year (12) in
    ``calendar``: a tier cut-off's test (monthly, quarterly, half-yearly, yearly)."""
    return period_end(day, months, calendar) == day


def expiry_end(earned_on: dt.date, n: int, months: int, calendar: str) -> dt.date:
    """Points earned on ``earned_on`` under "end of period + n months": move the earning month
    ``n`` months forward, then the last day of its period of ``months`` months (1, 3 or 12)."""
    return period_end(add_months(month_start(earned_on, calendar), n, calendar), months, calendar)


def birth_month(born_on: dt.date, calendar: str) -> int:
    return to_calendar(born_on, calendar)[1]


def birthday_in(born_on: dt.date, year: int, calendar: str) -> dt.date:
    """The day a member born on ``born_on`` celebrates in ``year`` (written in ``calendar``): the
    same month and day, or the month's last day when that year lacks it (30 Esfand → 29 Esfand)."""
    _, month, mday = to_calendar(born_on, calendar)
    return from_calendar(year, month, min(mday, days_in_month(year, month, calendar)), calendar)


def is_birthday(born_on: dt.date, today: dt.date, calendar: str) -> bool:
    return birthday_in(born_on, to_calendar(today, calendar)[0], calendar) == today


def month_spans(month: int, first_year: int, last_year: int, calendar: str) -> list[tuple[dt.date, dt.date]]:
    """(first day, last day) of ``month`` in every year from ``first_year`` to ``last_year``
    (written in ``calendar``): a database filter for "born in Esfand" over Gregorian dates."""
    return [(from_calendar(year, month, 1, calendar),
             from_calendar(year, month, days_in_month(year, month, calendar), calendar))
            for year in range(first_year, last_year + 1)]


def near_days(day: dt.date, spread: int = 3) -> list[dt.date]:
    """``day`` and the ``spread`` days either side: the Gregorian (month, day) pairs on which a
    Jalali anniversary of ``day`` can fall in other years (Nowruz moves between 20 and 22 March)."""
    return [day + dt.timedelta(days=k) for k in range(-spread, spread + 1)]


def persian_digits(text: str) -> str:
    return text.translate(PERSIAN_DIGITS)


def display(day: dt.date, calendar: str, *, language: str = "") -> str:
    """A day as written in ``calendar``: Jalali ``1405/09/07`` (year/month/day, as Iranian
    receipts write it, in every language); Buddhist ``28/11/2569`` for Thai readers (other
    languages read ISO, as before calendars were a setting); Gregorian ISO ``2026-11-28``."""
    if _jalali(calendar):
        year, month, mday = to_calendar(day, JALALI)
        return f"{year:04d}/{month:02d}/{mday:02d}"
    if calendar == BUDDHIST and language.startswith("th"):
        return f"{day.day:02d}/{day.month:02d}/{day.year + BUDDHIST_ERA_OFFSET}"
    return day.isoformat()


def display_month(day: dt.date, calendar: str, *, language: str = "") -> str:
    """A month as written in ``calendar``: ``1405/09`` (``آذر ۱۴۰۵`` style names only in
    Persian), ``11/2569`` in Thai B.E., else ``2026-11``."""
    if _jalali(calendar):
        year, month, _ = to_calendar(day, JALALI)
        if language.startswith("fa"):
            return f"{jdatetime.date.j_months_fa[month - 1]} {year}"
        return f"{year:04d}/{month:02d}"
    if calendar == BUDDHIST and language.startswith("th"):
        return f"{day.month:02d}/{day.year + BUDDHIST_ERA_OFFSET}"
    return f"{day.year}-{day.month:02d}"


def month_name(month: int, calendar: str, *, language: str = "") -> str:
    """A Jalali month's name (Persian in fa, transliterated otherwise); Gregorian months: the
    number (screens name them through Django's own translations)."""
    if _jalali(calendar):
        names = jdatetime.date.j_months_fa if language.startswith("fa") else jdatetime.date.j_months_en
        return str(names[month - 1])
    return f"{month:02d}"


def shaped_like_a_date(text: str) -> bool:
    """Whether ``text`` is written as a day (three numbers), whether or not that day exists: a
    form says "no such day" to ``1404/12/30`` and "write a date" to ``tomorrow``."""
    return _PARTS.match(text.translate(_TO_ASCII)) is not None


def parse(text: str, calendar: str) -> dt.date:
    """A typed day in ``calendar``: Jalali ``1405/09/07`` (or with ``-``/``.``; Persian digits
    too), Buddhist ``28/11/2569``, Gregorian ``28/11/2026``; ISO ``2026-11-28`` is always
    understood (a year from 1800 is Gregorian, above 2400 B.E.). ValueError for anything else,
    impossible days included (``1404/12/30``)."""
    match = _PARTS.match(text.translate(_TO_ASCII))
    if not match:
        raise ValueError("not a date")
    a, b, c = (int(g) for g in match.groups())
    a_is_year = len(match.group(1)) == 4 or len(match.group(3)) < 3
    year, month, mday = (a, b, c) if a_is_year else (c, b, a)
    if _jalali(calendar) and year < _GREGORIAN_YEARS_FROM:
        if year < _JALALI_YEARS_FROM:
            raise ValueError("year out of range")
        return from_calendar(year, month, mday, JALALI)
    if year > _BUDDHIST_YEARS_ABOVE:
        year -= BUDDHIST_ERA_OFFSET
    if year < _GREGORIAN_YEARS_FROM:
        raise ValueError("year out of range")
    return dt.date(year, month, mday)
