"""Rewards and coupons over the API, as a POS, an ERP and marketing's tools use it.

The mini-mart of this folder's conftest: ถุงผ้า (BAG, 300 points, 5 in stock, 2 per member a
month), แก้วน้ำ (GLASS, 500 points + 20 baht, 3 at branch B1), coupons CASH100 and DRINK10.
"""

from __future__ import annotations

import json
import threading
from decimal import Decimal

import pytest
import schemathesis
from django.db import connection
from django.test import Client
from django.utils import timezone

from sasom.core.audit import Actor
from sasom.integrations import auth
from sasom.integrations.services import api_key_create
from sasom.ledger.models import PointAccount
from sasom.ledger.testing import assert_ledger_consistent
from sasom.members.models import Member
from sasom.organizations.models import Role
from sasom.rewards import api as A
from sasom.rewards import errors as E
from sasom.rewards.models import (
    Coupon,
    CouponTemplate,
    PointsDiscountRule,
    Redemption,
    Reward,
    RewardStock,
)
from sasom.testing.factories import BranchFactory, MemberFactory, MemberTypeFactory, TerminalFactory
from sasom.testing.properties import db_property

from .conftest import balance

V1 = "/api/v1"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_caches():
    auth._cache.clear()
    auth._buckets.clear()
    yield
    auth._cache.clear()
    auth._buckets.clear()


def key_client(org, **kwargs) -> Client:
    issued = api_key_create(
        organization_id=org.id, label=kwargs.pop("label", "key"), actor=Actor.system(),
        rate_limit_per_minute=100000, **kwargs,
    )
    return Client(HTTP_AUTHORIZATION=f"Bearer {issued.key}")


@pytest.fixture
def pos(org, terminal):
    """The POS at branch B1 (a terminal key: counter work, no configuration)."""
    return key_client(org, label="POS B1-T1", terminal=terminal)


@pytest.fixture
def erp(org):
    """An unscoped ERP key: it names the branch it acts for."""
    return key_client(org, label="ERP")


@pytest.fixture
def marketing(org):
    """A managing key (unscoped): configuration too."""
    return key_client(org, label="marketing tool", can_manage=True)


def post(client, path, body, **headers):
    return client.post(V1 + path, data=json.dumps(body), content_type="application/json", **headers)


def put(client, path, body):
    return client.put(V1 + path, data=json.dumps(body), content_type="application/json")


def patch(client, path, body):
    return client.patch(V1 + path, data=json.dumps(body), content_type="application/json")


def get(client, path, **params):
    return client.get(V1 + path, params)


def error(response, status: int) -> str:
    assert response.status_code == status, response.content
    return response.json()["code"]


def consistent() -> None:
    for account in PointAccount.objects.all():
        assert_ledger_consistent(account)


def redeem_body(member="M0000001", reward="BAG", **extra):
    return {"member": {"code": member}, "reward": reward, **extra}


# --- redemptions --------------------------------------------------------------------------------


def test_a_member_redeems_a_tote_bag_at_the_pos_then_the_slip_is_cancelled(pos, member, tote_bag, give_points):
    # given Somchai holds 1,000 points and 5 bags are in stock
    give_points(member, 1000)
    # when the POS redeems one bag, found by his phone
    response = post(pos, "/redemptions", {"member": {"phone": "081-234-5678"}, "reward": "bag"})
    # then a slip, 300 points spent, 700 left, one bag fewer
    assert response.status_code == 201, response.content
    slip = response.json()
    assert slip["number"].startswith("RD") and slip["status"] == "done"
    assert (slip["member"], slip["reward"], slip["branch"]) == ("M0000001", "BAG", "B1")
    assert (slip["quantity"], slip["points"], slip["cash_copay"], slip["spendable"]) == (1, 300, "0.00", 700)
    assert slip["created_at"].endswith("+07:00") and slip["purchase"] is None
    assert Reward.objects.get(pk=tote_bag.pk).stock == 4
    # and the slip reads back
    assert get(pos, f"/redemptions/{slip['number']}").json() == slip
    # when it is cancelled (wrong item)
    cancelled = post(pos, f"/redemptions/{slip['number']}/cancel", {"reason": "ลูกค้าเปลี่ยนใจ"})
    # then the points and the bag come back, once
    assert cancelled.status_code == 200, cancelled.content
    assert cancelled.json()["status"] == "cancelled" and cancelled.json()["spendable"] == 1000
    assert cancelled.json()["cancel_reason"] == "ลูกค้าเปลี่ยนใจ" and cancelled.json()["cancelled_at"]
    assert Reward.objects.get(pk=tote_bag.pk).stock == 5
    assert error(post(pos, f"/redemptions/{slip['number']}/cancel", {"reason": "again"}), 409) == E.ALREADY_CANCELLED
    consistent()


