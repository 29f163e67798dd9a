"""Demo earning rules for ``sasom demo``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sasom.core.audit import Actor
from sasom.earning import services
from sasom.earning.arithmetic import Mode
from sasom.earning.kinds import Kind
from sasom.earning.models import Campaign, EarnRule
from sasom.members.models import MemberType
from sasom.organizations.models import Organization


def make_demo_rules(org: Organization, member_types: dict[str, MemberType]) -> None:
    """Base rates per type (GEN 25 THB = 1 pt, VIP 20 THB = 1 pt, STAFF none), beauty x3,
    spend steps ≥ 2,000 x2 / ≥ 3,000 x3, golden minute 12:00–13:00 x2, birth month x2, and a
    bag campaign of +5 points per bill. Idempotent: existing codes are left alone."""
    actor = Actor.system("demo")
    existing = set(EarnRule.objects.filter(organization_id=org.pk).values_list("code", flat=True))
    rates = {"GEN": ("25", 1), "VIP": ("20", 1)}
    rules: list[dict[str, Any]] = []
    for code, (per_amount, points) in rates.items():
        if code in member_types:
            rules.append({
                "code": f"BASE-{code}", "name": f"Base rate {member_types[code].name}", "kind": Kind.BASE,
                "member_types": [code], "params": {"per_amount": per_amount, "points": points},
            })
    earning_types = [c for c in member_types if c != "STAFF"]
    rules += [
        {
            "code": "BEAUTY-X3", "name": "Beauty x3", "kind": Kind.PRODUCT, "priority": 50,
            "params": {"categories": ["BEAUTY"], "mode": Mode.MULTIPLY, "value": "3"},
        },
        {
            "code": "SPEND-STEPS", "name": "Spend ≥ 2,000 x2, ≥ 3,000 x3", "kind": Kind.SPEND, "priority": 40,
            "params": {"steps": [
                {"min_amount": "2000", "mode": Mode.MULTIPLY, "value": "2"},
                {"min_amount": "3000", "mode": Mode.MULTIPLY, "value": "3"},
            ]},
        },
        {
            "code": "GOLDEN-NOON", "name": "Golden minute 12:00–13:00 x2", "kind": Kind.GOLDEN_MINUTE, "priority": 30,
            "time_from": dt.time(12, 0), "time_to": dt.time(13, 0),
            "params": {"min_amount": "0", "mode": Mode.MULTIPLY, "value": "2"},
        },
        {
            "code": "BIRTH-MONTH", "name": "Birth month x2", "kind": Kind.BIRTHDAY, "priority": 20,
            "member_types": earning_types, "params": {"period": "month", "mode": Mode.MULTIPLY, "value": "2"},
        },
    ]
    for data in rules:
        if data["code"] not in existing:
            services.rule_create(organization_id=org.pk, actor=actor, **data)
    if not Campaign.objects.filter(organization_id=org.pk, code="NO-BAG").exists():
        services.campaign_create(
            organization_id=org.pk, actor=actor, code="NO-BAG", name="ไม่รับถุง รับแต้ม", priority=10,
            bag_points=5, donation_per_bag="1.00", fund_name="กองทุนรักษ์โลก", combinable=True,
        )
