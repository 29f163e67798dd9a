"""Quarters and years in the shop's calendar (``reports.periods``): a Jalali shop's quarters are
Farvardin–Khordad, Tir–Shahrivar, Mehr–Azar and Dey–Esfand and its year the Jalali year; a
Buddhist-era shop keeps Gregorian quarters and writes Buddhist-era years for Thai readers.

The conftest shop moved to Tehran, with four bills of its winter and spring 1403/1404:

    R-J3  Malee    1,000  20 Dec 2024 23:00  30 Azar 1403    (Q3 1403; Q4 2024)
    R-J1  Somchai    700  20 Mar 2025 23:30  30 Esfand 1403  (1403 is a leap year: its 366th day)
    R-J2  Somchai    300  21 Mar 2025 00:10  1 Farvardin 1404 (Nowruz, forty minutes later)
    R-J4  Malee      400  21 Jun 2025 12:00  31 Khordad 1404 (Q1 1404; Q2 2025)

By hand, per Jalali quarter: Q3 1403 Malee 1 visit 1,000; Q4 1403 Somchai 1 visit 700; Q1 1404
Somchai 1 visit 300 and Malee 1 visit 400 (two members in the band "1"). Per Jalali year: 1403
Malee 1,000 and Somchai 700; 1404 Somchai 300 and Malee 400 (each year: two members, one visit each). Per Gregorian quarter: Q4 2024 Malee 1,000; Q1 2025 Somchai 2 visits
1,000; Q2 2025 Malee 400. The same on the daily summary and the raw sales, on both databases."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.test import override_settings
from django.utils import translation

from sasom.core.calendars import JALALI, from_calendar
from sasom.organizations.models import Role, Terminal
from sasom.reports import periods
from sasom.reports.framework import REPORTS, Scope
from sasom.reports.tests.conftest import _sell

pytestmark = pytest.mark.django_db
TEHRAN = zoneinfo.ZoneInfo("Asia/Tehran")


def j(year: int, month: int, day: int) -> dt.date:
    return from_calendar(year, month, day, JALALI)


def teh(y: int, m: int, d: int, hh: int, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=TEHRAN)


def shop_of(calendar: str, follow: bool = True) -> SimpleNamespace:
    return SimpleNamespace(calendar=calendar, periods_follow_calendar=follow, persian_digits=True)


def test_quarters_and_years_start_where_the_shops_calendar_says():
    jalali, thai = shop_of("jalali"), shop_of("buddhist")
    leap_day = j(1403, 12, 30)  # 20 March 2025
    assert leap_day == dt.date(2025, 3, 20)
    # Esfand 30 closes Dey–Esfand 1403 and the year 1403; Nowruz opens both the next day
    assert periods.period_start(leap_day, "quarter", jalali) == j(1403, 10, 1) == dt.date(2024, 12, 21)
    assert periods.period_after(j(1403, 10, 1), "quarter", jalali) == j(1404, 1, 1) == dt.date(2025, 3, 21)
    assert periods.period_start(leap_day, "year", jalali) == j(1403, 1, 1) == dt.date(2024, 3, 20)
    assert periods.period_after(j(1403, 1, 1), "year", jalali) == dt.date(2025, 3, 21)
    # 1404 is a common year: its year ends on 29 Esfand and 1405 starts on 21 March 2026
    assert periods.period_after(j(1404, 1, 1), "year", jalali) == j(1405, 1, 1) == dt.date(2026, 3, 21)
    assert periods.periods_between(dt.date(2024, 12, 1), dt.date(2025, 6, 30), "quarter", jalali) == [
        j(1403, 7, 1), j(1403, 10, 1), j(1404, 1, 1), j(1404, 4, 1)]
    # a Buddhist-era shop and a Jalali shop not following its calendar: Gregorian quarters
    for gregorian in (thai, shop_of("jalali", follow=False)):
        assert periods.period_start(leap_day, "quarter", gregorian) == dt.date(2025, 1, 1)
        assert periods.periods_between(dt.date(2024, 12, 1), dt.date(2025, 6, 30), "year", gregorian) == [
            dt.date(2024, 1, 1), dt.date(2025, 1, 1)]
    # the labels: the Jalali year in every language, B.E. years for Thai readers only
    assert periods.period_label(j(1403, 10, 1), "quarter", jalali, language="en") == "Q4 1403"
    assert periods.period_label(j(1404, 1, 1), "year", jalali, language="en") == "1404"
    assert periods.period_label(j(1404, 1, 1), "year", jalali, language="fa") == "۱۴۰۴"
    with translation.override("th"):
        assert periods.period_label(dt.date(2025, 1, 1), "quarter", thai, language="th") == "ไตรมาส 1/2568"
    assert periods.period_label(dt.date(2025, 1, 1), "quarter", thai, language="en") == "Q1 2025"
    with pytest.raises(ValueError):
        periods.period_start(leap_day, "fortnight", jalali)


@pytest.fixture
def tehran(shop):
    shop.org.time_zone, shop.org.calendar = "Asia/Tehran", "jalali"
    shop.org.save(update_fields=["time_zone", "calendar"])
    till, other = Terminal.objects.get(code="B1-T1"), Terminal.objects.get(code="B2-T1")
    _sell(shop.org, other, "R-J3", "1000.00", shop.malee, teh(2024, 12, 20, 23))
    _sell(shop.org, till, "R-J1", "700.00", shop.somchai, teh(2025, 3, 20, 23, 30))
    _sell(shop.org, till, "R-J2", "300.00", shop.somchai, teh(2025, 3, 21, 0, 10))
    _sell(shop.org, other, "R-J4", "400.00", shop.malee, teh(2025, 6, 21, 12))
    return shop


def scope_for(staff, **data) -> Scope:
    staff.organization.refresh_from_db()
    return Scope(organization=staff.organization, staff=staff, zone=TEHRAN, start_on=dt.date(2024, 12, 1),
                 end_on=dt.date(2025, 6, 30), branch_ids=None, data=data)


def frequency(scope: Scope) -> list[tuple]:
    report = REPORTS["frequency-per-period"]
    with translation.override("en"):
        rows = report.finish(list(report.sorted_rows(scope, "")), scope)
    return [(r["month"], r["period_label"], r["members"], r["visits"], r["amount"]) for r in rows]


@pytest.mark.parametrize("summary", [True, False], ids=["summary", "raw-sales"])
def test_the_frequency_per_jalali_quarter_and_year(tehran, make_staff, summary):
    owner = make_staff(Role.OWNER)
    with override_settings(REPORTS_SALES_SUMMARY=summary):
        # when the shop asks for quarters: the leap day is Dey–Esfand's, Nowruz Farvardin's
        assert frequency(scope_for(owner, period="quarter")) == [
            (j(1403, 7, 1), "Q3 1403", 1, 1, Decimal("1000.00")),
            (j(1403, 10, 1), "Q4 1403", 1, 1, Decimal("700.00")),
            (j(1404, 1, 1), "Q1 1404", 2, 2, Decimal("700.00"))]  # both came once: one band
        # and years: 1403 ends with Esfand 30
        assert frequency(scope_for(owner, period="year")) == [
            (j(1403, 1, 1), "1403", 2, 2, Decimal("1700.00")),
            (j(1404, 1, 1), "1404", 2, 2, Decimal("700.00"))]
        # the overall card usage per quarter counts the same periods
        report = REPORTS["card-usage-overall"]
        scope = scope_for(owner, period="quarter")
        with translation.override("en"):
            rows = report.finish(list(report.sorted_rows(scope, "")), scope)
        assert [(r["period_label"], r["members"], r["visits"], r["amount"]) for r in rows] == [
            ("Q3 1403", 1, 1, Decimal("1000.00")), ("Q4 1403", 1, 1, Decimal("700.00")),
            ("Q1 1404", 2, 2, Decimal("700.00"))]
        assert report.totals(scope)["amount"] == Decimal("2400.00")


@pytest.mark.parametrize("summary", [True, False], ids=["summary", "raw-sales"])
def test_a_shop_not_following_its_calendar_counts_gregorian_quarters(tehran, make_staff, summary):
    tehran.org.periods_follow_calendar = False
    tehran.org.save(update_fields=["periods_follow_calendar"])
    owner = make_staff(Role.OWNER)
    with override_settings(REPORTS_SALES_SUMMARY=summary):
        assert frequency(scope_for(owner, period="quarter")) == [
            (dt.date(2024, 10, 1), "Q4 2024", 1, 1, Decimal("1000.00")),
            (dt.date(2025, 1, 1), "Q1 2025", 1, 2, Decimal("1000.00")),
            (dt.date(2025, 4, 1), "Q2 2025", 1, 1, Decimal("400.00"))]


def test_points_movement_counts_jalali_months(tehran, make_staff):
    # the points earned on the leap day (7) are Esfand's; Nowruz's (3) Farvardin's
    owner = make_staff(Role.OWNER)
    scope = scope_for(owner, period="month", kind="earn")
    scope.start_on, scope.end_on = dt.date(2025, 3, 1), dt.date(2025, 4, 15)
    report = REPORTS["points-movement"]
    rows = report.finish(list(report.sorted_rows(scope, "")), scope)
    assert [(r["period"], r["credit"]) for r in rows] == [(j(1403, 12, 1), 7), (j(1404, 1, 1), 3)]
