"""Worked examples: a Tehran shop on the Jalali calendar, its "end of month/quarter/year" expiry
(docs/user-guide.md, "Dates and calendars"). Run on SQLite and PostgreSQL alike."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from sasom.core.calendars import GREGORIAN, JALALI, from_calendar
from sasom.ledger.models import ExpiryPolicy, Lot, PointAccount
from sasom.ledger.policy import expiry_on
from sasom.ledger.services import account_for, points_expire_due

TEHRAN = zoneinfo.ZoneInfo("Asia/Tehran")


def j(year: int, month: int, day: int) -> dt.date:
    return from_calendar(year, month, day, JALALI)


def tehran(day: dt.date, hh: int = 10, mm: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hh, mm), tzinfo=TEHRAN)


@pytest.fixture
def jalali_shop(org):
    org.calendar, org.time_zone = "jalali", "Asia/Tehran"
    org.save(update_fields=["calendar", "time_zone"])
    return org


def lot_of(receipt) -> Lot:
    return Lot.objects.get(entry__sale__receipt_id=receipt)


def test_points_earned_15_bahman_expire_30_bahman(sell, member, policy, jalali_shop):
    # given "end of month + 0" and 10 points earned on 15 Bahman 1405
    policy(expiry_policy=ExpiryPolicy.END_OF_MONTH, expiry_n=0)
    sell(member, "1000.00", receipt="B15", when=tehran(j(1405, 11, 15)))
    # then they expire at the end of the Jalali month, not of February
    assert lot_of("B15").expires_on == j(1405, 11, 30) == dt.date(2027, 2, 19)
    # and live through the whole of 30 Bahman in Tehran, gone from 00:00 on 1 Esfand
    assert points_expire_due(organization_id=jalali_shop.pk, now=tehran(j(1405, 11, 30), 23, 59)) == 0
    assert points_expire_due(organization_id=jalali_shop.pk, now=tehran(j(1405, 12, 1), 0, 0)) == 10
    assert PointAccount.objects.get(pk=account_for(member).pk).spendable == 0


def test_esfand_ends_on_the_30th_in_a_leap_year_and_the_29th_otherwise(sell, member, policy, jalali_shop):
    policy(expiry_policy=ExpiryPolicy.END_OF_MONTH, expiry_n=0)
    sell(member, "1000.00", receipt="E1403", when=tehran(j(1403, 12, 10)))
    sell(member, "1000.00", receipt="E1404", when=tehran(j(1404, 12, 10)))
    assert lot_of("E1403").expires_on == j(1403, 12, 30) == dt.date(2025, 3, 20)
    assert lot_of("E1404").expires_on == j(1404, 12, 29) == dt.date(2026, 3, 20)


@pytest.mark.parametrize(("month", "quarter_end"), [(1, (1405, 3, 31)), (5, (1405, 6, 31)),
                                                    (7, (1405, 9, 30)), (12, (1405, 12, 29))])
def test_jalali_quarters_end_with_khordad_shahrivar_azar_esfand(sell, member, policy, jalali_shop,
                                                               month, quarter_end):
    policy(expiry_policy=ExpiryPolicy.END_OF_QUARTER, expiry_n=0)
    sell(member, "1000.00", receipt="Q", when=tehran(j(1405, month, 5)))
    assert lot_of("Q").expires_on == j(*quarter_end)


def test_tehran_midnight_decides_the_month(sell, member, policy, jalali_shop):
    # given "end of month + 0": a sale at 23:50 on 30 Bahman and one at 00:10 on 1 Esfand (Tehran),
    # both still 19 February 2027 in UTC
    policy(expiry_policy=ExpiryPolicy.END_OF_MONTH, expiry_n=0)
    late, early = tehran(j(1405, 11, 30), 23, 50), tehran(j(1405, 12, 1), 0, 10)
    assert late.astimezone(dt.UTC).date() == early.astimezone(dt.UTC).date()
    sell(member, "1000.00", receipt="LATE", when=late)
    sell(member, "1000.00", receipt="EARLY", when=early)
    # then the first is Bahman's, the second Esfand's
    assert lot_of("LATE").expires_on == j(1405, 11, 30)
    assert lot_of("EARLY").expires_on == j(1405, 12, 29)


def test_nowruz_starts_a_new_points_year(sell, member, policy, jalali_shop):
    # given "end of year + 0": points earned on the last day of 1404 and on Nowruz 1405
    policy(expiry_policy=ExpiryPolicy.END_OF_YEAR, expiry_n=0)
    sell(member, "1000.00", receipt="OLD", when=tehran(j(1404, 12, 29), 21))
    sell(member, "1000.00", receipt="NEW", when=tehran(j(1405, 1, 1), 9))
    assert lot_of("OLD").expires_on == j(1404, 12, 29)
    assert lot_of("NEW").expires_on == j(1405, 12, 29)
    # when the expiry job runs at Nowruz midnight, only last year's points go
    assert points_expire_due(organization_id=jalali_shop.pk, now=tehran(j(1405, 1, 1), 0, 0)) == 10
    assert PointAccount.objects.get(pk=account_for(member).pk).spendable == 10


def test_a_jalali_shop_may_keep_gregorian_periods(sell, member, policy, jalali_shop):
    jalali_shop.periods_follow_calendar = False
    jalali_shop.save(update_fields=["periods_follow_calendar"])
    policy(expiry_policy=ExpiryPolicy.END_OF_MONTH, expiry_n=0)
    sell(member, "1000.00", receipt="G", when=tehran(j(1405, 11, 15)))
    assert lot_of("G").expires_on == dt.date(2027, 2, 28)


@pytest.mark.parametrize("policy_name", [ExpiryPolicy.END_OF_MONTH, ExpiryPolicy.END_OF_QUARTER,
                                         ExpiryPolicy.END_OF_YEAR, ExpiryPolicy.DAYS])
def test_buddhist_periods_are_gregorian_periods(policy_name):
    for earned in (dt.date(2026, 1, 31), dt.date(2028, 2, 29), dt.date(2026, 12, 31)):
        for n in (0, 1, 11, 12):
            assert expiry_on(policy_name, n, earned, "buddhist") == expiry_on(policy_name, n, earned, GREGORIAN)
