"""Demo data: a few Thai rewards and coupons, points as money, the price of missing points."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from sasom.core.audit import Actor
from sasom.members.models import MemberType
from sasom.organizations.models import Branch, Organization

from .models import CouponTemplate, PointsDiscountRule, Reward, RewardSettings
from .services import (
    coupon_template_save,
    points_discount_rule_save,
    reward_save,
    reward_settings_save,
    reward_stock_adjust,
)

REWARDS = [
    # code, Thai, English, points, co-pay, stock mode, stock, limit, period, VIP only
    ("BAG", "ถุงผ้ารักษ์โลก", "Eco tote bag", 300, "0", "global", 50, 2, "month", False),
    ("GLASS", "แก้วน้ำเก็บความเย็น", "Insulated tumbler", 800, "49", "per_branch", 10, 1, "year", False),
    ("UMBRELLA", "ร่มพับ", "Folding umbrella", 1200, "0", "global", 20, None, "lifetime", False),
    ("V100", "บัตรกำนัล 100 บาท", "100-baht voucher", 1000, "0", "unlimited", 0, 5, "month", False),
    ("VIPSPA", "บัตรสปา 1 ชั่วโมง (VIP)", "One-hour spa (VIP)", 5000, "0", "global", 5, 1, "year", True),
]


def make_demo_rewards(org: Organization, member_types: Iterable[MemberType]) -> list[Reward]:
    """Create the demo catalog for ``org`` (idempotent: existing codes are left alone)."""
    actor = Actor.system("demo")
    types = list(member_types)
    vip = [t for t in types if t.code.upper().startswith("VIP")] or types[-1:]
    made = []
    branches = list(Branch.objects.filter(organization=org, is_active=True))
    for code, th, en, points, copay, mode, stock, limit, period, vip_only in REWARDS:
        if Reward.objects.filter(organization=org, code=code).exists():
            continue
        reward = reward_save(
            organization=org, actor=actor, member_types=vip if vip_only else [],
            data={
                "code": code, "name": th, "name_en": en, "points_cost": points, "cash_copay": Decimal(copay),
                "stock_mode": mode, "limit_quantity": limit, "limit_period": period, "is_active": True, "sort_order": 0,
            },
        )
        if mode == "global":
            reward_stock_adjust(reward=reward, actor=actor, delta=stock, reason="demo")
        elif mode == "per_branch":
            for branch in branches:
                reward_stock_adjust(reward=reward, actor=actor, delta=stock, branch=branch, reason="demo")
        made.append(reward)
    if not CouponTemplate.objects.filter(organization=org, code="CASH100").exists():
        coupon_template_save(
            organization=org, actor=actor,
            data={"code": "CASH100", "name": "คูปองเงินสด 100 บาท", "name_en": "100-baht cash coupon", "kind": "cash",
                  "value": Decimal("100"), "points_cost": 1000, "validity_days": 30, "per_member_limit": 3,
                  "text": "ใช้แทนเงินสดได้ทุกสาขา ไม่ทอนเงิน", "is_active": True},
        )
    if not CouponTemplate.objects.filter(organization=org, code="DRINK10").exists():
        coupon_template_save(
            organization=org, actor=actor,
            data={"code": "DRINK10", "name": "ลด 10% เครื่องดื่ม", "name_en": "10% off drinks", "kind": "discount",
                  "discount_kind": "percent", "value": Decimal("10"), "min_spend": Decimal("200"),
                  "category_codes": ["DRINKS"], "points_cost": 200, "validity_days": 7, "is_active": True,
                  "text": "เฉพาะหมวดเครื่องดื่ม เมื่อซื้อครบ 200 บาท"},
        )
    if not PointsDiscountRule.objects.filter(organization=org, member_type__isnull=True).exists():
        points_discount_rule_save(
            organization=org, actor=actor,
            data={"member_type": None, "points_per_unit": 10, "min_points": 100, "max_bill_percent": Decimal("30"),
                  "max_balance_percent": Decimal("50"), "is_active": True},
        )
    if not RewardSettings.objects.filter(organization=org).exists():
        reward_settings_save(organization=org, actor=actor, data={"point_price": Decimal("0.50"), "purchase_max_points": 200})
    return made
