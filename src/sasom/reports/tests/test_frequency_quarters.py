"""Card usage frequency per quarter and per year (seed 003's "frequency per period").

The shop's autumn (conftest) plus Somchai's bills at B1 on 30 September 23:30 (100 baht) and on
1 October 00:30 Bangkok time (300 baht: still 30 September in UTC, yet the fourth quarter's) and
on 10 November (200 baht). By hand, 1 September – 15 November, net of the 30,000 baht return:

    Q3  Somchai  1 visit   100
    Q4  Somchai  4 visits  300 + 1,500 + 30,000 + 200 = 32,000   Malee  2 visits  2,000 + 40,000 = 42,000
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from sasom.organizations.models import Role, Terminal
from sasom.reports.framework import REPORTS
from sasom.reports.tests.conftest import _sell, at
from sasom.reports.tests.test_points_reports import scope_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def quarters(shop):
    till = Terminal.objects.get(code="B1-T1")
    _sell(shop.org, till, "R-021", "100.00", shop.somchai, at(2026, 9, 30, 23, 30))
    _sell(shop.org, till, "R-022", "300.00", shop.somchai, at(2026, 10, 1, 0, 30))
    _sell(shop.org, till, "R-023", "200.00", shop.somchai, at(2026, 11, 10))
    return shop


def rows_of(scope):
    report = REPORTS["frequency-per-period"]
    return report.finish(list(report.sorted_rows(scope, "")), scope), report.totals(scope)


def test_members_are_banded_by_their_visits_in_each_quarter_of_the_shops_zone(quarters, make_staff):
    scope = scope_of(make_staff(Role.OWNER), start=dt.date(2026, 9, 1), period="quarter")
    rows, totals = rows_of(scope)
    assert [(r["month"], r["band_label"], r["members"], r["visits"], r["amount"]) for r in rows] == [
        (dt.date(2026, 7, 1), "1", 1, 1, Decimal("100.00")),
        (dt.date(2026, 10, 1), "2–3", 1, 2, Decimal("42000.00")),  # Malee
        (dt.date(2026, 10, 1), "4–6", 1, 4, Decimal("32000.00"))]  # Somchai
    assert sum(r["visits"] for r in rows) == totals["visits"] == 7
    assert sum(r["amount"] for r in rows) == totals["amount"] == Decimal("74100.00")
    assert REPORTS["frequency-per-period"].columns_of(scope)[0].key == "period_label"
    with translation.override("en"):
        assert [r["period_label"] for r in REPORTS["frequency-per-period"].finish(rows, scope)] == [
            "Q3 2026", "Q4 2026", "Q4 2026"]


def test_the_overall_card_usage_per_quarter(quarters, make_staff):
    report = REPORTS["card-usage-overall"]
    scope = scope_of(make_staff(Role.OWNER), start=dt.date(2026, 9, 1), period="quarter")
    with translation.override("en"):
        rows = report.finish(list(report.sorted_rows(scope, "")), scope)
    assert [(r["period_label"], r["members"], r["visits"], r["amount"]) for r in rows] == [
        ("Q3 2026", 1, 1, Decimal("100.00")), ("Q4 2026", 2, 6, Decimal("74000.00"))]
    assert report.columns_of(scope)[0].key == "period_label"


def test_a_year_is_one_period_and_reads_in_the_buddhist_era_in_thai(quarters, make_staff):
    scope = scope_of(make_staff(Role.OWNER), start=dt.date(2026, 9, 1), period="year")
    with translation.override("th"):
        rows, _totals = rows_of(scope)
    assert [(r["period_label"], r["band_label"], r["members"], r["visits"]) for r in rows] == [
        ("2569", "2–3", 1, 2), ("2569", "4–6", 1, 5)]
    with translation.override("th"):
        quarter, _t = rows_of(scope_of(scope.staff, start=dt.date(2026, 10, 1), period="quarter"))
    assert {r["period_label"] for r in quarter} == {"ไตรมาส 4/2569"}


def test_the_quarter_page_has_its_chart_and_a_branch_manager_sees_their_branch_only(quarters, staff_client):
    owner = staff_client(Role.OWNER)
    page = owner.get("/reports/frequency-per-period/?date_from=2026-09-01&period=quarter")
    assert page.status_code == 200 and b"<svg" in page.content
    assert [row[0][0] for row in page.context["rows"]] == ["ไตรมาส 3/2569", "ไตรมาส 4/2569", "ไตรมาส 4/2569"]
    manager = staff_client(Role.BRANCH_MANAGER, branches=[quarters.b1])
    mine = manager.get("/reports/frequency-per-period/?date_from=2026-09-01&period=quarter")
    assert [(row[1][0], row[3][0]) for row in mine.context["rows"]] == [("1", "1"), ("4–6", "4")]  # Malee is B2's
    other = manager.get(f"/reports/frequency-per-period/?date_from=2026-09-01&period=year&branch={quarters.b2.pk}")
    assert "branch" in other.context["form"].errors and "rows" not in other.context
    csv = b"".join(owner.get("/reports/frequency-per-period/?date_from=2026-09-01&period=year&format=csv")
                   .streaming_content).decode("utf-8-sig").splitlines()
    assert csv[1].split(",")[:4] == ["2569", "2–3", "1", "2"]