def test_a_glass_with_cash_copay_and_the_missing_points_bought(pos, member, glass, give_points, purchase_settings):
    # given 400 points; a glass costs 500 points + 20 baht; missing points sell at 0.50 baht
    give_points(member, 400)
    # when the member pays for the 100 missing points (receipt R-77) and redeems
    response = post(pos, "/redemptions", redeem_body(reward="GLASS", buy_points=100, payment_reference="R-77"))
    # then the purchase is on the slip, the balance is zero, one glass fewer at B1
    assert response.status_code == 201, response.content
    slip = response.json()
    assert slip["cash_copay"] == "20.00" and slip["points"] == 500 and slip["spendable"] == 0
    assert slip["purchase"] == {
        "points": 100, "point_price": "0.50", "amount": "50.00", "payment_reference": "R-77", "status": "done",
    }
    assert RewardStock.objects.get(reward=glass).quantity == 2
    consistent()


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (redeem_body(reward="NOPE"), 404, A.E_REWARD_NOT_FOUND),
        (redeem_body(member="M9999999"), 404, E.MEMBER_NOT_FOUND),
        ({"member": {}, "reward": "BAG"}, 400, A.E_MEMBER_REF_EMPTY),
        (redeem_body(branch="B2"), 403, E.BRANCH_NOT_ALLOWED),
        (redeem_body(quantity=3), 400, E.LIMIT_REACHED),
        (redeem_body(reward="GLASS"), 400, E.INSUFFICIENT_POINTS),
        (redeem_body(reward="GLASS", buy_points=50, payment_reference="R1"), 400, E.QUANTITY_INVALID),
        (redeem_body(reward="GLASS", buy_points=200, payment_reference="R1"), 400, E.POINTS_PURCHASE_DISABLED),
        (redeem_body(quantity=0), 422, "invalid_input"),
        (redeem_body(quantity=101), 422, "invalid_input"),
        ({"reward": "BAG"}, 422, "invalid_input"),
    ],
)
def test_redemption_refusals_name_their_code(pos, member, branch2, tote_bag, glass, give_points, body, status, code):
    # given 300 points: enough for a bag, not for a glass
    give_points(member, 300)
    # when / then
    assert error(post(pos, "/redemptions", body), status) == code
    # and nothing changed
    assert balance(member) == 300 and not Redemption.objects.exists()
    assert Reward.objects.get(pk=tote_bag.pk).stock == 5


def test_more_redemption_refusals(pos, org, member, tote_bag, glass, give_points, purchase_settings):
    give_points(member, 2000)
    # out of stock: the bag's last item is gone
    Reward.objects.filter(pk=tote_bag.pk).update(stock=0)
    assert error(post(pos, "/redemptions", redeem_body()), 409) == E.OUT_OF_STOCK
    # a reward no longer offered
    Reward.objects.filter(pk=glass.pk).update(is_active=False)
    assert error(post(pos, "/redemptions", redeem_body(reward="GLASS")), 400) == E.REWARD_NOT_AVAILABLE
    # a reward for gold members only
    gold = MemberTypeFactory(organization=org, code="GOLD")
    Reward.objects.filter(pk=glass.pk).update(is_active=True)
    glass.member_types.set([gold])
    assert error(post(pos, "/redemptions", redeem_body(reward="GLASS")), 400) == E.NOT_ALLOWED_FOR_MEMBER_TYPE
    # a suspended member
    Member.objects.filter(pk=member.pk).update(status=Member.Status.SUSPENDED)
    Reward.objects.filter(pk=tote_bag.pk).update(stock=5)
    assert error(post(pos, "/redemptions", redeem_body()), 400) == E.MEMBER_NOT_ACTIVE
    assert balance(member) == 2000


def test_buying_points_needs_the_payment_receipt(pos, member, glass, give_points, purchase_settings):
    give_points(member, 400)
    response = post(pos, "/redemptions", redeem_body(reward="GLASS", buy_points=100))
    assert error(response, 400) == E.PAYMENT_REFERENCE_REQUIRED
    assert response.json()["field"] == "payment_reference"


def test_an_erp_key_names_the_branch(erp, member, glass, give_points):
    give_points(member, 500)
    assert error(post(erp, "/redemptions", redeem_body(reward="GLASS")), 400) == A.E_BRANCH_REQUIRED
    assert error(post(erp, "/redemptions", redeem_body(reward="GLASS", branch="B9")), 404) == A.E_UNKNOWN_BRANCH
    response = post(erp, "/redemptions", redeem_body(reward="GLASS", branch="B1"))
    assert response.status_code == 201, response.content
    assert response.json()["branch"] == "B1"


