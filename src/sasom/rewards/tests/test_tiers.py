"""Rewards and coupon types for some tiers only (docs/tiers.md, "Benefits"; docs/rewards.md).

The shop's ladder: Basic from 500 points, Gold from 1,000. A Gold mug and a Gold voucher are
offered to Gold members only; the tote bag to everyone."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from sasom.core.audit import Actor
from sasom.core.errors import DomainError
from sasom.integrations import auth
from sasom.integrations.services import api_key_create
from sasom.organizations.models import Role
from sasom.portal.selectors import portal_rewards
from sasom.rewards import errors as E
from sasom.rewards.models import Coupon, CouponTemplate, Reward
from sasom.rewards.selectors import coupon_templates_offered, reward_options
from sasom.rewards.services import (
    coupon_issue,
    coupon_template_save,
    coupons_bulk_preview,
    reward_redeem,
    reward_save,
)
from sasom.testing.factories import MemberFactory
from sasom.tiers.models import MemberTier, Tier
from sasom.tiers.selectors import ladder_forget
from sasom.tiers.services import TierIn, ladder_configure

pytestmark = pytest.mark.django_db

V1 = "/api/v1"


@pytest.fixture(autouse=True)
def _fresh_caches():
    ladder_forget()
    auth._cache.clear()
    auth._buckets.clear()
    yield
    ladder_forget()
    auth._cache.clear()
    auth._buckets.clear()


@pytest.fixture
def ladder(org):
    return ladder_configure(
        organization_id=org.pk, actor=Actor.system(), name="Somchai Mart",
        tiers=[TierIn(code="BASIC", name="Basic", threshold=500), TierIn(code="GOLD", name="Gold", threshold=1000)],
    )


def put_in_tier(member, code: str) -> None:
    tier = Tier.objects.get(organization_id=member.organization_id, code=code)
    MemberTier.objects.update_or_create(organization_id=member.organization_id, member=member,
                                        defaults={"tier": tier})


@pytest.fixture
def gold_mug(org, ladder):
    """แก้วทอง: 200 points, Gold members only."""
    return reward_save(organization=org, actor=Actor.system(), tiers=["GOLD"],
                       data={"code": "GOLDMUG", "name": "แก้วทอง", "points_cost": 200})


@pytest.fixture
def gold_voucher(org, ladder):
    return coupon_template_save(
        organization=org, actor=Actor.system(), tiers=["GOLD"],
        data={"code": "GOLD50", "name": "คูปองทอง 50 บาท", "kind": CouponTemplate.Kind.CASH, "value": Decimal("50"),
              "points_cost": 100, "validity_days": 30},
    )


def test_a_gold_reward_is_offered_and_redeemed_only_by_gold_members(
    org, member, branch, tote_bag, gold_mug, give_points, actor
):
    # given Somchai (no tier yet) holds 1,000 points
    give_points(member, 1000)
    # then the counter offers him the tote bag, not the Gold mug
    assert {o.reward.code for o in reward_options(member, branch=branch, spendable=1000)} == {"BAG"}
    # and a redemption is refused with the tier's code, nothing spent
    with pytest.raises(DomainError) as refused:
        reward_redeem(member=member, reward=gold_mug, branch=branch, actor=actor)
    assert (refused.value.code, refused.value.field) == (E.NOT_ALLOWED_FOR_TIER, "reward")
    # the same for a Basic member
    put_in_tier(member, "BASIC")
    assert {o.reward.code for o in reward_options(member, branch=branch, spendable=1000)} == {"BAG"}
    with pytest.raises(DomainError):
        reward_redeem(member=member, reward=gold_mug, branch=branch, actor=actor)
    # when he reaches Gold
    put_in_tier(member, "GOLD")
    # then the mug is offered and redeemed
    assert {o.reward.code for o in reward_options(member, branch=branch, spendable=1000)} == {"BAG", "GOLDMUG"}
    assert [r.code for r in portal_rewards(member)] == ["GOLDMUG", "BAG"]
    assert reward_redeem(member=member, reward=gold_mug, branch=branch, actor=actor).points == 200


def test_the_portal_does_not_show_a_reward_of_another_tier(member, tote_bag, gold_mug):
    put_in_tier(member, "BASIC")
    assert [r.code for r in portal_rewards(member)] == ["BAG"]


def test_a_tier_limit_names_tiers_of_the_ladder(org, ladder):
    with pytest.raises(DomainError) as refused:
        reward_save(organization=org, actor=Actor.system(), tiers=["GOLD", "DIAMOND"],
                    data={"code": "X", "name": "x", "points_cost": 1})
    assert (refused.value.code, refused.value.field) == (E.UNKNOWN_TIER, "tiers")
    assert "DIAMOND" in refused.value.message
    assert not Reward.objects.filter(code="X").exists()
    with pytest.raises(DomainError) as refused:
        coupon_template_save(organization=org, actor=Actor.system(), tiers=["SILVER"],
                             data={"code": "C", "name": "c", "kind": "cash", "value": Decimal("5")})
    assert (refused.value.code, refused.value.field) == (E.UNKNOWN_TIER, "tiers")


def test_a_gold_coupon_is_offered_issued_and_bulk_issued_to_gold_members_only(
    org, member_type, member, cash100, gold_voucher, give_points, actor
):
    # given Somchai (Basic) with points and a Gold member
    give_points(member, 2000)
    put_in_tier(member, "BASIC")
    gold = MemberFactory(organization=org, member_type=member_type)
    put_in_tier(gold, "GOLD")
    give_points(gold, 2000)
    # then the Gold voucher is offered to the Gold member only
    assert {t.code for t in coupon_templates_offered(member)} == {"CASH100"}
    assert {t.code for t in coupon_templates_offered(gold)} == {"CASH100", "GOLD50"}
    # and issuing it to Somchai is refused
    with pytest.raises(DomainError) as refused:
        coupon_issue(member=member, template=gold_voucher, actor=actor)
    assert (refused.value.code, refused.value.field) == (E.NOT_ALLOWED_FOR_TIER, "template")
    assert coupon_issue(member=gold, template=gold_voucher, actor=actor).member_id == gold.pk
    # and a bulk issue counts and reaches the Gold member only
    assert coupons_bulk_preview(organization=org, template=gold_voucher, conditions=[]).count == 1


def test_a_limited_reward_is_offered_to_nobody_when_the_ladder_is_off(org, member, branch, gold_mug, actor, give_points):
    # given Somchai is Gold, then the ladder is switched off
    give_points(member, 1000)
    put_in_tier(member, "GOLD")
    ladder_configure(organization_id=org.pk, actor=Actor.system(), name="off", is_active=False,
                     tiers=[TierIn(code="BASIC", name="Basic", threshold=500),
                            TierIn(code="GOLD", name="Gold", threshold=1000)])
    # then nobody has a tier, and the Gold mug is not offered nor redeemed
    assert reward_options(member, branch=branch, spendable=1000) == []
    with pytest.raises(DomainError) as refused:
        reward_redeem(member=member, reward=gold_mug, branch=branch, actor=actor)
    assert refused.value.code == E.NOT_ALLOWED_FOR_TIER


# --- API ------------------------------------------------------------------------------------------


def _client(org, **kwargs) -> Client:
    issued = api_key_create(organization_id=org.id, label=kwargs.pop("label", "key"), actor=Actor.system(),
                            rate_limit_per_minute=100000, **kwargs)
    return Client(HTTP_AUTHORIZATION=f"Bearer {issued.key}")


def _send(client, method: str, path: str, body):
    return getattr(client, method)(V1 + path, data=json.dumps(body), content_type="application/json")


def test_the_api_sets_tiers_and_refuses_unknown_ones(org, ladder):
    marketing = _client(org, label="marketing tool", can_manage=True)
    # an unknown tier is a 400 naming the field
    bad = _send(marketing, "post", "/rewards", {"code": "MUG", "name": "แก้ว", "points_cost": 100, "tiers": ["NOPE"]})
    assert bad.status_code == 400, bad.content
    assert (bad.json()["code"], bad.json()["field"]) == (E.UNKNOWN_TIER, "tiers")
    created = _send(marketing, "post", "/rewards", {"code": "MUG", "name": "แก้ว", "points_cost": 100, "tiers": ["GOLD"]})
    assert created.status_code == 201, created.content
    assert created.json()["tiers"] == ["GOLD"]
    # a PATCH without tiers keeps them; [] clears them
    kept = _send(marketing, "patch", "/rewards/MUG", {"points_cost": 120})
    assert kept.json()["tiers"] == ["GOLD"]
    cleared = _send(marketing, "patch", "/rewards/MUG", {"tiers": []})
    assert cleared.json()["tiers"] == []
    # coupon types the same
    bad = _send(marketing, "post", "/coupon-templates",
                {"code": "G50", "name": "คูปอง", "kind": "cash", "value": "50", "tiers": ["PLATINUM"]})
    assert bad.status_code == 400 and (bad.json()["code"], bad.json()["field"]) == (E.UNKNOWN_TIER, "tiers")
    created = _send(marketing, "post", "/coupon-templates",
                    {"code": "G50", "name": "คูปอง", "kind": "cash", "value": "50", "tiers": ["GOLD", "BASIC"]})
    assert created.status_code == 201, created.content
    assert created.json()["tiers"] == ["GOLD", "BASIC"]
    assert _send(marketing, "patch", "/coupon-templates/G50", {"tiers": ["GOLD"]}).json()["tiers"] == ["GOLD"]


def test_the_pos_is_refused_a_gold_reward_for_a_basic_member(org, terminal, member, tote_bag, gold_mug,
                                                             gold_voucher, give_points):
    pos = _client(org, label="POS B1-T1", terminal=terminal)
    give_points(member, 1000)
    put_in_tier(member, "BASIC")
    # the member's rewards list leaves the Gold mug out
    listed = pos.get(V1 + "/members/M0000001/rewards").json()
    assert [r["code"] for r in listed["rewards"]] == ["BAG"]
    # redeeming it or issuing the Gold coupon is refused with the tier's code
    refused = _send(pos, "post", "/redemptions", {"member": {"code": "M0000001"}, "reward": "GOLDMUG"})
    assert refused.status_code == 400 and refused.json()["code"] == E.NOT_ALLOWED_FOR_TIER
    refused = _send(pos, "post", "/coupons", {"template": "GOLD50", "member": {"code": "M0000001"}})
    assert refused.status_code == 400 and refused.json()["code"] == E.NOT_ALLOWED_FOR_TIER
    assert not Coupon.objects.exists()
    # the sale's quote offers the bag only
    body = {
        "occurred_at": "2026-11-15T11:30:00+07:00", "member": {"code": "M0000001"},
        "document_type": "retail_receipt", "bag_declined": False,
        "lines": [{"sku": "8850999", "category": "beauty", "brand": "X", "quantity": "1", "unit_price": "100.00",
                   "discount": "0"}],
        "bill_discount": "0", "redeem_points": 0, "coupons": [],
    }
    quote = _send(pos, "post", "/sales/quote", body)
    assert quote.status_code == 200, quote.content
    assert [r["code"] for r in quote.json()["rewards"]] == ["BAG"]
    # once Gold, the quote offers the mug too and the POS redeems it
    put_in_tier(member, "GOLD")
    assert {r["code"] for r in _send(pos, "post", "/sales/quote", body).json()["rewards"]} == {"BAG", "GOLDMUG"}
    done = _send(pos, "post", "/redemptions", {"member": {"code": "M0000001"}, "reward": "GOLDMUG"})
    assert done.status_code == 201, done.content


# --- back office ----------------------------------------------------------------------------------


def test_marketing_ticks_the_tiers_of_a_reward_and_the_counter_follows(staff_client, org, ladder, member, branch,
                                                                      tote_bag, give_points):
    client = staff_client(Role.MARKETING)
    form = client.get(reverse("rewards:reward_new"))
    assert "tiers" in form.context["form"].fields
    response = client.post(
        reverse("rewards:reward_new"),
        {"code": "mug", "name": "แก้วทอง", "points_cost": 100, "cash_copay": "0", "stock_mode": "unlimited",
         "limit_period": "lifetime", "is_active": "on", "sort_order": 0, "tiers": ["GOLD"]},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    reward = Reward.objects.get(code="MUG")
    assert reward.tiers == ["GOLD"]
    assert "GOLD" in client.get(reverse("rewards:catalog")).content.decode()
    # the edit form shows the tier ticked
    assert client.get(reverse("rewards:reward_edit", args=[reward.pk])).context["form"].initial["tiers"] == ["GOLD"]
    # a coupon type too
    response = client.post(
        reverse("rewards:coupon_new"),
        {"code": "g50", "name": "คูปองทอง", "kind": "cash", "value": "50", "discount_kind": "amount", "min_spend": "0", "points_cost": 0, "validity_days": 14,
         "products": "", "categories": "", "is_active": "on", "tiers": ["BASIC", "GOLD"]},
    )
    assert response.status_code == 302, getattr(response, "context", None) and response.context["form"].errors
    assert CouponTemplate.objects.get(code="G50").tiers == ["BASIC", "GOLD"]
    # the counter does not offer the mug to a member without a tier
    give_points(member, 500)
    counter = staff_client(Role.SERVICE_COUNTER, username="counter")
    page = counter.get(reverse("rewards:counter"), {"q": "M0000001", "branch": branch.pk})
    assert page.status_code == 200 and page.context["member"] == member
    assert [o.reward.code for o in page.context["options"]] == ["BAG"]
    assert [t.code for t in page.context["coupon_templates"]] == []
    # a Gold member is offered both
    put_in_tier(member, "GOLD")
    page = counter.get(reverse("rewards:counter"), {"q": "M0000001", "branch": branch.pk})
    assert {o.reward.code for o in page.context["options"]} == {"BAG", "MUG"}
    assert [t.code for t in page.context["coupon_templates"]] == ["G50"]


def test_without_a_ladder_the_form_has_no_tiers(staff_client):
    client = staff_client(Role.MARKETING)
    assert "tiers" not in client.get(reverse("rewards:reward_new")).context["form"].fields
