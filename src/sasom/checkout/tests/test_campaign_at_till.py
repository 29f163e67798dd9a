"""A bag campaign at the till (docs/points.md 3.9, seed 001 "แคมเปญ ไม่รับถุงพลาสติก"): the member's
extra discount comes off the bill in the quote and the sale, the non-member's donation is in the
answer, the receipt text and the day's sales list (issue "Hardening": computed but returned nowhere).

The shop's rules come from the ledger's conftest: 100 THB = 1 pt, bills >= 2,000 +10.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from sasom.core.audit import Actor
from sasom.core.roles import Role
from sasom.earning import services as earning
from sasom.integrations import auth
from sasom.integrations.services import api_key_create


@pytest.fixture(autouse=True)
def _fresh_caches():
    auth._cache.clear()
    auth._buckets.clear()


@pytest.fixture
def pos(org, terminal) -> Client:
    issued = api_key_create(organization_id=org.id, label="POS", actor=Actor.system(), terminal=terminal)
    return Client(HTTP_AUTHORIZATION=f"Bearer {issued.key}")


@pytest.fixture
def no_bag(org):
    return earning.campaign_create(organization_id=org.pk, actor=Actor.system(), code="NOBAG", name="ไม่รับถุง",
                                   bag_points=5, donation_per_bag="1.00", extra_discount="20.00",
                                   fund_name="มูลนิธิรักษ์โลก")


def body(receipt, *, phone="+66812345678", price="300.00", **extra):
    out = {"receipt_id": receipt, "occurred_at": "2026-11-24T12:30:00+07:00",
           "member": {"phone": phone} if phone else None,
           "lines": [{"sku": "RICE", "quantity": "1", "unit_price": price}], "bag_declined": True}
    out.update(extra)
    return out


def post(client, path, data):
    return client.post(path, data=json.dumps(data), content_type="application/json")


def test_a_members_campaign_discount_comes_off_the_quote_and_the_sale(pos, member, no_bag):
    # when a member who declines the bag asks for a quote, then buys
    quote = post(pos, "/api/v1/sales/quote", body("R-1")).json()
    sale = post(pos, "/api/v1/sales", body("R-1")).json()
    read = pos.get("/api/v1/sales/R-1").json()
    # then 20.00 comes off what they pay; points are earned on the bill before it (3 + 5 for the bag)
    assert (quote["campaign_discount"], quote["net"], quote["discounts"]) == ("20.00", "280.00", "20.00")
    assert quote["points_earned"] == sale["points_earned"] == 8
    assert (sale["campaign_discount"], sale["discount_applied"], sale["net"]) == ("20.00", "20.00", "300.00")
    assert read["campaign_discount"] == "20.00" and read["discount_applied"] == "20.00"
    assert "ส่วนลดแคมเปญ / Campaign discount: 20.00" in sale["receipt_text"]
    assert sale["donation"] == "0.00"


def test_the_campaign_discount_never_exceeds_what_is_left_to_pay(pos, member, no_bag):
    quote = post(pos, "/api/v1/sales/quote", body("R-2", price="15.00")).json()
    sale = post(pos, "/api/v1/sales", body("R-2", price="15.00")).json()
    assert (quote["campaign_discount"], quote["net"]) == ("15.00", "0.00")
    assert (sale["campaign_discount"], sale["discount_applied"]) == ("15.00", "15.00")


def test_a_walk_in_who_declines_the_bag_gives_to_the_fund_everywhere_it_is_read(pos, org, no_bag, staff_client):
    # when a non-member declines the bag
    quote = post(pos, "/api/v1/sales/quote", body("R-3", phone=None)).json()
    sale = post(pos, "/api/v1/sales", body("R-3", phone=None)).json()
    # then the donation is in the quote, the answer, its receipt text and the day's list; no discount
    assert quote["donation"] == sale["donation"] == "1.00"
    assert quote["campaign_discount"] == sale["campaign_discount"] == "0.00" and quote["net"] == "300.00"
    assert "บริจาค / Donation: 1.00" in sale["receipt_text"]
    day = staff_client(Role.ADMIN).get(reverse("ledger:daily"), {"date": "2026-11-24", "format": "csv"})
    header, row = day.content.decode("utf-8-sig").strip().splitlines()
    assert dict(zip(header.split(","), row.split(","), strict=True))["donation"] == "1.00"


def test_without_the_bag_declined_nothing_changes(pos, member, no_bag):
    sale = post(pos, "/api/v1/sales", body("R-4", bag_declined=False)).json()
    assert sale["points_earned"] == 3 and sale["donation"] == "0.00"
    assert sale["campaign_discount"] == "20.00"  # the extra discount is for members while the campaign runs