def test_a_pos_cannot_cancel_a_slip_of_another_branch(org, erp, pos, member, branch2, tote_bag, give_points):
    # given a bag redeemed at B2 through the ERP
    give_points(member, 300)
    number = post(erp, "/redemptions", redeem_body(branch="B2")).json()["number"]
    # when the B1 POS tries to cancel it
    response = post(pos, f"/redemptions/{number}/cancel", {"reason": "oops"})
    # then it is refused and the slip stands
    assert error(response, 403) == E.BRANCH_NOT_ALLOWED
    assert Redemption.objects.get(number=number).status == "done"
    assert error(post(pos, "/redemptions/RD9999999/cancel", {"reason": "x"}), 404) == A.E_REDEMPTION_NOT_FOUND
    assert error(post(pos, f"/redemptions/{number}/cancel", {"reason": ""}), 422) == "invalid_input"
    assert error(get(pos, "/redemptions/RD9999999"), 404) == A.E_REDEMPTION_NOT_FOUND


def test_a_cashier_session_is_held_to_their_branch(staff_client, member, branch2, tote_bag, give_points):
    # given a cashier of B1 logged in to the back office
    give_points(member, 600)
    cashier = staff_client(Role.CASHIER)
    # when they redeem at B2, then at B1
    assert error(post(cashier, "/redemptions", redeem_body(branch="B2")), 403) == E.BRANCH_NOT_ALLOWED
    response = post(cashier, "/redemptions", redeem_body(branch="B1"))
    assert response.status_code == 201, response.content
    # and a B2-only counter does not even see that slip
    counter_b2 = staff_client(Role.SERVICE_COUNTER, branches=[branch2], username="b2counter")
    assert error(get(counter_b2, f"/redemptions/{response.json()['number']}"), 404) == A.E_REDEMPTION_NOT_FOUND
    # and an auditor may read it but not redeem
    auditor = staff_client(Role.AUDITOR, username="auditor")
    assert get(auditor, f"/redemptions/{response.json()['number']}").status_code == 200
    assert error(post(auditor, "/redemptions", redeem_body(branch="B1")), 403) == "forbidden"


def test_a_retried_redemption_with_the_same_idempotency_key_redeems_once(pos, member, tote_bag, give_points):
    # given 1,000 points
    give_points(member, 1000)
    # when the POS times out and sends the same request again with its Idempotency-Key
    first = post(pos, "/redemptions", redeem_body(), HTTP_IDEMPOTENCY_KEY="pos-b1-t1-0001")
    again = post(pos, "/redemptions", redeem_body(), HTTP_IDEMPOTENCY_KEY="pos-b1-t1-0001")
    # then one slip, the same answer byte for byte, 300 points spent once
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.content == first.content and again["Idempotent-Replayed"] == "true"
    assert Redemption.objects.count() == 1 and balance(member) == 700
    assert Reward.objects.get(pk=tote_bag.pk).stock == 4
    # and the same key with another body is refused
    other = post(pos, "/redemptions", redeem_body(quantity=2), HTTP_IDEMPOTENCY_KEY="pos-b1-t1-0001")
    assert error(other, 409) == "idempotency_mismatch"
    consistent()


# --- what a member can redeem -------------------------------------------------------------------


def test_the_member_rewards_list_says_why_not(pos, org, member, tote_bag, glass, give_points, django_assert_max_num_queries):
    # given 350 points, the bags sold out, a mug for 100 points
    give_points(member, 350)
    Reward.objects.filter(pk=tote_bag.pk).update(stock=0)
    Reward.objects.create(organization=org, code="MUG", name="แก้วมัค", points_cost=100)
    # when the POS asks what the member can have now
    with django_assert_max_num_queries(12):
        response = get(pos, "/members/M0000001/rewards")
    # then the mug is redeemable, the bag out of stock, the glass short of points
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["member"], body["branch"], body["spendable"]) == ("M0000001", "B1", 350)
    why = {r["code"]: (r["redeemable"], r["refusal"]) for r in body["rewards"]}
    assert why == {
        "MUG": (True, ""), "BAG": (False, E.OUT_OF_STOCK), "GLASS": (False, E.INSUFFICIENT_POINTS),
    }
    glass_row = next(r for r in body["rewards"] if r["code"] == "GLASS")
    assert (glass_row["stock_left"], glass_row["shortfall"], glass_row["cash_copay"]) == (3, 150, "20.00")
    assert error(get(pos, "/members/M9999999/rewards"), 404) == E.MEMBER_NOT_FOUND


def test_the_member_rewards_list_does_not_grow_queries_with_the_catalog(pos, org, member, give_points, django_assert_max_num_queries):
    give_points(member, 50)
    for i in range(30):
        Reward.objects.create(organization=org, code=f"R{i}", name=f"ของรางวัล {i}", points_cost=10 + i)
    with django_assert_max_num_queries(12):
        response = get(pos, "/members/M0000001/rewards")
    assert len(response.json()["rewards"]) == 30


