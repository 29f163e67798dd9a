"""The calendar module: worked examples a Persian and a Thai shop know, and properties checked
against jdatetime's own round trip."""

from __future__ import annotations

import datetime as dt

import jdatetime
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sasom.core import calendars as cal
from sasom.core.calendars import BUDDHIST, GREGORIAN, JALALI

days = st.dates(min_value=dt.date(1930, 1, 1), max_value=dt.date(2120, 12, 31))
any_calendar = st.sampled_from(cal.CALENDARS)


def j(year: int, month: int, day: int) -> dt.date:
    return cal.from_calendar(year, month, day, JALALI)


def test_jalali_days_are_written_year_first_in_every_language():
    day = dt.date(2026, 11, 28)
    assert cal.display(day, JALALI) == "1405/09/07"
    assert cal.display(day, JALALI, language="fa") == "1405/09/07"
    assert cal.display(day, BUDDHIST, language="th") == "28/11/2569"
    assert cal.display(day, BUDDHIST, language="en") == "2026-11-28"
    assert cal.display(day, GREGORIAN, language="th") == "2026-11-28"
    assert cal.display_month(day, JALALI, language="fa") == "آذر 1405"
    assert cal.display_month(day, JALALI, language="en") == "1405/09"
    assert cal.month_name(9, JALALI, language="en") == "Azar"
    assert cal.persian_digits("1405/09/07") == "۱۴۰۵/۰۹/۰۷"


def test_nowruz_begins_the_jalali_year():
    # given the last day of 1403 (a leap year: Esfand has 30 days) and the next day
    esfand_30 = j(1403, 12, 30)
    nowruz = esfand_30 + dt.timedelta(days=1)
    # then the next day is 1 Farvardin 1404, the Gregorian 21 March 2025
    assert esfand_30 == dt.date(2025, 3, 20)
    assert cal.to_calendar(nowruz, JALALI) == (1404, 1, 1)
    assert cal.is_period_end(esfand_30, 12, JALALI)
    assert cal.month_start(nowruz, JALALI) == nowruz


def test_esfand_has_30_days_in_leap_years_only():
    assert [cal.is_leap(y, JALALI) for y in (1399, 1403, 1404, 1405, 1408)] == [True, True, False, False, True]
    assert cal.days_in_month(1403, 12, JALALI) == 30
    assert cal.days_in_month(1404, 12, JALALI) == 29
    assert cal.month_end(j(1404, 12, 1), JALALI) == j(1404, 12, 29)
    with pytest.raises(ValueError):
        cal.from_calendar(1404, 12, 30, JALALI)


def test_adding_months_clamps_to_the_shorter_month():
    assert cal.add_months(j(1405, 1, 31), 6, JALALI) == j(1405, 7, 30)  # 31 Farvardin + 6 → 30 Mehr
    assert cal.add_months(j(1403, 12, 30), 12, JALALI) == j(1404, 12, 29)
    assert cal.add_months(j(1404, 6, 31), -12, JALALI) == j(1403, 6, 31)
    assert cal.add_months(dt.date(2028, 1, 31), 1, GREGORIAN) == dt.date(2028, 2, 29)
    assert cal.add_months(dt.date(2026, 1, 31), 1, BUDDHIST) == dt.date(2026, 2, 28)


def test_jalali_quarters_end_with_khordad_shahrivar_azar_esfand():
    ends = [cal.period_end(j(1405, m, 10), 3, JALALI) for m in (1, 4, 7, 10)]
    assert ends == [j(1405, 3, 31), j(1405, 6, 31), j(1405, 9, 30), j(1405, 12, 29)]
    assert cal.period_end(j(1405, 2, 1), 6, JALALI) == j(1405, 6, 31)
    assert cal.is_period_end(j(1405, 9, 30), 3, JALALI)
    assert not cal.is_period_end(j(1405, 8, 30), 3, JALALI)
    assert cal.is_period_end(j(1405, 8, 30), 1, JALALI)
    assert cal.period_end(dt.date(2026, 11, 2), 3, BUDDHIST) == dt.date(2026, 12, 31)


def test_expiry_end_of_period_plus_n_months():
    earned = j(1405, 11, 15)
    assert cal.expiry_end(earned, 0, 1, JALALI) == j(1405, 11, 30)
    assert cal.expiry_end(earned, 1, 1, JALALI) == j(1405, 12, 29)
    assert cal.expiry_end(j(1402, 11, 15), 1, 1, JALALI) == j(1402, 12, 29)
    assert cal.expiry_end(j(1403, 11, 15), 1, 1, JALALI) == j(1403, 12, 30)
    assert cal.expiry_end(earned, 0, 3, JALALI) == j(1405, 12, 29)
    assert cal.expiry_end(earned, 2, 12, JALALI) == j(1406, 12, 29)
    assert cal.expiry_end(dt.date(2026, 4, 10), 0, 1, GREGORIAN) == dt.date(2026, 4, 30)


