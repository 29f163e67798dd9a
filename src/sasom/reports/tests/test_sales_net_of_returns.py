"""Every report that sums sales counts them net of returns and voids.

The shop's autumn (conftest) plus two more bills: Malee's 1,000 baht bill on 8 November, voided,
and Somchai's 800 baht bill on 9 November, returned in full. With Somchai's 60,000 baht bill of
2 November half returned (30,000 baht and 300 points back), the members' bills of
1 October – 15 November come to, by hand:

    R-001  Somchai  B1  Oct   1,500    15
    R-002  Malee    B2  Oct   2,000    20
    R-003  Somchai  B1  Nov  30,000   300   (60,000 − 30,000; 600 − 300)
    R-004  Malee    B2  Nov  40,000   400
    R-009  Malee    B2  voided: out
    R-010  Somchai  B1  returned in full: out
    ----------------------------------------
    4 bills, 73,500 baht, 735 points; Somchai 31,500, Malee 42,000.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from sasom.core.audit import Actor
from sasom.ledger.models import Sale
from sasom.ledger.services import sale_return, sale_void
from sasom.organizations.models import Role, Terminal
from sasom.reports.dashboard import dashboard_charts
from sasom.reports.framework import REPORTS
from sasom.reports.salessource import summary_ready
from sasom.reports.tests.conftest import _sell, at
from sasom.reports.tests.test_points_reports import scope_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def returned(shop):
    t1 = Terminal.objects.get(code="B1-T1")
    t2 = Terminal.objects.get(code="B2-T1")
    voided = _sell(shop.org, t2, "R-009", "1000.00", shop.malee, at(2026, 11, 8))
    sale_void(sale=voided, reason="wrong member", actor=Actor.system(), now=at(2026, 11, 8, 11))
    back = _sell(shop.org, t1, "R-010", "800.00", shop.somchai, at(2026, 11, 9))
    sale_return(sale=back, lines={1: 2}, actor=Actor.system(), return_id="RT-2", now=at(2026, 11, 10))
    assert Sale.objects.get(receipt_id="R-010").status == Sale.Status.RETURNED
    return shop


def test_card_usage_by_branch_counts_bills_net_of_returns_and_voids(returned, make_staff):
    owner = make_staff(Role.OWNER)
    report = REPORTS["card-usage-by-branch"]
    scope = scope_of(owner, start=dt.date(2026, 10, 1))
    rows = report.finish(list(report.sorted_rows(scope, "branch")), scope)
    assert [(r["branch__code"], r["members"], r["visits"], r["amount"], r["points"]) for r in rows] == [
        ("B1", 1, 2, Decimal("31500.00"), 315), ("B2", 1, 2, Decimal("42000.00"), 420)]
    totals = report.totals(scope)
    assert (totals["visits"], totals["amount"], totals["points"], totals["average"]) == (
        4, Decimal("73500.00"), 735, Decimal("18375.00"))


def test_visit_frequency_counts_what_remains(returned, make_staff):
    owner = make_staff(Role.OWNER)
    report = REPORTS["visit-frequency"]
    scope = scope_of(owner, start=dt.date(2026, 10, 1))
    bands = report.finish(list(report.sorted_rows(scope, "")), scope)
    assert [(b["band_label"], b["members"], b["visits"], b["amount"]) for b in bands] == [
        ("2–3", 2, 4, Decimal("73500.00"))]


def test_sales_by_month_and_top_spenders_deduct_returns(returned, make_staff):
    owner = make_staff(Role.OWNER)
    by_month = REPORTS["sales-by-month"]
    scope = scope_of(owner, start=dt.date(2026, 10, 1))
    rows = by_month.finish(list(by_month.sorted_rows(scope, "")), scope)
    per_month: dict[dt.date, list] = {}
    for r in rows:
        got = per_month.setdefault(r["month"], [0, Decimal("0"), 0])
        got[0] += r["visits"]
        got[1] += r["amount"]
        got[2] += r["points"]
    assert per_month == {dt.date(2026, 10, 1): [2, Decimal("3500.00"), 35],
                         dt.date(2026, 11, 1): [2, Decimal("70000.00"), 700]}
    top = REPORTS["top-spenders"]
    spenders = top.finish(list(top.sorted_rows(scope, "")), scope)
    # Malee's 42,000 now comes before Somchai's 31,500 (61,500 before his return)
    assert [(r["code"], r["amount"], r["visits"]) for r in spenders] == [
        ("M0000002", Decimal("42000.00"), 2), ("M0000001", Decimal("31500.00"), 2)]


def test_the_dashboards_top_branches_are_net_of_returns(returned, make_staff, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: at(2026, 11, 15, 12).astimezone(dt.UTC))
    charts = dashboard_charts(make_staff(Role.OWNER), days=30)
    # 17 October – 15 November: R-002 (20 Oct) 2,000 + R-004 40,000 at B2; R-003's 30,000 at B1,
    # R-005's 500 (no member) and the bag bills 120 (31 Oct) + 80 at B1, 60 at B2
    assert charts["branch_sales"] == [("B2", Decimal("42060.00")), ("B1", Decimal("30700.00"))]


def test_frequency_per_period_groups_what_remains_in_each_month(returned, make_staff, django_assert_num_queries):
    # given the autumn with a half return, a void and a whole return (the table above)
    owner = make_staff(Role.OWNER)
    report = REPORTS["frequency-per-period"]
    scope = scope_of(owner, start=dt.date(2026, 10, 1))
    summary_ready(scope)  # the period's summary days made exact first (reports.summary)
    # when the page, its chart and the page again are read: the (month, band) rows once
    with django_assert_num_queries(1):
        rows = report.finish(list(report.sorted_rows(scope, "")), scope)
        report.chart(scope)
        list(report.sorted_rows(scope, "-month"))
    # then each month has both members once, in band 1, with what their bills came to
    assert [(r["month"], r["band_label"], r["members"], r["visits"], r["amount"]) for r in rows] == [
        (dt.date(2026, 10, 1), "1", 2, 2, Decimal("3500.00")),
        (dt.date(2026, 11, 1), "1", 2, 2, Decimal("70000.00"))]
    assert sum(r["amount"] for r in rows) == report.totals(scope)["amount"] == Decimal("73500.00")


def test_banded_rows_sort_both_ways_like_a_queryset(returned, make_staff):
    owner = make_staff(Role.OWNER)
    report = REPORTS["frequency-per-period"]
    scope = scope_of(owner, start=dt.date(2026, 10, 1))
    up = [r["month"] for r in report.sorted_rows(scope, "month")]
    down = [r["month"] for r in report.sorted_rows(scope, "-month")]
    assert up == sorted(up) and down == list(reversed(up)) and len(up) == 2
