"""Seed 001's sales analyses: the six months before the birth month (without and with address),
member sales with a column per month, purchases by category or product per member segment.

The shop's autumn (conftest), Malee born on 20 December 1985, and Malee's bill R-012 on
12 November at B2: 3 drinks at 20 and 2 snacks at 50 (160 baht, 1 point), one drink returned on
13 November (20 baht back; the remaining 140 still earn 1 point). By hand, net of returns:

    Somchai (GEN, born 3 Nov)  Oct 1,500 (15)   Nov 30,000 (300)
    Malee   (VIP, born 20 Dec) Oct 2,000 (20)   Nov 40,000 (400) + 140 (1)
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from sasom.core.audit import Actor
from sasom.earning import engine
from sasom.ledger.services import sale_post, sale_return
from sasom.organizations.models import Role, Terminal
from sasom.reports.birthmonth import window
from sasom.reports.framework import REPORTS
from sasom.reports.tests.conftest import at
from sasom.reports.tests.test_points_reports import scope_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def analysed(shop):
    shop.malee.birth_on = dt.date(1985, 12, 20)
    shop.malee.save(update_fields=["birth_on"])
    terminal = Terminal.objects.get(code="B2-T1")
    basket = engine.Basket(occurred_at=at(2026, 11, 12), lines=(
        engine.BasketLine(line_no=1, sku="COLA", category="DRINK", quantity=Decimal(3), unit_price=Decimal("20")),
        engine.BasketLine(line_no=2, sku="CHIPS", category="SNACK", quantity=Decimal(2), unit_price=Decimal("50"))))
    sale = sale_post(organization=shop.org, branch=terminal.branch, terminal=terminal, receipt_id="R-012",
                     basket=basket, member=shop.malee, actor=Actor.system(), now=at(2026, 11, 12)).sale
    sale_return(sale=sale, lines={1: 1}, actor=Actor.system(), return_id="RT-3", now=at(2026, 11, 13))
    return shop


def rows_of(slug, scope, sort=""):
    report = REPORTS[slug]
    return report.finish(list(report.sorted_rows(scope, sort)), scope), report.totals(scope)


def test_the_window_is_the_six_months_before_the_birth_months_next_start():
    today = dt.date(2026, 11, 15)
    assert window(12, today) == (dt.date(2026, 6, 1), dt.date(2026, 11, 30))
    assert window(11, today) == (dt.date(2026, 5, 1), dt.date(2026, 10, 31))
    assert window(3, today) == (dt.date(2026, 9, 1), dt.date(2027, 2, 28))


def test_sales_before_the_birth_month(analysed, make_staff):
    owner = make_staff(Role.OWNER)
    # next month (December) by default: Malee, her bills of June – November
    scope = scope_of(owner)
    report = REPORTS["birth-month-sales"]
    assert [c.key for c in report.columns_of(scope)][4:11] == ["m0", "m1", "m2", "m3", "m4", "m5", "visits"]
    rows, totals = rows_of("birth-month-sales", scope)
    assert [(r["code"], r["birth_on"], r["m4"], r["m5"], r["visits"], r["amount"], r["points"]) for r in rows] == [
        ("M0000002", dt.date(1985, 12, 20), Decimal("2000.00"), Decimal("40140.00"), 3, Decimal("42140.00"), 421)]
    assert (totals["m0"], totals["m5"], totals["amount"]) == (Decimal("0"), Decimal("40140.00"), Decimal("42140.00"))
    # November: Somchai, May – October (his November bill is after the window)
    rows, totals = rows_of("birth-month-sales-address", scope_of(owner, birth_month=11))
    assert [(r["code"], r["m5"], r["amount"], r["points"]) for r in rows] == [
        ("M0000001", Decimal("1500.00"), Decimal("1500.00"), 15)]
    assert "กรุงเทพมหานคร" in rows[0]["address"] and rows[0]["phone"] == "+66811111111"


def test_the_address_version_needs_the_export_permission(analysed, staff_client):
    manager = staff_client(Role.BRANCH_MANAGER)
    assert manager.get("/reports/birth-month-sales-address/?birth_month=12").status_code == 200
    assert manager.get("/reports/birth-month-sales-address/?birth_month=12&format=csv").status_code == 403
    page = staff_client(Role.OWNER).get("/reports/birth-month-sales/?birth_month=13")
    assert "birth_month" in page.context["form"].errors and "rows" not in page.context


def test_member_sales_with_a_column_per_month(analysed, make_staff):
    owner = make_staff(Role.OWNER)
    rows, totals = rows_of("sales-month-columns", scope_of(owner, start=dt.date(2026, 10, 1)), "group")
    assert [(r["group"], r["m0"], r["m1"], r["members"], r["visits"], r["amount"], r["points"]) for r in rows] == [
        (analysed.gen.name, Decimal("1500.00"), Decimal("30000.00"), 1, 2, Decimal("31500.00"), 315),
        ("วีไอพี", Decimal("2000.00"), Decimal("40140.00"), 1, 3, Decimal("42140.00"), 421)]
    with translation.override("en"):
        everyone, _t = rows_of("sales-month-columns", scope_of(owner, start=dt.date(2026, 10, 1), dimension="all"))
    assert [(r["group"], r["m0"], r["m1"], r["visits"], r["amount"], r["points"]) for r in everyone] == [
        ("All members", Decimal("3500.00"), Decimal("70140.00"), 5, Decimal("73640.00"), 736)]
    assert (totals["m0"], totals["m1"], totals["amount"]) == (Decimal("3500.00"), Decimal("70140.00"),
                                                              Decimal("73640.00"))


def test_purchases_per_category_and_segment(analysed, make_staff):
    owner = make_staff(Role.OWNER)
    rows, totals = rows_of("purchases-by-segment", scope_of(owner, segment_by="all"), "item")
    # November's lines: R-003's (1 of 2 left, 30,000), R-004's 40,000, R-012's drinks (2 left, 40) and snacks
    assert [(r["item"], r["members"], r["bills"], r["quantity"], r["amount"]) for r in rows] == [
        ("—", 2, 2, Decimal("3.000"), Decimal("70000.00")),  # no category
        ("DRINK", 1, 1, Decimal("2.000"), Decimal("40.00")), ("SNACK", 1, 1, Decimal("2.000"), Decimal("100.00"))]
    usage = REPORTS["card-usage-by-branch"].totals(scope_of(owner))
    assert totals["amount"] == usage["amount"] == Decimal("70140.00")  # no bill discount: lines add up to bills
    assert (totals["members"], totals["bills"], totals["quantity"]) == (2, 3, Decimal("7.000"))
    vip = [{"kind": "member_type", "ids": [analysed.vip.pk]}]
    rows, totals = rows_of("purchases-by-segment", scope_of(owner, segment=vip, by="sku"), "item")
    assert [(r["segment_label"], r["item"], r["amount"]) for r in rows] == [
        ("วีไอพี", "CHIPS", Decimal("100.00")), ("วีไอพี", "COLA", Decimal("40.00")), ("วีไอพี", "SKU1", Decimal("40000.00"))]


def test_a_bad_segment_is_a_message(analysed, staff_client):
    client = staff_client(Role.OWNER)
    page = client.get("/reports/purchases-by-segment/?birth_months=13")
    assert page.status_code == 200 and "birth_months" in page.context["form"].errors and "rows" not in page.context
    page = client.get("/reports/purchases-by-segment/?min_age=60&max_age=20")
    assert page.status_code == 200 and "max_age" in page.context["form"].errors
    page = client.get("/reports/purchases-by-segment/?segment_by=gender&date_from=2026-11-01")
    assert page.status_code == 200 and page.context["rows"] and b"<svg" in page.content
