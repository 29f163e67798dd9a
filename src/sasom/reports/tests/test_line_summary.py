"""The daily line summary (decision 0012) gives purchases by segment exactly what the raw lines
give, a bill counted once per category even with two of its products in it; and a period with
some days the summary cannot answer (on a replica: a day never built, or written to since) reads
those days raw and the others from the summary, with the very figures of the raw sales."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sasom.core.audit import Actor
from sasom.earning import engine
from sasom.ledger.models import Sale
from sasom.ledger.services import sale_post, sale_return, sale_void
from sasom.organizations.models import Role, Terminal
from sasom.reports.framework import REPORTS
from sasom.reports.summary import summary_refresh
from sasom.reports.summary_models import DailyLineSales, SummaryDay
from sasom.reports.tests.conftest import _sell, at
from sasom.reports.tests.test_sales_net_of_returns import returned  # noqa: F401 - a fixture
from sasom.reports.tests.test_summary import CASES, START, assert_same, autumn  # noqa: F401 - fixtures
from sasom.tiers.models import MemberTier, Tier
from sasom.tiers.services import TierIn, ladder_configure

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system()
END = dt.date(2026, 11, 15)


def _basket(shop, receipt, member, when, lines, branch="B2-T1"):
    terminal = Terminal.objects.get(code=branch)
    basket = engine.Basket(occurred_at=when, lines=tuple(
        engine.BasketLine(line_no=i, sku=sku, category=category, quantity=Decimal(q), unit_price=Decimal(price))
        for i, (sku, category, q, price) in enumerate(lines, start=1)))
    return sale_post(organization=shop.org, branch=terminal.branch, terminal=terminal, receipt_id=receipt,
                     basket=basket, member=member, actor=SYSTEM, now=when).sale


@pytest.fixture
def baskets(autumn):  # noqa: F811
    """Two drinks and a snack in one of Malee's bills (one drink partly returned), Somchai's bill
    whose snack came back whole, a walk-in's drinks."""
    sale = _basket(autumn, "L-001", autumn.malee, at(2026, 11, 12), [
        ("COLA", "DRINK", 3, "20"), ("WATER", "DRINK", 1, "10"), ("CHIPS", "SNACK", 2, "50")])
    sale_return(sale=sale, lines={1: 1}, actor=SYSTEM, return_id="LR-1", now=at(2026, 11, 13))
    other = _basket(autumn, "L-002", autumn.somchai, at(2026, 11, 12, 20), [
        ("COLA", "DRINK", 1, "20"), ("CHIPS", "SNACK", 1, "50")], branch="B1-T1")
    sale_return(sale=other, lines={2: 1}, actor=SYSTEM, return_id="LR-2", now=at(2026, 11, 13))
    _basket(autumn, "L-003", None, at(2026, 11, 12), [("COLA", "DRINK", 5, "20")])
    return autumn


def test_a_bill_counts_once_per_category_and_returns_lower_their_line(baskets, make_staff):
    owner = make_staff(Role.OWNER)
    rows, totals, _chart = assert_same(owner, "purchases-by-segment", segment_by="all")
    drinks = dict(next(r for r in rows if dict(r)["item"] == "DRINK"))
    # Malee's bill (COLA 2 left of 3, WATER) and Somchai's COLA: two bills, two members
    assert (drinks["bills"], drinks["members"], drinks["amount"]) == (2, 2, Decimal("70.00"))
    snacks = dict(next(r for r in rows if dict(r)["item"] == "SNACK"))
    assert (snacks["bills"], snacks["quantity"], snacks["amount"]) == (1, Decimal("2.000"), Decimal("100.00"))
    lines = DailyLineSales.objects.filter(organization=baskets.org, day=dt.date(2026, 11, 12))
    assert lines.filter(kind="c", item="DRINK", member=baskets.malee).get().bills == 1
    assert not lines.filter(member__isnull=True).exists()  # walk-ins stay out
    for data in ({"by": "sku"}, {"segment_by": "gender"}, {"segment_by": "tier", "by": "sku"}):
        assert_same(owner, "purchases-by-segment", **data)
        assert_same(owner, "purchases-by-segment", branch=baskets.b2, member_type=baskets.vip, **data)


def test_purchases_reads_the_summary_in_two_queries_after_the_build(baskets, make_staff):
    owner = make_staff(Role.OWNER)
    report = REPORTS["purchases-by-segment"]
    assert_same(owner, "purchases-by-segment")  # builds the period
    from sasom.reports.tests.test_points_reports import scope_of
    scope = scope_of(owner, start=START, end=END)
    with CaptureQueriesContext(connection) as queries:
        rows = report.finish(list(report.sorted_rows(scope, "")), scope)
        count = report.sorted_rows(scope, "").count()
        report.totals(scope)
        report.chart(scope)
    # the read's check (4), the grouped rows once for the page, its count and the chart; the totals
    assert len(queries) == 6 and count == len(rows) > 0
    assert sum("reports_dailylinesales" in q["sql"] for q in queries.captured_queries) == 2


