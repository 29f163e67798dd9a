"""Setup services: validation with codes, audit, and the demo catalog."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from sasom.core.audit import Actor
from sasom.core.errors import DomainError
from sasom.core.models import AuditEvent
from sasom.rewards import errors as E
from sasom.rewards.demo import make_demo_rewards
from sasom.rewards.models import CouponTemplate, PointsDiscountRule, Reward, RewardStock
from sasom.rewards.services import (
    coupon_template_save,
    points_discount_rule_save,
    reward_save,
    reward_stock_adjust,
)
from sasom.testing.factories import MemberTypeFactory

pytestmark = pytest.mark.django_db
ACTOR = Actor.system("test")


def _reward_data(**kw):
    return {"code": "bag", "name": "ถุงผ้า", "points_cost": 300, "cash_copay": Decimal("0"), "stock_mode": "global",
            "limit_period": "lifetime", "is_active": True, "sort_order": 0, **kw}


def test_reward_save_validates_and_audits(org, other_org):
    reward = reward_save(organization=org, actor=ACTOR, data=_reward_data())
    assert reward.code == "BAG"
    assert AuditEvent.objects.filter(action="reward.create", object_id=str(reward.pk)).exists()
    with pytest.raises(DomainError) as info:
        reward_save(organization=org, actor=ACTOR, data=_reward_data())
    assert info.value.code == E.CODE_TAKEN and info.value.field == "code"
    with pytest.raises(DomainError) as info:
        reward_save(organization=org, actor=ACTOR, data=_reward_data(code="X", valid_from_on=dt.date(2026, 3, 1), valid_to_on=dt.date(2026, 2, 1)))
    assert info.value.code == E.VALUE_INVALID and info.value.field == "valid_to_on"
    with pytest.raises(DomainError) as info:
        reward_save(organization=org, actor=ACTOR, data=_reward_data(code="Y"), member_types=[MemberTypeFactory(organization=other_org)])
    assert info.value.field == "member_types"
    # a change is audited with its diff
    reward_save(organization=org, actor=ACTOR, data=_reward_data(points_cost=350), reward=reward)
    assert AuditEvent.objects.get(action="reward.update").changes["points_cost"] == [300, 350]


def test_stock_adjust_per_branch(org, branch, branch2):
    reward = reward_save(organization=org, actor=ACTOR, data=_reward_data(stock_mode="per_branch"))
    assert reward_stock_adjust(reward=reward, actor=ACTOR, delta=5, branch=branch) == 5
    with pytest.raises(DomainError) as info:
        reward_stock_adjust(reward=reward, actor=ACTOR, delta=-1, branch=branch2)
    assert info.value.code == E.OUT_OF_STOCK
    with pytest.raises(DomainError) as info:
        reward_stock_adjust(reward=reward, actor=ACTOR, delta=3)
    assert info.value.field == "branch"
    assert RewardStock.objects.get(reward=reward, branch=branch).quantity == 5


def test_coupon_percent_over_100_and_rule_needs_a_point(org):
    with pytest.raises(DomainError) as info:
        coupon_template_save(
            organization=org, actor=ACTOR,
            data={"code": "P", "name": "x", "kind": "discount", "discount_kind": "percent", "value": Decimal("150")},
        )
    assert info.value.code == E.VALUE_INVALID and info.value.field == "value"
    points_discount_rule_save(organization=org, actor=ACTOR, data={"member_type": None, "points_per_unit": 10})
    with pytest.raises(DomainError) as info:
        points_discount_rule_save(organization=org, actor=ACTOR, data={"member_type": None, "points_per_unit": 5})
    assert info.value.code == E.CODE_TAKEN


def test_demo_catalog(org, branch, member_type):
    vip = MemberTypeFactory(organization=org, code="VIP", name="วีไอพี")
    made = make_demo_rewards(org, [member_type, vip])
    assert {r.code for r in made} >= {"BAG", "GLASS", "V100"}
    assert Reward.objects.get(organization=org, code="BAG").stock == 50
    assert list(Reward.objects.get(organization=org, code="VIPSPA").member_types.all()) == [vip]
    assert RewardStock.objects.get(reward__code="GLASS", branch=branch).quantity == 10
    assert CouponTemplate.objects.filter(organization=org).count() == 2
    assert PointsDiscountRule.objects.filter(organization=org).count() == 1
    assert make_demo_rewards(org, [member_type, vip]) == []  # idempotent
