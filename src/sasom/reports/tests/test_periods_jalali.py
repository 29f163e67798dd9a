"""Months in the organization's calendar (``reports.periods``): a Jalali shop whose periods follow
its calendar counts Jalali months (Mehr 1405 = 23 September – 22 October 2026, Aban = 23 October –
21 November), in its time zone; every other shop Gregorian months. The builder's month dimension
and relative periods, and the birth-month report's columns, follow them.

The shop of conftest (today 15 November 2026 = 24 Aban 1405) and two more bills of Somchai: 1,000
baht late on 22 October (30 Mehr, 23:30 Bangkok time) and 700 baht just after midnight on 23
October (1 Aban)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db.models import Count, Sum

from sasom.core.calendars import JALALI, from_calendar
from sasom.organizations.models import Role, Terminal
from sasom.reports import exports, periods
from sasom.reports.builder import definition_clean
from sasom.reports.builder_query import result_compute
from sasom.reports.builder_report import BuilderReport, builder_scope
from sasom.reports.formatting import month_text
from sasom.reports.framework import REPORTS
from sasom.reports.salesdata import member_sales
from sasom.reports.tests.conftest import _sell, at
from sasom.reports.tests.test_points_reports import scope_of

pytestmark = pytest.mark.django_db


def j(year: int, month: int, day: int) -> dt.date:
    return from_calendar(year, month, day, JALALI)


def shop_of(calendar: str, follow: bool = True) -> SimpleNamespace:
    return SimpleNamespace(calendar=calendar, periods_follow_calendar=follow, persian_digits=False)


def test_the_months_a_period_touches_follow_the_shops_calendar():
    october_november = (dt.date(2026, 10, 1), dt.date(2026, 11, 30))
    assert periods.months_between(*october_november, shop_of("jalali")) == [j(1405, 7, 1), j(1405, 8, 1), j(1405, 9, 1)]
    assert [str(d) for d in periods.months_between(*october_november, shop_of("jalali"))] == [
        "2026-09-23", "2026-10-23", "2026-11-22"]
    gregorian = [dt.date(2026, 10, 1), dt.date(2026, 11, 1)]
    assert periods.months_between(*october_november, shop_of("jalali", follow=False)) == gregorian
    assert periods.months_between(*october_november, shop_of("buddhist")) == gregorian
    # the last six months up to today (24 Aban): from 1 Khordad
    assert periods.last_months(dt.date(2026, 11, 15), 6, shop_of("jalali")) == (j(1405, 3, 1), dt.date(2026, 11, 15))
    assert periods.last_months(dt.date(2026, 11, 15), 6, shop_of("gregorian")) == (dt.date(2026, 6, 1),
                                                                                  dt.date(2026, 11, 15))
    # a Jalali month's first day names a Jalali month; the 1st of a Gregorian month does not
    assert periods.is_calendar_month(j(1405, 8, 1), shop_of("jalali"))
    assert not periods.is_calendar_month(dt.date(2026, 11, 1), shop_of("jalali"))
    assert not periods.is_calendar_month(j(1405, 8, 1), shop_of("jalali", follow=False))
    assert month_text(j(1405, 8, 1), shop_of("jalali")) == "1405/08"
    assert month_text(dt.date(2026, 11, 1), shop_of("jalali")) == "2026-11"


@pytest.fixture
def jalali(shop):
    terminal = Terminal.objects.get(code="B1-T1")
    _sell(shop.org, terminal, "R-101", "1000.00", shop.somchai, at(2026, 10, 22, 23, 30))  # 30 Mehr
    _sell(shop.org, terminal, "R-102", "700.00", shop.somchai, at(2026, 10, 23, 0, 10))  # 1 Aban
    shop.org.calendar = "jalali"
    shop.org.save(update_fields=["calendar"])
    return shop


def test_month_bounds_and_buckets_count_each_bill_in_its_jalali_month(jalali, make_staff):
    owner = make_staff(Role.OWNER)
    owner.organization.refresh_from_db()
    scope = scope_of(owner, start=dt.date(2026, 10, 1), end=dt.date(2026, 11, 15))
    months = periods.months_of(scope)
    assert months == [j(1405, 7, 1), j(1405, 8, 1)]
    # one aggregate per month column (the bounds cut at the period: Mehr from 1 October)
    per_column = member_sales(scope).aggregate(**{f"m{i}": Sum("net", filter=periods.month_bounds(m, scope))
                                                  for i, m in enumerate(months)})
    # Mehr: 1,500 (5 Oct) + 2,000 (20 Oct) + 1,000 (22 Oct 23:30); Aban: 700 + 60,000 + 40,000 (gross nets)
    assert per_column == {"m0": Decimal("4500.00"), "m1": Decimal("100700.00")}
    # and one grouped query agrees with them
    grouped = {r["month"]: (r["bills"], r["amount"]) for r in member_sales(scope)
               .annotate(month=periods.month_bucket("occurred_at", scope)).values("month")
               .annotate(bills=Count("id"), amount=Sum("net")).order_by("month")}
    assert grouped == {j(1405, 7, 1): (3, Decimal("4500.00")), j(1405, 8, 1): (3, Decimal("100700.00"))}


def _builder(owner, **data):
    org = owner.organization
    definition = definition_clean({"dimensions": ["month"], "measures": ["bills", "amount"], **data},
                                  organization_id=org.pk, branch_ids=None, member_type_ids=set(), tier_ids=set())
    return definition, builder_scope(definition, staff=owner)


def test_the_builders_month_dimension_and_relative_periods_are_jalali(jalali, make_staff):
    owner = make_staff(Role.OWNER)
    owner.organization.refresh_from_db()
    definition, scope = _builder(owner, period="custom", date_from="2026-10-01", date_to="2026-11-15")
    result = result_compute(definition, scope)
    # net of the return (60,000 half returned: 30,000)
    assert [(r["d0"], r["bills"], r["amount"]) for r in result.rows] == [
        (j(1405, 7, 1), 3, Decimal("4500.00")), (j(1405, 8, 1), 3, Decimal("70700.00"))]
    assert result.totals["amount"] == Decimal("75200.00")
    report = BuilderReport(definition)
    scope.cache["result"] = result
    csv_text = exports.as_bytes(exports.csv_chunks(report, scope, "")).decode("utf-8-sig")
    assert "2026-09-23,3,4500.00" in csv_text  # files keep the month's first day, ISO
    assert [month_text(r["d0"], scope.organization) for r in result.rows] == ["1405/07", "1405/08"]

    # "last month" on 24 Aban is Mehr: 23 September – 22 October
    definition, scope = _builder(owner, period="last_month")
    assert (scope.start_on, scope.end_on) == (j(1405, 7, 1), j(1405, 7, 30))
    assert [(r["d0"], r["amount"]) for r in result_compute(definition, scope).rows] == [
        (j(1405, 7, 1), Decimal("4500.00"))]

    # a shop whose periods do not follow the calendar counts Gregorian months
    owner.organization.periods_follow_calendar = False
    definition, scope = _builder(owner, period="custom", date_from="2026-10-01", date_to="2026-11-15")
    assert [(r["d0"], r["amount"]) for r in result_compute(definition, scope).rows] == [
        (dt.date(2026, 10, 1), Decimal("5200.00")), (dt.date(2026, 11, 1), Decimal("70000.00"))]


def test_the_birth_month_reports_columns_are_jalali_months(jalali, make_staff):
    owner = make_staff(Role.OWNER)
    owner.organization.refresh_from_db()
    report = REPORTS["birth-month-sales"]
    scope = scope_of(owner, birth_month=8)  # Aban: Somchai; the six months Ordibehesht – Mehr
    labels = [str(c.label) for c in report.columns_of(scope) if c.key[0] == "m" and c.key[1:].isdigit()]
    assert labels == ["1405/02", "1405/03", "1405/04", "1405/05", "1405/06", "1405/07"]
    [row] = report.finish(list(report.sorted_rows(scope, "")), scope)
    # Mehr: 5 October's 1,500 and 22 October's 1,000; 23 October (Aban) is outside the window
    assert (row["m5"], row["amount"]) == (Decimal("2500.00"), Decimal("2500.00"))
    assert report.totals(scope)["m5"] == Decimal("2500.00")