def test_the_tier_segment_is_the_members_tier_today_read_by_a_join(baskets, make_staff):
    # given Malee in Gold, Somchai with a tier row but no tier (dropped), the others with no row
    owner = make_staff(Role.OWNER)
    ladder_configure(organization_id=baskets.org.pk, actor=SYSTEM, name="ladder",
                     tiers=[TierIn("SILVER", "Silver", 100), TierIn("GOLD", "Gold", 500)])
    gold = Tier.objects.get(organization=baskets.org, code="GOLD")
    MemberTier.objects.create(organization=baskets.org, member=baskets.malee, tier=gold)
    MemberTier.objects.create(organization=baskets.org, member=baskets.somchai, tier=None)
    # when the report is segmented by tier (the summary, then the raw lines: the same figures)
    with CaptureQueriesContext(connection) as queries:
        rows, totals, _chart = assert_same(owner, "purchases-by-segment", segment_by="tier")
        assert_same(owner, "purchases-by-segment", segment_by="tier", by="sku", branch=baskets.b2)
    # then Malee's drinks are Gold's, Somchai's under no tier ("—")
    drinks = {dict(r)["segment_label"]: dict(r) for r in rows if dict(r)["item"] == "DRINK"}
    assert (drinks["Gold"]["members"], drinks["Gold"]["amount"]) == (1, Decimal("50.00"))
    assert (drinks["—"]["members"], drinks["—"]["amount"]) == (1, Decimal("20.00"))
    # and the summary's grouped query joins the member's tier once, no subquery per row
    summary = [q["sql"] for q in queries.captured_queries
               if "reports_dailylinesales" in q["sql"] and "tiers_tier" in q["sql"]]
    assert summary and all("LEFT OUTER JOIN \"tiers_membertier\"" in sql and sql.count("SELECT") == 1
                           for sql in summary)


def _replica(monkeypatch):
    """A replica's reads: nothing rebuilt before reading."""
    monkeypatch.setattr("sasom.reports.salessource.summary_rebuilds", lambda: False)
    monkeypatch.setattr("sasom.reports.summary_mixed.summary_rebuilds", lambda: False)


def test_a_period_with_stale_days_reads_them_raw_and_the_rest_from_the_summary(baskets, make_staff, monkeypatch):
    owner = make_staff(Role.OWNER)
    summary_refresh(organization=baskets.org, start_on=START, end_on=END)
    built = {s.day: s.built_at for s in SummaryDay.objects.filter(organization=baskets.org)}
    # then a late bill, a return and a void on built days, and a day forgotten (never built)
    _sell(baskets.org, Terminal.objects.get(code="B2-T1"), "L-LATE", "900.00", baskets.somchai, at(2026, 10, 25, 18))
    sale_return(sale=Sale.objects.get(receipt_id="R-004"), lines={1: 1}, actor=SYSTEM, return_id="LR-3",
                now=at(2026, 11, 14))
    sale_void(sale=Sale.objects.get(receipt_id="L-002"), reason="wrong member", actor=SYSTEM, now=at(2026, 11, 14))
    SummaryDay.objects.filter(organization=baskets.org, day=dt.date(2026, 11, 1)).delete()
    _replica(monkeypatch)
    for slug, data in CASES:
        with CaptureQueriesContext(connection) as queries:
            assert_same(owner, slug, **data)
            assert_same(owner, slug, branch=baskets.b2, member_type=baskets.vip, **data)
        sql = " ".join(q["sql"] for q in queries.captured_queries)
        assert "UNION ALL" in sql, slug  # summary rows and raw sales in one query
    # nothing was rebuilt: the stale days were read raw
    assert {s.day: s.built_at for s in SummaryDay.objects.filter(organization=baskets.org)} == {
        d: b for d, b in built.items() if d != dt.date(2026, 11, 1)}


def test_a_period_with_no_day_built_reads_only_the_raw_sales(baskets, make_staff, monkeypatch):
    owner = make_staff(Role.OWNER)
    _replica(monkeypatch)
    with CaptureQueriesContext(connection) as queries:
        assert_same(owner, "sales-by-month")
        assert_same(owner, "purchases-by-segment")
    assert not any("UNION ALL" in q["sql"] or "reports_daily" in q["sql"] for q in queries.captured_queries)
    assert not SummaryDay.objects.exists()
