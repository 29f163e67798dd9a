"""The sales analyses as they run at a million members (docs/performance.md B7r): top spenders
grouped by the member alone, sorted with ties by member id, counted by its totals, its page's
members read in one query; sales by month and the month columns computed once per screen. Same
figures from the summary and from the raw sales; a branch manager still sees their branches only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import override_settings

from sasom.organizations.models import Role, Terminal
from sasom.reports.framework import REPORTS
from sasom.reports.tests.conftest import _sell, at
from sasom.reports.tests.test_points_reports import scope_of
from sasom.testing.factories import MemberFactory

pytestmark = pytest.mark.django_db
AUTUMN = {"start": dt.date(2026, 10, 1), "end": dt.date(2026, 11, 15)}


def _page(staff: Any, slug: str, sort: str = "", **filters: Any) -> tuple[int, list[dict[str, Any]], dict[str, Any]]:
    report = REPORTS[slug]
    scope = scope_of(staff, **{**AUTUMN, **filters})
    rows = report.sorted_rows(scope, sort)
    count = rows.count()
    return count, report.finish(list(rows[:50]), scope), report.totals(scope)


@pytest.mark.parametrize("summary", [True, False])
def test_top_spenders_are_ordered_by_amount_then_member_and_counted_by_the_totals(shop, make_staff, summary):
    # given a third member who spent as much as Malee (42,000 baht), and a walk-in bill
    owner = make_staff(Role.OWNER)
    t1 = Terminal.objects.get(code="B1-T1")
    niran = MemberFactory(organization=shop.org, member_type=shop.gen, code="M0000003", first_name="นิรันดร์",
                          last_name="ดีใจ", address_line="9 ถนนนิมมาน", province="เชียงใหม่", postcode="50200")
    _sell(shop.org, t1, "R-101", "42000.00", niran, at(2026, 11, 8))
    with override_settings(REPORTS_SALES_SUMMARY=summary):
        # when the report's first page is read by the amount, the biggest first
        count, rows, totals = _page(owner, "top-spenders")
        # then: Niran 42,000 and Malee 42,000 (the lower member id first), Somchai 31,500 (60,000 less
        # the 30,000 returned, plus 1,500); the walk-in bill is no one's
        assert [(r["code"], r["amount"]) for r in rows] == [
            *sorted([("M0000002", Decimal("42000.00")), ("M0000003", Decimal("42000.00"))],
                    key=lambda pair: {"M0000002": shop.malee.pk, "M0000003": niran.pk}[pair[0]]),
            ("M0000001", Decimal("31500.00"))]
        assert count == totals["members"] == 3
        assert totals["amount"] == sum(r["amount"] for r in rows) == Decimal("115500.00")
        assert totals["visits"] == sum(r["visits"] for r in rows) == 5
        niran_row = next(r for r in rows if r["code"] == "M0000003")
        assert niran_row["name"] == "นิรันดร์ ดีใจ" and niran_row["address"] == "9 ถนนนิมมาน เชียงใหม่ 50200"
        assert niran_row["average"] == Decimal("42000.00") and niran_row["member_type"] == shop.gen.name
        # and sorted by name, through the members
        _count, by_name, _totals = _page(owner, "top-spenders", "name")
        assert [r["code"] for r in by_name] == ["M0000003", "M0000002", "M0000001"]  # นิ < มา < สม
        # and with a member type: VIP is Malee alone
        count, rows, totals = _page(owner, "top-spenders", member_type=shop.vip)
        assert count == totals["members"] == 1 and [r["code"] for r in rows] == ["M0000002"]


def test_a_branch_manager_sees_the_top_spenders_of_their_branch_only(shop, staff_client):
    # given a branch manager of B1 (Somchai bought at B1, Malee at B2)
    client = staff_client(Role.BRANCH_MANAGER, branches=[shop.b1])
    # when they open the top spenders without choosing a branch
    response = client.get("/reports/top-spenders/?date_from=2026-10-01&date_to=2026-11-15")
    # then B1's members and figures only: the page, its count and the totals
    assert response.status_code == 200
    assert [row[0][0] for row in response.context["rows"]] == ["M0000001"]
    assert response.context["page"].paginator.count == 1
    assert "31,500.00" in response.context["totals"][4][0]


@pytest.mark.parametrize("summary", [True, False])
def test_sales_by_month_draws_its_chart_from_its_rows(shop, make_staff, monkeypatch, summary):
    drawn: list[Any] = []
    monkeypatch.setattr("sasom.reports.sales.bars", lambda title, labels, series, **kw: drawn.append((labels, series)))
    owner = make_staff(Role.OWNER)
    with override_settings(REPORTS_SALES_SUMMARY=summary):
        report = REPORTS["sales-by-month"]
        scope = scope_of(owner, **AUTUMN, dimension="branch")
        rows = list(report.sorted_rows(scope, ""))
        report.chart(scope)
    # October: 1,500 at B1 and 2,000 at B2; November: 30,000 at B1 (after the return), 40,000 at B2
    assert sorted((str(r["month"])[:7], r["dimension"], r["amount"]) for r in rows) == [
        ("2026-10", "B1", Decimal("1500.00")), ("2026-10", "B2", Decimal("2000.00")),
        ("2026-11", "B1", Decimal("30000.00")), ("2026-11", "B2", Decimal("40000.00"))]
    (labels, [(_name, values)]), = drawn
    assert len(labels) == 2 and values == [3500.0, 70000.0]
