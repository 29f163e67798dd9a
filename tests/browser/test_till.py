"""A sale at the till, in a real browser: the cashier scans three barcodes, sees each line priced
(the VIP's price and discount once the member is found), posts the sale and gets the receipt."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from sasom.catalog import price_tables
from sasom.catalog.models import Barcode, Product
from sasom.core.audit import Actor
from sasom.earning.selectors import ruleset_forget
from sasom.earning.services import rule_create
from sasom.ledger.models import Sale
from sasom.organizations.models import Role
from sasom.testing.factories import MemberFactory, MemberTypeFactory, TerminalFactory

from .conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pass-1234-word"
SYSTEM = Actor.system("test")


@pytest.fixture
def shop(org, branch, make_staff):
    TerminalFactory(organization=org, branch=branch, code="B1-T1")
    vip = MemberTypeFactory(organization=org, code="VIP", name="วีไอพี", discount_percent=Decimal("10"))
    for sku, name, price, barcode in [("RICE", "ข้าวหอมมะลิ", "100.00", "8850000000010"),
                                      ("EGG", "ไข่ไก่", "50.00", "8850000000027"),
                                      ("MILK", "นมจืด", "20.00", "8850000000034")]:
        product = Product.objects.create(organization=org, sku=sku, name_th=name, base_price=Decimal(price))
        Barcode.objects.create(organization=org, product=product, code=barcode)
    table = price_tables.price_table_create(organization_id=org.pk, actor=SYSTEM, code="VIP", name="VIP",
                                            member_types=["VIP"])
    price_tables.price_set(table=table, actor=SYSTEM, product_code="RICE", price="90.00")
    price_tables.pricing_settings_save(organization_id=org.pk, actor=SYSTEM, data={"authority": "sasom"})
    ruleset_forget()
    rule_create(organization_id=org.pk, actor=SYSTEM, code="BASE", name="100 THB = 1 pt", kind="base",
                params={"per_amount": "100", "points": 1})
    make_staff(Role.CASHIER, branches=[branch], username="cashier1")
    yield MemberFactory(organization=org, member_type=vip, code="V0000001", phone="+66810000001")
    ruleset_forget()



def log_in(page: Page) -> None:
    page.goto("/login/")
    page.fill("input[name=username]", "cashier1")
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    expect(page).to_have_url(re.compile(r"/$"))


def scan(page: Page, code: str) -> None:
    page.fill("#scan-code", code)
    page.press("#scan-code", "Enter")


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_cashier_scans_three_barcodes_and_posts_the_sale(new_page, shop, screenshot_dir, viewport):
    # given the cashier at the till (the only terminal of her branch)
    page = new_page(viewport)
    log_in(page)
    page.goto("/till/")
    expect(page.locator("#scan-code")).to_be_focused()

    # when she scans three barcodes, the rice twice
    for code in ("8850000000010", "8850000000027", "8850000000010"):
        scan(page, code)
    scan(page, "8850000000034")
    # then each line shows its name and price, the scan box keeps the focus
    lines = page.locator("#lines > li")
    expect(lines).to_have_count(3)
    expect(lines.nth(0)).to_contain_text("ข้าวหอมมะลิ")
    expect(lines.nth(0)).to_contain_text("200.00")
    expect(page.locator("#net")).to_have_text("270.00")
    expect(page.locator("#scan-code")).to_be_focused()
    # and an unknown barcode is named, nothing added
    scan(page, "1234567890123")
    expect(page.locator(".messages")).to_contain_text("1234567890123")
    expect(lines).to_have_count(3)

    # when she finds the VIP by phone
    page.fill("#member-q", "0810000001")
    page.press("#member-q", "Enter")
    # then the VIP price of the rice less 10 %, and the points
    expect(page.locator(".till-member")).to_contain_text("วีไอพี")
    expect(lines.nth(0)).to_contain_text("162.00")  # 2 x 90.00 less 10 %
    expect(page.locator("#net")).to_have_text("225.00")  # 162 + 45 + 18 (10 % off each)
    expect(page.locator("#points-earned")).to_have_text("+2")
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    page.screenshot(path=str(screenshot_dir / f"till-{'phone' if viewport else 'desktop'}.png"), full_page=True)

    # when she posts the sale
    page.locator("#post-sale button").click()
    # then the receipt, and the sale stored as the screen showed it
    expect(page).to_have_url(re.compile(r"/till/receipts/\d+/$"))
    expect(page.locator("#receipt-net")).to_have_text("225.00")
    sale = Sale.objects.get()
    assert (sale.receipt_id, sale.net, sale.member.code, sale.points_earned) == (
        "B1-T1-000001", Decimal("225.00"), "V0000001", 2)
    assert [(ln.sku, ln.quantity, ln.unit_price) for ln in sale.lines.order_by("line_no")] == [
        ("RICE", Decimal("2.000"), Decimal("90.00")), ("EGG", Decimal("1.000"), Decimal("50.00")),
        ("MILK", Decimal("1.000"), Decimal("20.00"))]
    # and a reload of the receipt posts nothing more
    page.reload()
    assert Sale.objects.count() == 1
    page.locator("#new-sale").click()
    expect(page.locator("#scan-code")).to_be_focused()
