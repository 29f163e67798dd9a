"""The shop's week (``reports.periods``, ``core.shopcontext.week_start``): a Jalali shop's week runs
Saturday (شنبه) to Friday, a Buddhist-era (Thai) shop's Sunday to Saturday, a Gregorian shop's (or
one whose periods do not follow its calendar) Monday to Sunday (ISO).

A Tehran shop's Esfand 1403 and Nowruz 1404, 100 baht = 1 point (the conftest shop moved to Tehran):

    R-W1  Fri 14 Mar 2025 20:00  1403/12/24            1 pt   Jalali week of Sat  8 Mar; ISO of Mon 10 Mar
    R-W2  Sat 15 Mar 2025 10:00  1403/12/25            2 pt   Jalali week of Sat 15 Mar; ISO of Mon 10 Mar
    R-W3  Thu 20 Mar 2025 23:30  1403/12/30 leap day   3 pt   Jalali week of Sat 15 Mar; ISO of Mon 17 Mar
    R-W4  Fri 21 Mar 2025 00:10  1404/01/01 Nowruz     4 pt   Jalali week of Sat 15 Mar; ISO of Mon 17 Mar
    R-W5  Sat 22 Mar 2025 00:05  1404/01/02            5 pt   Jalali week of Sat 22 Mar; ISO of Mon 17 Mar

By hand, points earned per Jalali week: 8 Mar 1; 15 Mar 2 + 3 + 4 = 9 (the week spans 1403 and
1404); 22 Mar 5 (R-W5 is still Friday 21 March in UTC: the week is read in Tehran's days). Per ISO
week: 10 Mar 1 + 2 = 3; 17 Mar 3 + 4 + 5 = 12.

A Bangkok shop (Buddhist era) earns R-T1 on Saturday 7 November 2026 at 23:30 (1 pt) and R-T2 on
Sunday 8 November at 00:30 (2 pt; still Saturday in UTC): its weeks of Sunday 1 November (the
conftest's 600 + 400 points of 2 and 3 November, and R-T1: 1,001) and Sunday 8 November (2);
ISO weeks would put all of them in the week of Monday 2 November.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.test import override_settings
from django.utils import translation

from sasom.organizations.models import Role, Terminal
from sasom.reports import periods
from sasom.reports.framework import REPORTS, Scope
from sasom.reports.tests.conftest import BKK, _sell, at

pytestmark = pytest.mark.django_db
TEHRAN = zoneinfo.ZoneInfo("Asia/Tehran")
JALALI = SimpleNamespace(calendar="jalali", periods_follow_calendar=True, persian_digits=True)
THAI = SimpleNamespace(calendar="buddhist", periods_follow_calendar=True, persian_digits=False)
GREGORIAN = SimpleNamespace(calendar="gregorian", periods_follow_calendar=True, persian_digits=False)


def teh(y: int, m: int, d: int, hh: int, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=TEHRAN)


def test_each_calendar_starts_its_week_on_its_own_day():
    nowruz = dt.date(2025, 3, 21)  # Friday, 1 Farvardin 1404
    assert periods.week_start_on(nowruz, JALALI) == dt.date(2025, 3, 15)  # Saturday 25 Esfand 1403
    assert periods.week_start_on(dt.date(2025, 3, 22), JALALI) == dt.date(2025, 3, 22)  # a Saturday opens its week
    assert periods.week_start_on(nowruz, THAI) == dt.date(2025, 3, 16)  # Sunday
    assert periods.week_start_on(nowruz, GREGORIAN) == dt.date(2025, 3, 17)  # Monday
    not_following = SimpleNamespace(calendar="jalali", periods_follow_calendar=False)
    assert periods.week_start_on(nowruz, not_following) == dt.date(2025, 3, 17)
    # weeks a period touches, and the week after
    assert periods.periods_between(dt.date(2025, 3, 14), dt.date(2025, 3, 22), "week", JALALI) == [
        dt.date(2025, 3, 8), dt.date(2025, 3, 15), dt.date(2025, 3, 22)]
    assert periods.period_after(dt.date(2025, 3, 15), "week", JALALI) == dt.date(2025, 3, 22)
    assert periods.period_start(nowruz, "week", THAI) == dt.date(2025, 3, 16)


def test_a_week_is_labelled_by_its_days_in_the_shops_calendar():
    # the Jalali week across Nowruz: from the 25th of Esfand 1403 to Nowruz 1404
    assert periods.period_label(dt.date(2025, 3, 18), "week", JALALI, language="en") == "1403/12/25–1404/01/01"
    assert periods.period_label(dt.date(2025, 3, 18), "week", JALALI, language="fa") == "۱۴۰۳/۱۲/۲۵–۱۴۰۴/۰۱/۰۱"
    # a Thai reader's Sunday-to-Saturday week in the Buddhist era; ISO dates for others
    assert periods.week_label(dt.date(2026, 11, 3), THAI, language="th") == "01/11/2569–07/11/2569"
    assert periods.week_label(dt.date(2026, 11, 3), THAI, language="en") == "2026-11-01–2026-11-07"


@pytest.fixture
def tehran(shop):
    shop.org.time_zone, shop.org.calendar = "Asia/Tehran", "jalali"
    shop.org.save(update_fields=["time_zone", "calendar"])
    till = Terminal.objects.get(code="B1-T1")
    for receipt, amount, member, when in (
            ("R-W1", "100.00", shop.somchai, teh(2025, 3, 14, 20)), ("R-W2", "200.00", shop.malee, teh(2025, 3, 15, 10)),
            ("R-W3", "300.00", shop.somchai, teh(2025, 3, 20, 23, 30)),
            ("R-W4", "400.00", shop.somchai, teh(2025, 3, 21, 0, 10)),
            ("R-W5", "500.00", shop.malee, teh(2025, 3, 22, 0, 5))):
        _sell(shop.org, till, receipt, amount, member, when)
    return shop


def scope(staff, zone, start: dt.date, end: dt.date, **data) -> Scope:
    staff.organization.refresh_from_db()
    return Scope(organization=staff.organization, staff=staff, zone=zone, start_on=start, end_on=end,
                 branch_ids=None, data=data)


def earned_per_week(a_scope: Scope) -> list[tuple[dt.date, int]]:
    report = REPORTS["points-movement"]
    rows = report.finish(list(report.sorted_rows(a_scope, "")), a_scope)
    return [(r["period"], r["credit"]) for r in rows]


def test_points_per_jalali_week_across_nowruz(tehran, make_staff):
    owner = make_staff(Role.OWNER)
    weeks = scope(owner, TEHRAN, dt.date(2025, 3, 1), dt.date(2025, 3, 31), period="week", kind="earn")
    assert earned_per_week(weeks) == [(dt.date(2025, 3, 8), 1), (dt.date(2025, 3, 15), 9), (dt.date(2025, 3, 22), 5)]
    # the same shop not following its calendar counts ISO weeks
    tehran.org.periods_follow_calendar = False
    tehran.org.save(update_fields=["periods_follow_calendar"])
    weeks = scope(owner, TEHRAN, dt.date(2025, 3, 1), dt.date(2025, 3, 31), period="week", kind="earn")
    assert earned_per_week(weeks) == [(dt.date(2025, 3, 10), 3), (dt.date(2025, 3, 17), 12)]


@pytest.mark.parametrize("summary", [True, False], ids=["summary", "raw-sales"])
def test_frequency_per_jalali_week_on_the_summary_and_the_raw_sales(tehran, make_staff, summary):
    # the summary's local days and the raw sales' moments give the same Saturday weeks
    owner = make_staff(Role.OWNER)
    report = REPORTS["frequency-per-period"]
    with override_settings(REPORTS_SALES_SUMMARY=summary), translation.override("en"):
        a_scope = scope(owner, TEHRAN, dt.date(2025, 3, 1), dt.date(2025, 3, 31), period="week")
        rows = report.finish(list(report.sorted_rows(a_scope, "")), a_scope)
    per_week: dict[dt.date, Decimal] = {}
    for row in rows:
        per_week[row["month"]] = per_week.get(row["month"], Decimal(0)) + row["amount"]
    assert per_week == {dt.date(2025, 3, 8): Decimal("100.00"), dt.date(2025, 3, 15): Decimal("900.00"),
                        dt.date(2025, 3, 22): Decimal("500.00")}


def test_points_per_thai_week_start_on_sunday(shop, make_staff):
    till = Terminal.objects.get(code="B1-T1")
    _sell(shop.org, till, "R-T1", "100.00", shop.somchai, at(2026, 11, 7, 23, 30))  # Saturday night
    _sell(shop.org, till, "R-T2", "200.00", shop.malee, at(2026, 11, 8, 0, 30))  # Sunday, 17:30 Saturday in UTC
    owner = make_staff(Role.OWNER)
    weeks = scope(owner, BKK, dt.date(2026, 11, 1), dt.date(2026, 11, 14), period="week", kind="earn")
    assert earned_per_week(weeks) == [(dt.date(2026, 11, 1), 1001), (dt.date(2026, 11, 8), 2)]
