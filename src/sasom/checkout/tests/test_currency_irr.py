"""An Iranian shop, worked examples (docs/decisions/0009-currency.md; docs/user-guide.md, "A Persian shop").

The shop sells in IRR (no minor unit: every amount is a whole rial) and shows amounts in toman
(1 toman = 10 rial). Its base rule: 20,000 toman = 1 point, stored as 200,000 rial. The saffron
costs 1,234,567 rial; the gold type gets 5 % member discount.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.test import Client

from sasom.catalog import price_tables
from sasom.catalog.models import Product
from sasom.core.audit import Actor
from sasom.core.errors import DomainError
from sasom.earning.selectors import ruleset_forget
from sasom.earning.services import rule_create
from sasom.integrations import auth
from sasom.integrations.services import api_key_create
from sasom.ledger.models import Sale
from sasom.testing.factories import (
    BranchFactory,
    MemberFactory,
    MemberTypeFactory,
    OrganizationFactory,
    TerminalFactory,
)

SYSTEM = Actor.system("test")
pytestmark = pytest.mark.django_db


@pytest.fixture
def irr_shop(db):
    auth._cache.clear()
    auth._buckets.clear()
    ruleset_forget()
    shop = OrganizationFactory(code="zafaran", name="زعفران", currency="IRR", amounts_in_toman=True,
                               time_zone="Asia/Tehran")
    branch = BranchFactory(organization=shop, code="B1", name="شعبه ۱")
    terminal = TerminalFactory(organization=shop, branch=branch, code="B1-T1")
    gold = MemberTypeFactory(organization=shop, code="GOLD", discount_percent=Decimal("5"), is_default=True)
    MemberFactory(organization=shop, member_type=gold, code="G0000001", phone="+66810000009")
    Product.objects.create(organization=shop, sku="SAFFRON", name_th="زعفران", base_price=Decimal("1234567"))
    Product.objects.create(organization=shop, sku="CARPET", name_th="فرش", base_price=Decimal("12345670"))
    price_tables.pricing_settings_save(organization_id=shop.pk, actor=SYSTEM,
                                       data={"authority": "sasom", "open_lines": False})
    rule_create(organization_id=shop.pk, actor=SYSTEM, code="BASE", name="20,000 toman = 1 pt", kind="base",
                params={"per_amount": "200000", "points": 1})
    issued = api_key_create(organization_id=shop.pk, label="pos", actor=SYSTEM, terminal=terminal)
    yield shop, Client(HTTP_AUTHORIZATION=f"Bearer {issued.key}")
    ruleset_forget()


def sale(client, sku, receipt="R-1", path="/api/v1/sales"):
    body = {"receipt_id": receipt, "occurred_at": "2026-11-24T12:30:00+03:30", "member": {"phone": "+66810000009"},
            "lines": [{"sku": sku, "quantity": "1"}]}
    return client.post(path, data=json.dumps(body), content_type="application/json")


def test_a_5_percent_member_discount_rounds_to_whole_rial(irr_shop):
    # given the gold member buying saffron at 1,234,567 rial
    shop, pos = irr_shop
    # when the sale is quoted and committed
    quote = sale(pos, "SAFFRON", path="/api/v1/sales/quote")
    answer = sale(pos, "SAFFRON")
    # then 5 % is 61,728.35 rial, rounded half up to 61,728: the bill is 1,172,839 rial
    assert quote.status_code == 200, quote.content
    assert answer.status_code == 201, answer.content
    for out in (quote.json(), answer.json()):
        assert Decimal(out["member_discount"]) == Decimal("61728")
        assert Decimal(out["net"]) == Decimal("1172839")
        assert Decimal(out["lines"][0]["net"]) == Decimal("1172839")
    stored = Sale.objects.get(organization=shop, receipt_id="R-1")
    assert (stored.gross, stored.member_discount, stored.net) == (Decimal("1234567"), Decimal("61728"),
                                                                  Decimal("1172839"))
    # and 20,000 toman = 1 point: 1,172,839 rial / 200,000 = 5.86 -> 5 points
    assert answer.json()["points_earned"] == stored.points_earned == 5


def test_20000_toman_is_one_point_exactly(irr_shop):
    # given a carpet of 1,234,567 toman (12,345,670 rial), before the 5 % discount
    shop, pos = irr_shop
    answer = sale(pos, "CARPET")
    assert answer.status_code == 201, answer.content
    # then 5 % = 617,283.5 -> 617,284 rial (half up); the net 11,728,386 rial earns 58 points
    assert Decimal(answer.json()["member_discount"]) == Decimal("617284")
    assert answer.json()["points_earned"] == 58


def test_the_api_keeps_rial(irr_shop):
    # given a toman shop: the API answers in rial, the currency's own unit
    shop, pos = irr_shop
    out = sale(pos, "SAFFRON").json()
    print("OUT", {k: v for k, v in out.items() if k != "receipt_text"}, out["receipt_text"])
    assert out["lines"][0]["unit_price"] == "1234567.00"  # the documented decimal-string form, in rial
    assert Decimal(out["net"]) == Decimal("1172839")


def test_an_irr_price_with_decimals_is_refused_on_its_field(irr_shop):
    shop, _pos = irr_shop
    from sasom.catalog.services import product_create

    with pytest.raises(DomainError) as exc:
        product_create(organization_id=shop.pk, actor=SYSTEM, sku="TEA", name_th="چای", base_price="1000.5")
    assert (exc.value.code, exc.value.field) == ("price_invalid", "base_price")


def test_an_irr_rule_amount_with_decimals_is_refused_on_its_field(irr_shop):
    shop, _pos = irr_shop
    with pytest.raises(DomainError) as exc:
        rule_create(organization_id=shop.pk, actor=SYSTEM, code="HALF", name="half", kind="base",
                    params={"per_amount": "200000.5", "points": 1})
    assert exc.value.field == "per_amount"


def test_the_printed_receipt_shows_toman(irr_shop):
    # given a toman shop: the receipt shows 61,728 rial as 6,172.8 toman
    shop, pos = irr_shop
    text = sale(pos, "SAFFRON").json()["receipt_text"]
    assert "Member discount: 6,172.8" in text


def test_the_till_receipt_screen_shows_toman(irr_shop, client):
    # given the cashier's screen of the posted sale
    from django.urls import reverse

    from sasom.organizations.models import Role
    from sasom.testing.factories import StaffFactory

    shop, pos = irr_shop
    assert sale(pos, "SAFFRON").status_code == 201
    staff = StaffFactory(organization=shop, role=Role.OWNER)
    client.force_login(staff.user, backend="django.contrib.auth.backends.ModelBackend")
    stored = Sale.objects.get(organization=shop, receipt_id="R-1")
    page = client.get(reverse("checkout:till_receipt", args=[stored.pk])).content.decode()
    # then the net 1,172,839 rial reads 117,283.9 (toman), the list price 123,456.7
    assert "117,283.9" in page and "123,456.7" in page
    assert "1,172,839" not in page


def test_the_currency_is_fixed_once_the_shop_has_sales(irr_shop):
    from sasom.organizations.errors import CURRENCY_LOCKED
    from sasom.organizations.services import organization_update

    shop, pos = irr_shop
    settings = {"name": shop.name, "time_zone": shop.time_zone, "member_code_pattern": shop.member_code_pattern,
                "phone_region": shop.phone_region, "calendar": shop.calendar, "sales_since": None}
    # before any sale the shop may still switch (and back)
    organization_update(organization=shop, actor=SYSTEM, currency="THB", **settings)
    organization_update(organization=shop, actor=SYSTEM, currency="IRR", amounts_in_toman=True, **settings)
    assert sale(pos, "SAFFRON").status_code == 201
    with pytest.raises(DomainError) as exc:
        organization_update(organization=shop, actor=SYSTEM, currency="THB", **settings)
    assert (exc.value.code, exc.value.field) == (CURRENCY_LOCKED, "currency")
    # the display unit is not the currency: it may change at any time
    organization_update(organization=shop, actor=SYSTEM, currency="IRR", amounts_in_toman=False, **settings)


def test_returns_give_back_whole_rial(irr_shop):
    # given three saffron with the 5 % member discount and 1,001 rial off the bill: gross 3,703,701,
    # member discount 185,185 (185,185.05 rounded to the rial), net 3,517,515
    shop, pos = irr_shop
    body = {"receipt_id": "R-3", "occurred_at": "2026-11-24T12:30:00+03:30", "member": {"phone": "+66810000009"},
            "lines": [{"sku": "SAFFRON", "quantity": "3"}], "bill_discount": "1001"}
    answer = pos.post("/api/v1/sales", data=json.dumps(body), content_type="application/json")
    assert answer.status_code == 201, answer.content
    stored = Sale.objects.get(organization=shop, receipt_id="R-3")
    assert stored.net == Decimal("3517515")
    # when they come back one at a time
    refunds = []
    for n in (1, 2, 3):
        back = pos.post("/api/v1/sales/R-3/returns", content_type="application/json",
                        data=json.dumps({"return_id": f"RT-{n}", "lines": [{"line_no": 1, "quantity": "1"}]}))
        assert back.status_code == 201, back.content
        refunds.append(Decimal(back.json()["returned_net"]))
    # then every refund is a whole number of rial (a third of the net is 1,172,505 rial; at two
    # places it would be 1,172,505.00 twice and a remainder with fractions of a rial), and together
    # they give back exactly what was paid
    assert all(r == r.to_integral_value() for r in refunds), refunds
    assert sum(refunds) == stored.net
    assert refunds[0] == Decimal("1172505")
