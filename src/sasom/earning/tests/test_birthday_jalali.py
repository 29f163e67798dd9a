"""The birthday rule in a Jalali shop (periods follow the calendar): the birth month is the Jalali
month, the birthday the Jalali day (30 Esfand on 29 Esfand in a common year, never on Nowruz); the
period calendar comes from the organization when the rule set is compiled."""

from __future__ import annotations

import datetime as dt

import pytest

from sasom.core.calendars import JALALI, from_calendar
from sasom.earning.bill import EarnPolicy
from sasom.earning.rules import BirthdayRule
from sasom.earning.selectors import ruleset_compile

from .helpers import at, base, basket, gen, line, plus, points_by_code, run, x

JALALI_POLICY = EarnPolicy(period_calendar=JALALI)
DAY = BirthdayRule(id=7, code="BDAY", name="Birthday x2", period="day", boost=x("2"))
MONTH = BirthdayRule(id=8, code="BMONTH", name="Birth month +20", period="month", boost=plus(20))


def j(year: int, month: int, day: int) -> dt.date:
    return from_calendar(year, month, day, JALALI)


def awarded(day: dt.date, born: dt.date, policy: EarnPolicy = JALALI_POLICY) -> set[str]:
    result = run(basket(line(1, "1000"), when=at(day.year, day.month, day.day)), gen(birth_on=born),
                 base("100"), DAY, MONTH, policy=policy)
    return set(points_by_code(result)) - {"BASE-GEN"}


def test_born_on_esfand_30_in_a_jalali_shop():
    born = j(1370, 12, 30)  # 21 March 1992 in Gregorian
    # the whole of Esfand is the birth month: 1 Esfand 1404 is 20 February 2026
    assert awarded(j(1404, 12, 1), born) == {"BMONTH"}
    # in the common year 1404 the birthday is 29 Esfand; Nowruz is neither birthday nor birth month
    assert awarded(j(1404, 12, 29), born) == {"BDAY", "BMONTH"}
    assert awarded(j(1405, 1, 1), born) == set()
    # in the leap year 1403, 30 Esfand itself (and 29 Esfand is only the month)
    assert awarded(j(1403, 12, 29), born) == {"BMONTH"}
    assert awarded(j(1403, 12, 30), born) == {"BDAY", "BMONTH"}


def test_a_gregorian_birth_month_is_not_a_jalali_one():
    born = dt.date(1990, 3, 1)  # 10 Esfand 1368
    # 25 March is in Farvardin: not the birth month of a Jalali shop, though it is March
    assert awarded(dt.date(2026, 3, 25), born) == set()
    assert awarded(dt.date(2026, 3, 25), born, EarnPolicy()) == {"BMONTH"}
    # 1 March 2026 is 10 Esfand 1404: the birthday in both calendars
    assert awarded(dt.date(2026, 3, 1), born) == {"BDAY", "BMONTH"}


@pytest.mark.django_db
@pytest.mark.parametrize(("calendar", "follow", "expected"), [
    ("jalali", True, JALALI), ("jalali", False, "gregorian"), ("buddhist", True, "buddhist"),
])
def test_the_rule_set_carries_the_organizations_period_calendar(org, calendar, follow, expected):
    org.calendar, org.periods_follow_calendar = calendar, follow
    org.save(update_fields=["calendar", "periods_follow_calendar"])
    assert ruleset_compile(org.pk).policy.period_calendar == expected
