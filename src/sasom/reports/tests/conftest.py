"""A mini-mart's autumn 2026 for the reports: two members of two types, sales at two branches,
an adjustment, redemptions (one cancelled), a return and an expiry, all through the ledger's and
the rewards' own services. The clock stands at 15 November 2026, 12:00 in Bangkok."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from sasom.core.audit import Actor
from sasom.earning import engine
from sasom.earning.campaigns import Campaign
from sasom.earning.models import Campaign as CampaignRow
from sasom.earning.rules import BaseRule, RuleSet
from sasom.ledger.models import LedgerSettings, PointAccount
from sasom.ledger.services import account_for, points_adjust, sale_post, sale_return
from sasom.ledger.services.expiry import points_expire_due
from sasom.ledger.testing import assert_ledger_consistent
from sasom.rewards.models import PointsDiscountRule, Reward
from sasom.rewards.services import redemption_cancel, reward_redeem
from sasom.testing.factories import MemberFactory, MemberTypeFactory, TerminalFactory

BKK = zoneinfo.ZoneInfo("Asia/Bangkok")
# the bag campaign (ไม่รับถุง): a non-member who declines a bag gives 2 baht to its fund
BAG_CAMPAIGN = Campaign(id=1, code="NOBAG", name="ไม่รับถุง", donation_per_bag=Decimal("2"))
SHOP_RULES = RuleSet(rules=[BaseRule(id=1, code="BASE", name="100 THB = 1 pt", per_amount=Decimal("100"), points=1)],
                     campaigns=[BAG_CAMPAIGN])


def at(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=BKK)


NOW = at(2026, 11, 15, 12)


@pytest.fixture(autouse=True)
def _clock(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW.astimezone(dt.UTC))


@pytest.fixture(autouse=True)
def _rules(monkeypatch):
    monkeypatch.setattr("sasom.ledger.services.sales.rules_of", lambda organization_id: SHOP_RULES)


@dataclass
class Shop:
    org: Any
    b1: Any
    b2: Any
    gen: Any
    vip: Any
    somchai: Any
    malee: Any
    bag: Any


def _sell(org, terminal, receipt, amount, member, when, *, bag_declined=False):
    basket = engine.Basket(occurred_at=when, bag_declined=bag_declined, lines=(
        engine.BasketLine(line_no=1, sku="SKU1", quantity=Decimal(2), unit_price=Decimal(amount) / 2),))
    return sale_post(organization=org, branch=terminal.branch, terminal=terminal, receipt_id=receipt, basket=basket,
                     member=member, actor=Actor.system(), now=when).sale


@pytest.fixture
def shop(org, branch, branch2, member_type) -> Shop:
    LedgerSettings.objects.update_or_create(organization=org, defaults={"expiry_policy": "days", "expiry_n": 365})
    vip = MemberTypeFactory(organization=org, code="VIP", name="วีไอพี")
    somchai = MemberFactory(organization=org, member_type=member_type, code="M0000001", first_name="สมชาย",
                            last_name="ใจดี", phone="+66811111111", province="กรุงเทพมหานคร",
                            birth_on=dt.date(1990, 11, 3), joined_on=dt.date(2025, 6, 1))
    malee = MemberFactory(organization=org, member_type=vip, code="M0000002", first_name="มาลี",
                          last_name="สุขใจ", phone="+66822222222",
                          joined_on=dt.date(2026, 10, 1), expires_on=dt.date(2026, 11, 30), home_branch=branch2)
    t1 = TerminalFactory(organization=org, branch=branch, code="B1-T1")
    t2 = TerminalFactory(organization=org, branch=branch2, code="B2-T1")
    system = Actor.system()
    # a year ago: 50 points that expired on 1 October 2026
    points_adjust(account=account_for(somchai), points=50, reason="welcome", actor=system, now=at(2025, 10, 1))
    points_expire_due(organization_id=org.pk, today=dt.date(2026, 10, 3), now=at(2026, 10, 3, 1))
    # October: sales at both branches
    _sell(org, t1, "R-001", "1500.00", somchai, at(2026, 10, 5))  # +15
    _sell(org, t2, "R-002", "2000.00", malee, at(2026, 10, 20))  # +20
    # November
    sale = _sell(org, t1, "R-003", "60000.00", somchai, at(2026, 11, 2))  # +600
    _sell(org, t2, "R-004", "40000.00", malee, at(2026, 11, 3))  # +400
    _sell(org, t1, "R-005", "500.00", None, at(2026, 11, 4))  # no member
    # non-members who declined a bag: 2 baht each to the NOBAG fund (twice at B1, once at B2)
    CampaignRow.objects.create(organization=org, code="NOBAG", name="ไม่รับถุง", donation_per_bag=Decimal("2"),
                               fund_name="กองทุนรักษ์โลก")
    _sell(org, t1, "R-006", "120.00", None, at(2026, 10, 31, 23, 59), bag_declined=True)
    _sell(org, t1, "R-007", "80.00", None, at(2026, 11, 4, 9), bag_declined=True)
    _sell(org, t2, "R-008", "60.00", None, at(2026, 11, 5), bag_declined=True)
    sale_return(sale=sale, lines={1: 1}, actor=system, return_id="RT-1", now=at(2026, 11, 6))  # -300
    points_adjust(account=account_for(malee), points=-10, reason="staff error", actor=system, now=at(2026, 11, 7))
    bag = Reward.objects.create(organization=org, code="BAG", name="ถุงผ้า", name_en="Tote bag", points_cost=100)
    reward_redeem(member=somchai, reward=bag, branch=branch, actor=system)  # 15 Nov: -100 at B1
    reward_redeem(member=malee, reward=bag, branch=branch2, actor=system, quantity=2)  # -200 at B2
    cancelled = reward_redeem(member=malee, reward=bag, branch=branch2, actor=system)
    redemption_cancel(redemption=cancelled, actor=system, reason="wrong item")
    PointsDiscountRule.objects.create(organization=org, points_per_unit=10)
    PointsDiscountRule.objects.create(organization=org, member_type=vip, points_per_unit=4)
    for account in PointAccount.objects.all():
        assert_ledger_consistent(account)
    return Shop(org=org, b1=branch, b2=branch2, gen=member_type, vip=vip, somchai=somchai, malee=malee, bag=bag)


@pytest.fixture(autouse=True)
def _pages_rebuild_their_period(settings):
    """These tests read a small shop's period: its page rebuilds every stale day of it, as pages did
    before the cap (``summary_catchup``); ``test_summary_catchup`` sets the cap to test it."""
    settings.REPORTS_SUMMARY_REQUEST_DAYS = 10_000