def test_a_birthday_on_esfand_30_is_kept_on_esfand_29_in_common_years():
    born = j(1370, 12, 30)  # 1370 is a leap year
    assert cal.birthday_in(born, 1403, JALALI) == j(1403, 12, 30)
    assert cal.birthday_in(born, 1404, JALALI) == j(1404, 12, 29)
    assert cal.is_birthday(born, j(1404, 12, 29), JALALI)
    assert not cal.is_birthday(born, j(1405, 1, 1), JALALI)
    assert cal.birth_month(born, JALALI) == 12
    assert cal.birth_month(born, GREGORIAN) == 3
    assert cal.is_birthday(dt.date(2000, 2, 29), dt.date(2026, 2, 28), GREGORIAN)


def test_months_back_keeps_the_wall_time_and_zone():
    tehran = dt.timezone(dt.timedelta(hours=3, minutes=30))
    at = dt.datetime.combine(j(1405, 7, 30), dt.time(23, 45), tzinfo=tehran)
    back = cal.months_back(at, 1, JALALI)
    assert back == dt.datetime.combine(j(1405, 6, 30), dt.time(23, 45), tzinfo=tehran)
    assert cal.months_back(j(1405, 1, 31), 1, JALALI) == j(1404, 12, 29)


@pytest.mark.parametrize(("text", "calendar", "expected"), [
    ("1405/09/07", JALALI, dt.date(2026, 11, 28)),
    ("۱۴۰۵/۰۹/۰۷", JALALI, dt.date(2026, 11, 28)),
    ("1405-9-7", JALALI, dt.date(2026, 11, 28)),
    ("2026-11-28", JALALI, dt.date(2026, 11, 28)),
    ("28/11/2569", BUDDHIST, dt.date(2026, 11, 28)),
    ("2026-11-28", BUDDHIST, dt.date(2026, 11, 28)),
    ("28/11/2026", GREGORIAN, dt.date(2026, 11, 28)),
])
def test_typed_days_are_read_in_the_calendar(text, calendar, expected):
    assert cal.parse(text, calendar) == expected


@pytest.mark.parametrize("text", ["1404/12/30", "1405/07/31", "1405/13/01", "hello", "", "12/11", "0950-01-01"])
def test_impossible_days_are_refused(text):
    with pytest.raises(ValueError):
        cal.parse(text, JALALI)


@settings(deadline=None)  # a loaded CI machine must not fail a pure function on time
@given(days, any_calendar)
def test_display_then_parse_is_the_same_day(day, calendar):
    for language in ("th", "en", "fa"):
        assert cal.parse(cal.display(day, calendar, language=language), calendar) == day


@settings(deadline=None)  # a loaded CI machine must not fail a pure function on time
@given(days)
def test_jalali_round_trip_agrees_with_jdatetime(day):
    year, month, mday = cal.to_calendar(day, JALALI)
    assert jdatetime.date(year, month, mday).togregorian() == day
    assert cal.from_calendar(year, month, mday, JALALI) == day
    assert 1 <= mday <= cal.days_in_month(year, month, JALALI)


@settings(deadline=None)  # a loaded CI machine must not fail a pure function on time
@given(days, st.integers(min_value=-60, max_value=60), any_calendar)
def test_add_months_moves_whole_months_and_never_overflows(day, n, calendar):
    year, month, mday = cal.to_calendar(day, calendar)
    moved = cal.add_months(day, n, calendar)
    y2, m2, d2 = cal.to_calendar(moved, calendar)
    assert (y2 * 12 + m2) - (year * 12 + month) == n
    assert d2 == min(mday, cal.days_in_month(y2, m2, calendar))


@settings(deadline=None)  # a loaded CI machine must not fail a pure function on time
@given(days, st.sampled_from([1, 3, 6, 12]), any_calendar)
def test_period_end_is_a_month_end_on_or_after_the_day(day, months, calendar):
    end = cal.period_end(day, months, calendar)
    assert end >= day
    assert cal.is_period_end(end, months, calendar)
    assert cal.month_end(end, calendar) == end
    assert cal.to_calendar(end, calendar)[1] % months == 0
    assert cal.period_end(end + dt.timedelta(days=1), months, calendar) > end


@settings(deadline=None)  # a loaded CI machine must not fail a pure function on time
@given(days, st.integers(min_value=1300, max_value=1480))
def test_a_birthday_exists_every_year_in_the_birth_month(born, year):
    day = cal.birthday_in(born, year, JALALI)
    assert cal.to_calendar(day, JALALI)[:2] == (year, cal.birth_month(born, JALALI))
