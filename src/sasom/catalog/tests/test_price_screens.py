"""Price tables and pricing settings in the back office."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sasom.catalog.models import Price, PriceTable, PricingSettings, Product
from sasom.core.roles import Role
from sasom.testing.factories import MemberTypeFactory


@pytest.fixture
def rice(org):
    return Product.objects.create(organization=org, sku="RICE", name_th="ข้าว", base_price=Decimal("100.00"))


def test_a_marketer_creates_a_table_for_vip_and_sets_prices(staff_client, org, branch, rice):
    # given a marketer and the VIP member type
    MemberTypeFactory(organization=org, code="VIP")
    client = staff_client(Role.MARKETING)
    # when they create the VIP table and give rice 90.00, then 85.00 at B1 through December
    created = client.post("/catalog/prices/new/", {"code": "VIP", "name": "ราคา VIP", "is_active": "on",
                                                   "member_types": ["VIP"]})
    first = client.post("/catalog/prices/VIP/prices/", {"sku": "RICE", "price": "90.00"})
    second = client.post("/catalog/prices/VIP/prices/", {"sku": "RICE", "price": "85.00", "branch": "B1",
                                                         "valid_to": "2026-12-31"})
    # then each post redirects (a refresh repeats nothing) and the table lists both prices
    assert [r.status_code for r in (created, first, second)] == [302, 302, 302]
    table = PriceTable.objects.get(organization=org, code="VIP")
    assert sorted((p.branch.code if p.branch else "*", p.price) for p in table.prices.all()) == [
        ("*", Decimal("90.00")), ("B1", Decimal("85.00"))]
    page = client.get("/catalog/prices/VIP/")
    assert page.status_code == 200 and "85.00" in page.content.decode()
    assert "VIP" in client.get("/catalog/prices/").content.decode()


def test_an_overlapping_price_is_a_form_error_and_nothing_is_stored(staff_client, org, rice):
    client = staff_client(Role.ADMIN)
    client.post("/catalog/prices/new/", {"code": "STD", "name": "Standard", "is_active": "on"})
    client.post("/catalog/prices/STD/prices/", {"sku": "RICE", "price": "95.00", "valid_from": "2026-12-01"})
    # when a price for every day up to 1 December is added
    answer = client.post("/catalog/prices/STD/prices/", {"sku": "RICE", "price": "94.00", "valid_to": "2026-12-01"})
    # then the form says why, and only the first price exists
    assert answer.status_code == 400
    assert "2026-12-01" in answer.content.decode()
    assert Price.objects.filter(organization=org).count() == 1


@pytest.mark.parametrize("bad", [{"sku": "NOPE", "price": "1.00"}, {"sku": "RICE", "price": "-1"},
                                 {"sku": "RICE", "price": "1" * 40}])
def test_bad_prices_are_form_errors(staff_client, org, rice, bad):
    client = staff_client(Role.ADMIN)
    client.post("/catalog/prices/new/", {"code": "STD", "name": "Standard", "is_active": "on"})
    assert client.post("/catalog/prices/STD/prices/", bad).status_code == 400
    assert not Price.objects.filter(organization=org).exists()


def test_the_owner_switches_sasom_pricing_on(staff_client, org):
    client = staff_client(Role.OWNER)
    page = client.get("/catalog/prices/settings/")
    assert page.status_code == 200
    saved = client.post("/catalog/prices/settings/", {
        "authority": "sasom", "open_lines": "on", "general_table": "", "member_discount_min_bill": "100.00",
        "member_discount_excluded_categories": ""})
    assert saved.status_code == 302
    row = PricingSettings.objects.get(organization=org)
    assert (row.authority, row.open_lines, row.member_discount_min_bill) == ("sasom", True, Decimal("100.00"))
    unknown = client.post("/catalog/prices/settings/", {
        "authority": "sasom", "member_discount_min_bill": "0", "member_discount_excluded_categories": "NOPE"})
    assert unknown.status_code == 400


def test_a_cashier_sees_the_tables_but_cannot_change_them(staff_client, org, rice):
    client = staff_client(Role.CASHIER)
    assert client.get("/catalog/prices/").status_code == 200
    assert client.post("/catalog/prices/new/", {"code": "X", "name": "X"}).status_code == 403
    assert client.get("/catalog/prices/settings/").status_code == 403
    assert not PriceTable.objects.exists()
