"""Rewards fixtures: a mini-mart whose members hold points (credited through the ledger's own
services), a few rewards and coupon types, staff at the counter."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
from django.db import connection

from sasom.core.audit import Actor
from sasom.earning.rules import BaseRule, RuleSet
from sasom.ledger.models import LedgerSettings, PointAccount
from sasom.ledger.services import account_for, points_adjust
from sasom.ledger.testing import assert_ledger_consistent
from sasom.organizations.models import Role
from sasom.rewards.models import CouponTemplate, Reward, RewardSettings, RewardStock

BKK = zoneinfo.ZoneInfo("Asia/Bangkok")
SHOP_RULES = RuleSet(rules=[BaseRule(id=1, code="BASE", name="100 THB = 1 pt", per_amount=Decimal("100"), points=1)])


def at(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=BKK)


# The rewards tests tell a shop's 2026: points earned in January and March last 365 days, coupons
# issued in March. A service called without ``now`` read the real clock, so these tests would have
# started failing on 11 January 2027, when the January lots expire. Every rewards test runs with
# the clock at 15 November 2026, 12:00 in Bangkok (a moment after all of their dates).
FROZEN_NOW = at(2026, 11, 15, 12)


@pytest.fixture(autouse=True)
def _clock_in_2026(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: FROZEN_NOW.astimezone(dt.UTC))


def pytest_collection_modifyitems(config, items):
    if connection.vendor != "postgresql":
        skip = pytest.mark.skip(reason="needs PostgreSQL (row locks, real concurrency)")
        for item in items:
            if "postgres_only" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(autouse=True)
def shop_rules(monkeypatch):
    monkeypatch.setattr("sasom.ledger.services.sales.rules_of", lambda organization_id: SHOP_RULES)


@pytest.fixture(autouse=True)
def _ledger_invariant_after_each_test(request):
    yield
    if "db" in request.fixturenames or "transactional_db" in request.fixturenames:
        for account in PointAccount.objects.all():
            assert_ledger_consistent(account)


@pytest.fixture
def counter_staff(make_staff):
    return make_staff(Role.SERVICE_COUNTER)


@pytest.fixture
def actor(counter_staff) -> Actor:
    return Actor.for_user(counter_staff.user)


@pytest.fixture
def give_points(org):
    """``give_points(member, 300, when=at(...))``: a lot credited through the ledger (adjustment)."""
    LedgerSettings.objects.update_or_create(organization=org, defaults={"expiry_policy": "days", "expiry_n": 365})

    def give(member, points: int, *, when: dt.datetime | None = None):
        return points_adjust(
            account=account_for(member), points=points, reason="opening balance", actor=Actor.system(), now=when
        )

    return give


def balance(member) -> int:
    return PointAccount.objects.get(member=member).spendable


@pytest.fixture
def tote_bag(org):
    """ถุงผ้า: 300 points, global stock 5, two per member per month."""
    return Reward.objects.create(
        organization=org, code="BAG", name="ถุงผ้า", name_en="Tote bag", points_cost=300,
        stock_mode=Reward.StockMode.GLOBAL, stock=5, limit_quantity=2, limit_period="month",
    )


@pytest.fixture
def glass(org, branch):
    """แก้วน้ำ: 500 points + 20 baht, stock per branch (3 at B1)."""
    reward = Reward.objects.create(
        organization=org, code="GLASS", name="แก้วน้ำ", name_en="Tumbler", points_cost=500,
        cash_copay=Decimal("20.00"), stock_mode=Reward.StockMode.PER_BRANCH,
    )
    RewardStock.objects.create(organization=org, reward=reward, branch=branch, quantity=3)
    return reward


@pytest.fixture
def purchase_settings(org):
    return RewardSettings.objects.create(organization=org, point_price=Decimal("0.50"), purchase_max_points=200)


@pytest.fixture
def cash100(org):
    """Voucher 100 บาท: 1,000 points, 30 days, at most 2 per member."""
    return CouponTemplate.objects.create(
        organization=org, code="CASH100", name="คูปองเงินสด 100 บาท", kind=CouponTemplate.Kind.CASH,
        value=Decimal("100.00"), points_cost=1000, validity_days=30, per_member_limit=2,
        text="ใช้แทนเงินสดได้ทุกสาขา",
    )


@pytest.fixture
def drinks10(org):
    """10 % off drinks, bills of 200 baht or more, 200 points."""
    return CouponTemplate.objects.create(
        organization=org, code="DRINK10", name="ลด 10% เครื่องดื่ม", kind=CouponTemplate.Kind.DISCOUNT,
        discount_kind=CouponTemplate.DiscountKind.PERCENT, value=Decimal("10"), min_spend=Decimal("200.00"),
        category_codes=["DRINKS"], points_cost=200, validity_days=7,
    )