# --- coupons ------------------------------------------------------------------------------------


def test_a_cash_coupon_is_issued_for_points_and_used_once_at_the_till(pos, member, cash100, give_points):
    # given 2,500 points
    give_points(member, 2500)
    # when the counter issues a 100-baht cash coupon
    issued = post(pos, "/coupons", {"template": "CASH100", "member": {"code": "M0000001"}})
    # then 1,000 points pay for it and it is valid for 30 days
    assert issued.status_code == 201, issued.content
    coupon = issued.json()
    assert (coupon["status"], coupon["kind"], coupon["value"], coupon["points"]) == ("issued", "cash", "100.00", 1000)
    assert coupon["member"] == "M0000001" and coupon["expires_at"].endswith("+07:00")
    assert len(coupon["code"]) == 12 and coupon["display_code"].count("-") == 2
    assert balance(member) == 1500
    # and it reads back by its printed code
    read = get(pos, f"/coupons/{coupon['display_code'].lower()}")
    assert read.status_code == 200 and read.json()["code"] == coupon["code"]
    # when the till uses it on a 350-baht bill
    used = post(pos, f"/coupons/{coupon['code']}/use",
                {"member": {"phone": "+66812345678"}, "bill_amount": "350.00", "receipt_id": "B1-T1-000200"})
    # then it pays 100 baht, once
    assert used.status_code == 200, used.content
    assert (used.json()["status"], used.json()["used_amount"], used.json()["used_branch"]) == ("used", "100.00", "B1")
    assert used.json()["used_bill_reference"] == "B1-T1-000200"
    again = post(pos, f"/coupons/{coupon['code']}/use",
                 {"member": {"code": "M0000001"}, "bill_amount": "350.00", "receipt_id": "B1-T1-000201"})
    assert error(again, 409) == E.COUPON_USED
    # and a used coupon cannot be cancelled
    assert error(post(pos, f"/coupons/{coupon['code']}/cancel", {"reason": "x"}), 409) == E.COUPON_USED
    consistent()


