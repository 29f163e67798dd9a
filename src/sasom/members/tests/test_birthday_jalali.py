"""The member type's birthday discount in a Jalali shop: the day and the month are Jalali when the
shop's periods follow its calendar (30 Esfand on 29 Esfand in a common year; Esfand is the month of
a member born 10 Esfand, whatever the Gregorian month)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from sasom.core.calendars import JALALI, from_calendar
from sasom.members.selectors import is_birthday, member_benefits
from sasom.testing.factories import MemberFactory

pytestmark = pytest.mark.django_db


def j(year: int, month: int, day: int) -> dt.date:
    return from_calendar(year, month, day, JALALI)


@pytest.fixture
def vip(vip_type, org):
    org.calendar, org.time_zone = "jalali", "Asia/Tehran"
    org.save(update_fields=["calendar", "time_zone"])
    vip_type.birthday_discount_percent = Decimal("20")
    vip_type.save()
    return vip_type


def test_the_birthday_discount_day_is_the_jalali_day(org, vip):
    m = MemberFactory(organization=org, member_type=vip, birth_on=j(1370, 12, 30))
    assert member_benefits(m, j(1404, 12, 29)).birthday_discount_percent == 20
    assert member_benefits(m, j(1405, 1, 1)).birthday_discount_percent == 0
    assert member_benefits(m, j(1403, 12, 29)).birthday_discount_percent == 0
    assert member_benefits(m, j(1403, 12, 30)).birthday_discount_percent == 20
    # 20 March 2024 is Nowruz 1403: the Gregorian birthday, not the Jalali one (29 Esfand 1402, the
    # 19th); the organization's calendar is used unless the caller passes one
    assert is_birthday(m, dt.date(2024, 3, 19)) and not is_birthday(m, dt.date(2024, 3, 20))
    assert is_birthday(m, dt.date(2024, 3, 20), calendar="gregorian")


def test_the_birthday_discount_month_is_the_jalali_month(org, vip):
    vip.birthday_scope = "month"
    vip.save()
    m = MemberFactory(organization=org, member_type=vip, birth_on=dt.date(1990, 3, 1))  # 10 Esfand 1368
    assert member_benefits(m, dt.date(2026, 2, 20)).birthday_discount_percent == 20  # 1 Esfand 1404
    assert member_benefits(m, dt.date(2026, 3, 21)).birthday_discount_percent == 0  # Nowruz 1405
    # a shop that keeps Gregorian periods: March is the month
    org.periods_follow_calendar = False
    org.save(update_fields=["periods_follow_calendar"])
    m.organization.refresh_from_db()
    assert member_benefits(m, dt.date(2026, 3, 21)).birthday_discount_percent == 20
