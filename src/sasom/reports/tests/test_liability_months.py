"""The points liability by expiry month in the shop's calendar (``points.expiry_month``).

The conftest shop moved to Tehran on the Jalali calendar, its open lots set to expire around
Nowruz 1404:

    the first open lot      30 Esfand 1403 (20 March 2025, the leap day)  -> Esfand 1403
    the second              1 Farvardin 1404 (21 March 2025, Nowruz)      -> Farvardin 1404
    every other             1 Esfand 1403 (19 February 2025)              -> Esfand 1403

By Gregorian months the leap day and 1 Esfand would sit in March and February; by the shop's
months the accountant reads two rows per member type at most: Esfand 1403 (``2025-02-19``,
written 1403/12) and Farvardin 1404 (``2025-03-21``, 1404/01). The totals still equal the
ledger's outstanding points.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.db.models import F, Sum
from django.utils import translation

from sasom.core.calendars import JALALI, from_calendar
from sasom.ledger.models import Lot, PointAccount
from sasom.organizations.models import Role
from sasom.reports.formatting import month_text
from sasom.reports.framework import REPORTS
from sasom.reports.points import expiry_month, expiry_month_ranges
from sasom.reports.tests.test_points_reports import scope_of

pytestmark = pytest.mark.django_db
LEAP_DAY, NOWRUZ, FIRST_ESFAND = dt.date(2025, 3, 20), dt.date(2025, 3, 21), dt.date(2025, 2, 19)
JALALI_SHOP = SimpleNamespace(calendar="jalali", periods_follow_calendar=True)
THAI_SHOP = SimpleNamespace(calendar="buddhist", periods_follow_calendar=True)


def j(year: int, month: int, day: int) -> dt.date:
    return from_calendar(year, month, day, JALALI)


def test_an_expiry_date_falls_in_the_shops_month():
    assert LEAP_DAY == j(1403, 12, 30) and NOWRUZ == j(1404, 1, 1) and FIRST_ESFAND == j(1403, 12, 1)
    assert expiry_month(LEAP_DAY, JALALI_SHOP) == FIRST_ESFAND
    assert expiry_month(NOWRUZ, JALALI_SHOP) == NOWRUZ
    assert expiry_month(LEAP_DAY, THAI_SHOP) == dt.date(2025, 3, 1)  # a Buddhist-era month is Gregorian
    assert expiry_month(None, JALALI_SHOP) is None
    # the ranges a SQL path groups by: contiguous months, each [first day, next month's first day)
    ranges = expiry_month_ranges(dt.date(2025, 2, 25), NOWRUZ, JALALI_SHOP)
    assert ranges == [(FIRST_ESFAND, FIRST_ESFAND, NOWRUZ), (NOWRUZ, NOWRUZ, j(1404, 2, 1))]
    assert (NOWRUZ - FIRST_ESFAND).days == 30  # 1403 is a leap year: Esfand has 30 days


def test_the_liability_groups_lots_by_jalali_month_and_still_reconciles(shop, make_staff):
    # given the shop on the Jalali calendar, its open lots expiring around Nowruz
    shop.org.time_zone, shop.org.calendar = "Asia/Tehran", "jalali"
    shop.org.save(update_fields=["time_zone", "calendar"])
    lots = list(Lot.objects.filter(organization=shop.org, remaining__gt=0).order_by("pk"))
    assert len(lots) >= 3
    Lot.objects.filter(organization=shop.org, remaining__gt=0).update(expires_on=FIRST_ESFAND)
    Lot.objects.filter(pk=lots[0].pk).update(expires_on=LEAP_DAY)
    Lot.objects.filter(pk=lots[1].pk).update(expires_on=NOWRUZ)
    # when the accountant opens the liability
    owner = make_staff(Role.OWNER)
    report = REPORTS["points-liability"]
    scope = scope_of(owner)
    rows = report.finish(list(report.sorted_rows(scope, "")), scope)
    totals = report.totals(scope)
    # then Farvardin holds exactly the Nowruz lot's points, Esfand every other
    by_month: dict[dt.date, int] = {}
    for row in rows:
        by_month[row["expires"]] = by_month.get(row["expires"], 0) + row["points"]
    open_points = sum(lot.remaining for lot in lots)
    assert by_month == {FIRST_ESFAND: open_points - lots[1].remaining, NOWRUZ: lots[1].remaining}
    # and the totals still equal the ledger's outstanding points
    balances = PointAccount.objects.filter(organization=shop.org).aggregate(s=Sum(F("spendable") + F("pending")))["s"]
    assert totals["points"] == open_points == balances
    # the months are written in the shop's calendar
    with translation.override("en"):
        assert [month_text(m, shop.org) for m in sorted(by_month)] == ["1403/12", "1404/01"]


def test_a_jalali_shop_not_following_its_calendar_keeps_gregorian_months(shop, make_staff):
    shop.org.calendar, shop.org.periods_follow_calendar = "jalali", False
    shop.org.save(update_fields=["calendar", "periods_follow_calendar"])
    lots = list(Lot.objects.filter(organization=shop.org, remaining__gt=0).order_by("pk"))
    Lot.objects.filter(organization=shop.org, remaining__gt=0).update(expires_on=FIRST_ESFAND)
    Lot.objects.filter(pk=lots[0].pk).update(expires_on=LEAP_DAY)
    owner = make_staff(Role.OWNER)
    report = REPORTS["points-liability"]
    scope = scope_of(owner)
    months = {row["expires"] for row in report.finish(list(report.sorted_rows(scope, "")), scope)}
    assert months == {dt.date(2025, 2, 1), dt.date(2025, 3, 1)}
