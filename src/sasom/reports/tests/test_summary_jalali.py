"""The summary's reports count a Jalali shop's months: the month columns, the monthly frequency,
sales by month and card usage per month are Jalali months (Mehr, Aban) from the daily summary and
from the raw sales alike, and their default period is the last six Jalali months.

The shop of ``test_periods_jalali``: Somchai's 1,000 baht on 30 Mehr (22 October, 23:30 Bangkok
time) and 700 baht on 1 Aban (23 October, 00:10)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from sasom.organizations.models import Role
from sasom.reports import periods
from sasom.reports.framework import REPORTS
from sasom.reports.tests.test_periods_jalali import j, jalali  # noqa: F401  (a fixture)
from sasom.reports.tests.test_points_reports import scope_of
from sasom.reports.tests.test_summary import assert_same

pytestmark = pytest.mark.django_db
OCTOBER_1 = dt.date(2026, 10, 1)


@pytest.mark.parametrize(("slug", "data"), [
    ("sales-month-columns", {}), ("monthly-frequency", {}), ("sales-by-month", {}),
    ("card-usage-overall", {"period": "month"}), ("frequency-per-period", {"period": "month"}),
])
def test_a_jalali_shops_months_from_the_summary_equal_the_raw_sales(jalali, make_staff, slug, data):  # noqa: F811
    owner = make_staff(Role.OWNER)
    owner.organization.refresh_from_db()
    rows, _totals, _chart = assert_same(owner, slug, start=OCTOBER_1, **data)
    assert rows


def test_the_month_columns_split_at_the_jalali_months_midnight(jalali, make_staff):  # noqa: F811
    owner = make_staff(Role.OWNER)
    owner.organization.refresh_from_db()
    scope = scope_of(owner, start=OCTOBER_1, end=dt.date(2026, 10, 31), member_type=None)
    assert periods.months_of(scope) == [j(1405, 7, 1), j(1405, 8, 1)]
    report = REPORTS["card-usage-overall"]
    scope = scope_of(owner, start=dt.date(2026, 10, 22), end=dt.date(2026, 10, 23), period="month")
    rows = {r["period"]: r for r in report.finish(list(report.sorted_rows(scope, "")), scope)}
    assert set(rows) == {j(1405, 7, 1), j(1405, 8, 1)}  # 30 Mehr and 1 Aban: two months, not one October
    assert rows[j(1405, 7, 1)]["amount"] == Decimal("1000.00")
    assert rows[j(1405, 8, 1)]["amount"] == Decimal("700.00")


def test_the_default_period_is_the_last_six_jalali_months(jalali):  # noqa: F811
    today = dt.date(2026, 11, 15)  # 24 Aban 1405
    for slug in ("sales-month-columns", "monthly-frequency", "sales-by-month"):
        assert REPORTS[slug].default_period(today, jalali.org) == (j(1405, 3, 1), today)
    assert REPORTS["redemption-detail"].default_period(today, jalali.org) == (j(1405, 8, 1), today)  # this month: Aban
