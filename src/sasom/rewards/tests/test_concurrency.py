"""Counters racing on PostgreSQL with real threads: exactly the allowed successes, never a
negative balance or stock."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection

from sasom.core.audit import Actor
from sasom.core.errors import DomainError
from sasom.rewards import errors as E
from sasom.rewards.models import Coupon, Redemption, Reward, RewardStock
from sasom.rewards.services import coupon_issue, coupon_use, reward_redeem
from sasom.testing.factories import MemberFactory

from .conftest import balance

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

N = 8


def race(jobs):
    """Run every job in its own thread, released together; returns (successes, error codes)."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def run(i, job):
        try:
            barrier.wait()
            results[i] = ("ok", job())
        except DomainError as error:
            results[i] = ("error", error.code)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            results[i] = ("crash", repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not [r for r in results if r is None or r[0] == "crash"], results
    return [r[1] for r in results if r[0] == "ok"], [r[1] for r in results if r[0] == "error"]


def test_eight_counters_race_for_the_last_three_bags(org, member_type, branch, tote_bag, give_points):
    # given 3 bags left and 8 members, each with enough points, at 8 counters
    Reward.objects.filter(pk=tote_bag.pk).update(stock=3)
    members = [MemberFactory(organization=org, member_type=member_type) for _ in range(N)]
    for m in members:
        give_points(m, 300)
    actor = Actor.system("counter")
    # when all press "redeem" at once
    wins, errors = race([
        (lambda m=m: reward_redeem(member=m, reward=tote_bag, branch=branch, actor=actor)) for m in members
    ])
    # then exactly three get a bag, five are told it is out of stock, and the stock is 0
    assert len(wins) == 3 and errors == [E.OUT_OF_STOCK] * 5
    assert Reward.objects.get(pk=tote_bag.pk).stock == 0
    assert sorted(balance(m) for m in members) == [0, 0, 0] + [300] * 5
    assert len({r.number for r in Redemption.objects.all()}) == 3


def test_counters_race_for_the_last_two_glasses_at_one_branch(org, member_type, branch, glass, give_points):
    RewardStock.objects.filter(reward=glass, branch=branch).update(quantity=2)
    members = [MemberFactory(organization=org, member_type=member_type) for _ in range(N)]
    for m in members:
        give_points(m, 500)
    wins, errors = race([
        (lambda m=m: reward_redeem(member=m, reward=glass, branch=branch, actor=Actor.system())) for m in members
    ])
    assert len(wins) == 2 and set(errors) == {E.OUT_OF_STOCK}
    assert RewardStock.objects.get(reward=glass, branch=branch).quantity == 0


def test_one_balance_spent_at_eight_counters_at_once(org, member, branch, give_points):
    # given 1,000 points and an unlimited 300-point reward
    cheap = Reward.objects.create(organization=org, code="PEN", name="ปากกา", points_cost=300)
    give_points(member, 1000)
    # when eight counters redeem it for the same member at once
    wins, errors = race([
        (lambda: reward_redeem(member=member, reward=cheap, branch=branch, actor=Actor.system())) for _ in range(N)
    ])
    # then three succeed and the balance is 100, never below zero
    assert len(wins) == 3 and set(errors) == {E.INSUFFICIENT_POINTS}
    assert balance(member) == 100


def test_one_coupon_scanned_at_eight_tills_at_once(org, member, branch, cash100):
    cash100.points_cost = 0
    cash100.save()
    coupon = coupon_issue(member=member, template=cash100, actor=Actor.system())
    wins, errors = race([
        (lambda i=i: coupon_use(
            organization_id=org.pk, code=coupon.code, member=member, bill_amount=Decimal("500"),
            bill_reference=f"B1-{i}", branch=branch, actor=Actor.system(),
        ))
        for i in range(N)
    ])
    assert len(wins) == 1 and errors == [E.COUPON_USED] * (N - 1)
    used = Coupon.objects.get(pk=coupon.pk)
    assert used.status == Coupon.Status.USED and used.used_bill_reference == wins[0].used_bill_reference


def test_coupon_limit_holds_under_a_race(org, member, cash100, give_points):
    cash100.per_member_limit = 1
    cash100.save()
    give_points(member, 5000)
    wins, errors = race([(lambda: coupon_issue(member=member, template=cash100, actor=Actor.system())) for _ in range(N)])
    assert len(wins) == 1 and set(errors) == {E.COUPON_LIMIT_REACHED}
    assert balance(member) == 4000