def test_a_cancelled_coupon_gives_its_points_back(pos, member, cash100, give_points):
    give_points(member, 1000)
    code = post(pos, "/coupons", {"template": "CASH100", "member": {"code": "M0000001"}}).json()["code"]
    assert balance(member) == 0
    response = post(pos, f"/coupons/{code}/cancel", {"reason": "พิมพ์ผิดใบ"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "cancelled" and response.json()["cancel_reason"] == "พิมพ์ผิดใบ"
    assert balance(member) == 1000
    assert error(post(pos, f"/coupons/{code}/cancel", {"reason": "again"}), 409) == E.ALREADY_CANCELLED
    use = post(pos, f"/coupons/{code}/use", {"member": {"code": "M0000001"}, "bill_amount": "500", "receipt_id": "R"})
    assert error(use, 400) == E.COUPON_CANCELLED
    consistent()


def test_a_drinks_discount_coupon_applies_to_the_drinks_lines_only(pos, member, drinks10, give_points):
    # given a 10 %-off-drinks coupon (bills of 200 baht or more)
    give_points(member, 200)
    code = post(pos, "/coupons", {"template": "DRINK10", "member": {"code": "M0000001"}}).json()["code"]
    body = {
        "member": {"code": "M0000001"}, "bill_amount": "450.00", "receipt_id": "B1-T1-000300",
        "lines": [{"sku": "COLA", "category": "DRINKS", "amount": "125.50"},
                  {"sku": "RICE", "category": "FOOD", "amount": "324.50"}],
    }
    # then a bill without drinks, or below 200 baht, is refused
    no_drinks = dict(body, lines=[{"sku": "RICE", "category": "FOOD", "amount": "450.00"}])
    assert error(post(pos, f"/coupons/{code}/use", no_drinks), 400) == E.COUPON_NOT_APPLICABLE
    assert error(post(pos, f"/coupons/{code}/use", dict(body, bill_amount="150.00")), 400) == E.BELOW_MINIMUM_SPEND
    # when used on the bill with 125.50 baht of drinks
    used = post(pos, f"/coupons/{code}/use", body)
    # then 10 % of the drinks, rounded down to the cent
    assert used.status_code == 200, used.content
    assert (used.json()["kind"], used.json()["discount_kind"], used.json()["used_amount"]) == ("discount", "percent", "12.55")


def test_coupon_refusals(pos, org, member, member_type, cash100, give_points):
    give_points(member, 3000)
    other = MemberFactory(organization=org, member_type=member_type, code="M0000002")
    code = post(pos, "/coupons", {"template": "CASH100", "member": {"code": "M0000001"}}).json()["code"]
    use = {"member": {"code": "M0000002"}, "bill_amount": "500.00", "receipt_id": "R1"}
    assert error(post(pos, f"/coupons/{code}/use", use), 400) == E.COUPON_NOT_YOURS
    Coupon.objects.filter(code=code).update(expires_at=timezone.now() - timezone.timedelta(minutes=1))
    assert error(post(pos, f"/coupons/{code}/use", dict(use, member={"code": "M0000001"})), 400) == E.COUPON_EXPIRED
    assert error(post(pos, "/coupons/NOSUCHCOUPON/use", use), 404) == E.COUPON_NOT_FOUND
    assert error(get(pos, "/coupons/NOSUCHCOUPON"), 404) == E.COUPON_NOT_FOUND
    assert error(post(pos, f"/coupons/{code}/use", dict(use, bill_amount="-1")), 422) == "invalid_input"
    assert error(post(pos, f"/coupons/{code}/use", dict(use, branch="B2")), 403) == E.BRANCH_NOT_ALLOWED
    # issuing: unknown coupon type, the limit of two, not enough points, a gift without coupons.manage
    issue = {"template": "CASH100", "member": {"code": "M0000001"}}
    assert error(post(pos, "/coupons", dict(issue, template="NOPE")), 404) == A.E_TEMPLATE_NOT_FOUND
    assert post(pos, "/coupons", issue).status_code == 201
    assert error(post(pos, "/coupons", issue), 400) == E.COUPON_LIMIT_REACHED
    assert error(post(pos, "/coupons", dict(issue, member={"code": "M0000002"})), 400) == E.INSUFFICIENT_POINTS
    assert error(post(pos, "/coupons", dict(issue, member={"code": "M0000002"}, charge_points=False)), 403) == "forbidden"
    CouponTemplate.objects.filter(pk=cash100.pk).update(is_active=False)
    assert error(post(pos, "/coupons", dict(issue, member={"code": "M0000002"})), 400) == E.COUPON_TEMPLATE_INACTIVE
    assert not PointAccount.objects.filter(member=other, spendable__gt=0).exists()
    assert balance(member) == 1000


def test_marketing_gives_a_coupon_as_a_gift(marketing, member, cash100):
    response = post(marketing, "/coupons", {"template": "CASH100", "member": {"code": "M0000001"}, "charge_points": False})
    assert response.status_code == 201, response.content
    assert response.json()["points"] == 0


# --- points as money ----------------------------------------------------------------------------


def test_the_points_discount_quote_of_the_user_guide(pos, org, member, give_points):
    # given no rule yet: points are not money
    give_points(member, 5000)
    body = {"member": {"code": "M0000001"}, "bill_amount": "1000.00"}
    assert error(post(pos, "/points-discount/quote", body), 400) == E.NO_DISCOUNT_RULE
    # given 10 points = 1 baht, at most 30 % of the bill and 50 % of the balance
    PointsDiscountRule.objects.create(
        organization=org, points_per_unit=10, max_bill_percent=Decimal("30"), max_balance_percent=Decimal("50")
    )
    # when the till asks for a 1,000-baht bill
    response = post(pos, "/points-discount/quote", body)
    # then 2,500 points = 250.00 baht (the balance cap), and nothing is spent
    assert response.status_code == 200, response.content
    assert response.json() == {
        "member": "M0000001", "spendable": 5000, "max_points": 2500, "max_amount": "250.00",
        "bill_cap_points": 3000, "balance_cap_points": 2500, "min_points": 0,
    }
    assert balance(member) == 5000


# --- configuration ------------------------------------------------------------------------------

MANAGEMENT = [
    ("get", "/rewards", None),
    ("post", "/rewards", {"code": "X", "name": "X", "points_cost": 1}),
    ("get", "/rewards/BAG", None),
    ("patch", "/rewards/BAG", {"name": "Y"}),
    ("post", "/rewards/BAG/stock", {"delta": 1}),
    ("get", "/coupon-templates", None),
    ("post", "/coupon-templates", {"code": "X", "name": "X", "value": "1"}),
    ("get", "/coupon-templates/CASH100", None),
    ("patch", "/coupon-templates/CASH100", {"name": "Y"}),
    ("get", "/points-discount/rules", None),
    ("put", "/points-discount/rules", {"rules": [{"points_per_unit": 10}]}),
]


def call(client, method, path, body):
    if method == "get":
        return get(client, path)
    return getattr(client, method)(V1 + path, data=json.dumps(body), content_type="application/json")


@pytest.mark.parametrize(("method", "path", "body"), MANAGEMENT)
def test_a_pos_key_cannot_configure(pos, tote_bag, cash100, method, path, body):
    assert error(call(pos, method, path, body), 403) == "forbidden"


@pytest.mark.parametrize(("method", "path", "body"), MANAGEMENT)
def test_a_managing_key_and_marketing_staff_can_configure(marketing, staff_client, tote_bag, cash100, method, path, body):
    assert call(marketing, method, path, body).status_code in (200, 201)
    if method == "get":
        assert call(staff_client(Role.MARKETING), method, path, body).status_code == 200
        assert error(call(staff_client(Role.CASHIER, username="c1"), method, path, body), 403) == "forbidden"


def test_marketing_sets_up_a_reward_over_the_api(marketing, org, member_type, branch, branch2):
    # when marketing adds a per-branch umbrella for general members
    body = {
        "code": "umbrella", "name": "ร่ม", "name_en": "Umbrella", "points_cost": 800, "cash_copay": "49.5",
        "member_types": ["GEN"], "valid_from_on": "2026-01-01", "valid_to_on": "2026-12-31",
        "stock_mode": "per_branch", "limit_quantity": 1, "limit_period": "year",
    }
    created = post(marketing, "/rewards", body)
    # then it is stored as the screens would store it
    assert created.status_code == 201, created.content
    reward = created.json()
    assert (reward["code"], reward["cash_copay"], reward["member_types"], reward["stock"]) == ("UMBRELLA", "49.50", ["GEN"], None)
    # and the same code again, reversed dates, an unknown member type are refused
    assert error(post(marketing, "/rewards", body), 409) == E.CODE_TAKEN
    assert error(post(marketing, "/rewards", dict(body, code="U2", valid_to_on="2025-01-01")), 400) == E.VALUE_INVALID
    assert error(post(marketing, "/rewards", dict(body, code="U3", member_types=["VIP"])), 400) == A.E_UNKNOWN_MEMBER_TYPE
    assert error(post(marketing, "/rewards", dict(body, code="U4", points_cost=0)), 422) == "invalid_input"
    # when 10 arrive at B2 (the branch must be named by an unscoped key)
    assert error(post(marketing, "/rewards/UMBRELLA/stock", {"delta": 10}), 400) == A.E_BRANCH_REQUIRED
    stock = post(marketing, "/rewards/UMBRELLA/stock", {"delta": 10, "branch": "B2", "reason": "ของเข้า"})
    assert stock.json() == {"reward": "UMBRELLA", "branch": "B2", "quantity": 10}
    assert error(post(marketing, "/rewards/UMBRELLA/stock", {"delta": -11, "branch": "B2"}), 400) == E.OUT_OF_STOCK
    assert error(post(marketing, "/rewards/UMBRELLA/stock", {"delta": 0, "branch": "B2"}), 400) == E.QUANTITY_INVALID
    # when only its name changes
    changed = patch(marketing, "/rewards/umbrella", {"name": "ร่มกันแดด", "valid_to_on": None})
    # then the rest stays (code, member types, copay), the end date is cleared
    assert changed.status_code == 200, changed.content
    after = changed.json()
    assert (after["name"], after["code"], after["member_types"], after["cash_copay"]) == ("ร่มกันแดด", "UMBRELLA", ["GEN"], "49.50")
    assert after["valid_to_on"] is None and after["branch_stock"] == [{"branch": "B2", "quantity": 10}]
    assert get(marketing, "/rewards/UMBRELLA").json() == after
    assert error(get(marketing, "/rewards/NOPE"), 404) == A.E_REWARD_NOT_FOUND
    assert error(patch(marketing, "/rewards/NOPE", {"name": "x"}), 404) == A.E_REWARD_NOT_FOUND


def test_stock_of_a_global_and_an_unlimited_reward(marketing, org, tote_bag):
    assert post(marketing, "/rewards/BAG/stock", {"delta": 3}).json() == {"reward": "BAG", "branch": None, "quantity": 8}
    Reward.objects.create(organization=org, code="EBOOK", name="อีบุ๊ก", points_cost=10)
    assert error(post(marketing, "/rewards/EBOOK/stock", {"delta": 3}), 400) == E.VALUE_INVALID


def test_the_reward_list_is_paged_with_fixed_queries(marketing, org, branch, django_assert_max_num_queries):
    for i in range(25):
        r = Reward.objects.create(organization=org, code=f"R{i:02d}", name=f"ของ {i}", points_cost=100 + i,
                                  stock_mode=Reward.StockMode.PER_BRANCH)
        RewardStock.objects.create(organization=org, reward=r, branch=branch, quantity=i)
    with django_assert_max_num_queries(8):
        page = get(marketing, "/rewards", limit=10, offset=20)
    assert page.status_code == 200, page.content
    body = page.json()
    assert (body["count"], len(body["items"])) == (25, 5)
    assert body["items"][0]["code"] == "R20" and body["items"][0]["branch_stock"] == [{"branch": "B1", "quantity": 20}]


def test_marketing_sets_up_a_coupon_type(marketing, member_type, django_assert_max_num_queries):
    body = {
        "code": "snack20", "name": "ลด 20 บาท ขนม", "kind": "discount", "discount_kind": "amount", "value": "20",
        "min_spend": "100", "category_codes": ["SNACK"], "points_cost": 150, "validity_days": 14,
        "per_member_limit": 3, "member_types": ["GEN"],
    }
    created = post(marketing, "/coupon-templates", body)
    assert created.status_code == 201, created.content
    assert (created.json()["code"], created.json()["value"], created.json()["member_types"]) == ("SNACK20", "20.00", ["GEN"])
    assert error(post(marketing, "/coupon-templates", body), 409) == E.CODE_TAKEN
    pct = dict(body, code="PCT", discount_kind="percent", value="150")
    assert error(post(marketing, "/coupon-templates", pct), 400) == E.VALUE_INVALID
    assert error(post(marketing, "/coupon-templates", dict(body, code="ZERO", value="0")), 400) == E.VALUE_INVALID
    changed = patch(marketing, "/coupon-templates/snack20", {"value": "25", "per_member_limit": None})
    assert changed.status_code == 200, changed.content
    assert (changed.json()["value"], changed.json()["per_member_limit"], changed.json()["kind"]) == ("25.00", None, "discount")
    assert changed.json()["category_codes"] == ["SNACK"] and changed.json()["member_types"] == ["GEN"]
    assert get(marketing, "/coupon-templates/SNACK20").json() == changed.json()
    assert error(get(marketing, "/coupon-templates/NOPE"), 404) == A.E_TEMPLATE_NOT_FOUND
    with django_assert_max_num_queries(8):
        listed = get(marketing, "/coupon-templates")
    assert [t["code"] for t in listed.json()["items"]] == ["SNACK20"]


def test_marketing_sets_points_as_money_per_member_type(marketing, org, member_type):
    gold = MemberTypeFactory(organization=org, code="GOLD")
    # when the default and the gold rules are put
    response = put(marketing, "/points-discount/rules", {"rules": [
        {"member_type": None, "points_per_unit": 10, "max_bill_percent": "30", "max_balance_percent": "50"},
        {"member_type": "GOLD", "points_per_unit": 5, "min_points": 100},
    ]})
    # then both are listed, the default first
    assert response.status_code == 200, response.content
    assert response.json()["rules"] == [
        {"member_type": None, "points_per_unit": 10, "per_amount": "1.00", "min_points": 0, "max_bill_percent": "30.00",
         "max_balance_percent": "50.00", "is_active": True},
        {"member_type": "GOLD", "points_per_unit": 5, "per_amount": "1.00", "min_points": 100, "max_bill_percent": "100.00",
         "max_balance_percent": "100.00", "is_active": True},
    ]
    # when gold changes alone, the default stays
    again = put(marketing, "/points-discount/rules", {"rules": [{"member_type": "GOLD", "points_per_unit": 4}]})
    assert [r["points_per_unit"] for r in again.json()["rules"]] == [10, 4]
    assert PointsDiscountRule.objects.filter(organization=org).count() == 2
    assert get(marketing, "/points-discount/rules").json() == again.json()
    # and bad input is refused, nothing half-saved
    twice = {"rules": [{"member_type": "GEN", "points_per_unit": 3}, {"member_type": "GEN", "points_per_unit": 2}]}
    assert error(put(marketing, "/points-discount/rules", twice), 400) == E.VALUE_INVALID
    unknown = {"rules": [{"member_type": "GEN", "points_per_unit": 3}, {"member_type": "VIP", "points_per_unit": 2}]}
    assert error(put(marketing, "/points-discount/rules", unknown), 400) == A.E_UNKNOWN_MEMBER_TYPE
    assert error(put(marketing, "/points-discount/rules", {"rules": [{"points_per_unit": 0}]}), 422) == "invalid_input"
    assert error(put(marketing, "/points-discount/rules", {"rules": [{"points_per_unit": 1, "max_bill_percent": "101"}]}), 422) == "invalid_input"
    assert PointsDiscountRule.objects.filter(organization=org).count() == 2
    assert gold.pk


# --- tenancy ------------------------------------------------------------------------------------


def test_another_organizations_objects_are_not_found(pos, org, other_org, member, tote_bag, cash100, give_points):
    # given a redemption and a coupon at the mini-mart
    give_points(member, 2000)
    number = post(pos, "/redemptions", redeem_body()).json()["number"]
    code = post(pos, "/coupons", {"template": "CASH100", "member": {"code": "M0000001"}}).json()["code"]
    # when another shop's keys ask for them
    other_branch = BranchFactory(organization=other_org, code="B1")
    other_pos = key_client(other_org, terminal=TerminalFactory(organization=other_org, branch=other_branch, code="T1"))
    other_admin = key_client(other_org, can_manage=True)
    # then nothing is found, nothing moves
    assert error(get(other_pos, f"/redemptions/{number}"), 404) == A.E_REDEMPTION_NOT_FOUND
    assert error(post(other_pos, f"/redemptions/{number}/cancel", {"reason": "x"}), 404) == A.E_REDEMPTION_NOT_FOUND
    assert error(get(other_pos, f"/coupons/{code}"), 404) == E.COUPON_NOT_FOUND
    assert error(post(other_pos, f"/coupons/{code}/cancel", {"reason": "x"}), 404) == E.COUPON_NOT_FOUND
    assert error(get(other_pos, "/members/M0000001/rewards"), 404) == E.MEMBER_NOT_FOUND
    assert error(post(other_pos, "/redemptions", redeem_body()), 404) == E.MEMBER_NOT_FOUND
    assert error(get(other_admin, "/rewards/BAG"), 404) == A.E_REWARD_NOT_FOUND
    assert error(get(other_admin, "/coupon-templates/CASH100"), 404) == A.E_TEMPLATE_NOT_FOUND
    assert error(post(other_admin, "/rewards", {"code": "X", "name": "X", "points_cost": 5, "member_types": ["GEN"]}), 400) == A.E_UNKNOWN_MEMBER_TYPE
    assert Redemption.objects.get(number=number).status == "done" and balance(member) == 700
    assert error(post(key_client(org), "/redemptions", redeem_body(branch="B9")), 404) == A.E_UNKNOWN_BRANCH


def test_no_key_no_answer(client, member, tote_bag):
    assert error(client.get(V1 + "/rewards"), 401) == "unauthorized"
    assert error(client.post(V1 + "/redemptions", data="{}", content_type="application/json"), 401) == "unauthorized"


# --- the race (PostgreSQL) ----------------------------------------------------------------------


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_eight_tills_race_for_the_last_three_bags_through_the_api(org, terminal, member_type, tote_bag, give_points):
    # given 3 bags left and 8 members with enough points, at one POS key
    Reward.objects.filter(pk=tote_bag.pk).update(stock=3)
    members = [MemberFactory(organization=org, member_type=member_type) for _ in range(8)]
    for m in members:
        give_points(m, 300)
    issued = api_key_create(organization_id=org.id, label="POS", actor=Actor.system(), terminal=terminal,
                            rate_limit_per_minute=100000)
    barrier = threading.Barrier(len(members))
    answers: list = [None] * len(members)

    def till(i: int, code: str) -> None:
        try:
            c = Client(HTTP_AUTHORIZATION=f"Bearer {issued.key}")
            barrier.wait()
            r = post(c, "/redemptions", redeem_body(member=code))
            answers[i] = (r.status_code, r.json().get("code"))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            answers[i] = ("crash", repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=till, args=(i, m.code)) for i, m in enumerate(members)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    # then exactly three 201s, five out of stock, stock 0, nobody below zero
    assert sorted(answers, key=str) == sorted([(201, None)] * 3 + [(409, E.OUT_OF_STOCK)] * 5, key=str), answers
    assert Reward.objects.get(pk=tote_bag.pk).stock == 0
    assert sorted(balance(m) for m in members) == [0, 0, 0] + [300] * 5
    consistent()


# --- any input (the shared suite fuzzes with a POS key; this one configures too) ----------------


def _fuzz_schema():  # type: ignore[no-untyped-def]
    from sasom.wsgi import application

    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application).include(
        path_regex=r"/(redemptions|coupons|coupon-templates|rewards|points-discount)"
    )


fuzz_schema = _fuzz_schema()


@pytest.fixture
def managing_pos_key(org, terminal, member, tote_bag, glass, cash100, drinks10, give_points, purchase_settings):
    """A managing key at B1, and a shop with rewards, coupon types, a rule and issued coupons."""
    from django.core import signals
    from django.db import close_old_connections

    from sasom.rewards.services import coupon_issue

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    give_points(member, 100000)
    PointsDiscountRule.objects.create(organization=org, points_per_unit=10)
    coupon_issue(member=member, template=cash100, actor=Actor.system())
    yield api_key_create(
        organization_id=org.id, label="fuzz", actor=Actor.system(), terminal=terminal, can_manage=True,
        rate_limit_per_minute=100000,
    ).key
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@fuzz_schema.parametrize()
@db_property(max_examples=25)
def test_rewards_api_never_fails_on_any_input(case, managing_pos_key):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {managing_pos_key}"},
        excluded_checks=[schemathesis.checks.positive_data_acceptance],
    )
