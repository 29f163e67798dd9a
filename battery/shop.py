"""A shop to hammer: an organization with two branches, terminal API keys, a 7-point reward,
members with opening balances. Built with the real services where a balance is involved."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from sasom.core.audit import Actor
from sasom.earning.selectors import ruleset_forget
from sasom.earning.services import rule_create
from sasom.integrations.services import api_key_create
from sasom.ledger.models import LedgerSettings
from sasom.ledger.services import account_for, points_adjust
from sasom.members.models import Member, MemberType
from sasom.organizations.models import Branch, Organization, Terminal
from sasom.rewards.models import Reward

SETUP = Actor.system("battery")


@dataclass
class Shop:
    organization: Organization
    branches: list[Branch]
    terminals: list[Terminal]
    keys: list[str]  # one terminal key per terminal, same order
    manage_key: str
    member_type: MemberType
    reward_code: str = "R7"
    members: list[Member] = field(default_factory=list)


@transaction.atomic
def shop_create(code: str, *, terminals_per_branch: int = 2, expiry_days: int | None = None,
                signed: bool = False) -> Shop:
    """``code`` keeps several shops apart in one database (each run of a row makes its own)."""
    org = Organization.objects.create(code=code, name=f"ร้านทดสอบ {code}", currency="THB", time_zone="Asia/Bangkok")
    branches = [Branch.objects.create(organization=org, code=f"B{i}", name=f"สาขา {i}") for i in (1, 2)]
    terminals, keys = [], []
    for b in branches:
        for t in range(1, terminals_per_branch + 1):
            term = Terminal.objects.create(organization=org, branch=b, code=f"{b.code}-T{t}", name=f"POS {t}")
            terminals.append(term)
            keys.append(api_key_create(organization_id=org.id, label=f"POS {term.code}", actor=SETUP,
                                       terminal=term, require_signature=signed,
                                       rate_limit_per_minute=1_000_000).key)
    manage = api_key_create(organization_id=org.id, label="ERP", actor=SETUP, can_manage=True,
                            rate_limit_per_minute=1_000_000).key
    mtype = MemberType.objects.create(organization=org, code="GEN", name="ทั่วไป", is_default=True)
    ruleset_forget()
    rule_create(organization_id=org.id, actor=SETUP, code="BASE", name="100 THB = 1 pt", kind="base",
                params={"per_amount": "100", "points": 1})
    if expiry_days is not None:
        LedgerSettings.objects.update_or_create(
            organization=org, defaults={"expiry_policy": "days", "expiry_n": expiry_days})
    Reward.objects.create(organization=org, code="R7", name="ถุงผ้า", points_cost=7,
                          stock_mode=Reward.StockMode.UNLIMITED)
    return Shop(organization=org, branches=branches, terminals=terminals, keys=keys, manage_key=manage,
                member_type=mtype)


def member_add(shop: Shop, code: str, *, points: int = 0, phone: str | None = None) -> Member:
    member = Member.objects.create(
        organization=shop.organization, code=code, member_type=shop.member_type, phone=phone,
        first_name="สมชาย", last_name="ใจดี", joined_on=dt.date(2026, 1, 1),
    )
    if points:
        points_adjust(account=account_for(member), points=points, reason="opening balance", actor=SETUP)
    shop.members.append(member)
    return member


def sale_body(receipt: str, *, member: str | None, amount: str = "250.00", when: dt.datetime | None = None,
              lines: int = 1) -> dict:
    when = when or dt.datetime.now(dt.UTC)
    each = (Decimal(amount) / lines).quantize(Decimal("0.01"))
    return {
        "receipt_id": receipt,
        "occurred_at": when.isoformat(),
        "member": {"code": member} if member else None,
        "lines": [{"sku": f"SKU{i}", "quantity": "1", "unit_price": str(each)} for i in range(1, lines + 1)],
    }
