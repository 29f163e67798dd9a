from __future__ import annotations

import datetime as dt

import pytest

from sasom.core.errors import DomainError
from sasom.ledger.models import Entry, ExpiryPolicy, Lot, LotDraw, PointAccount
from sasom.ledger.services import INSUFFICIENT_POINTS, account_for, points_spend
from sasom.ledger.testing import assert_ledger_consistent
from sasom.ledger.tests.conftest import at


def test_spending_takes_the_soonest_expiring_lots_first(sell, member, policy, actor):
    # given points expire 30 days after earning; three visits earn 10, 20 and 5 points
    policy(expiry_policy=ExpiryPolicy.DAYS, expiry_n=30)
    sell(member, "1000.00", when=at(2026, 3, 10))  # lot A: 10 pts, expires 9 Apr
    sell(member, "2000.00", when=at(2026, 3, 1))   # lot B: 20 + 10 = 30 pts, expires 31 Mar
    sell(member, "500.00", when=at(2026, 3, 20))   # lot C: 5 pts, expires 19 Apr
    account = account_for(member)
    # when the member redeems 35 points on 25 March
    entry = points_spend(account=account, points=35, actor=actor, source_type="reward", source_id="RW1",
                         now=at(2026, 3, 25))
    # then B (soonest) is emptied, then A; C is untouched
    draws = {d.lot.expires_on: d.amount for d in LotDraw.objects.filter(entry=entry).select_related("lot")}
    assert draws == {dt.date(2026, 3, 31): 30, dt.date(2026, 4, 9): 5}
    assert PointAccount.objects.get(pk=account.pk).spendable == 10
    assert (entry.kind, entry.sign, entry.amount) == ("redeem", -1, 35)
    assert_ledger_consistent(account)


def test_lots_that_never_expire_are_spent_last_then_oldest_first(sell, member, policy, actor):
    sell(member, "300.00", when=at(2026, 3, 2))  # never expires (default policy)
    policy(expiry_policy=ExpiryPolicy.END_OF_YEAR, expiry_n=0)
    sell(member, "200.00", when=at(2026, 3, 3))  # expires 31 Dec 2026
    entry = points_spend(account=account_for(member), points=3, actor=actor, now=at(2026, 3, 4))
    lots = {d.lot.expires_on: d.amount for d in entry.draws.select_related("lot")}
    assert lots == {dt.date(2026, 12, 31): 2, None: 1}


def test_cannot_spend_more_than_spendable(sell, member, actor):
    sell(member, "500.00")
    account = account_for(member)
    with pytest.raises(DomainError) as err:
        points_spend(account=account, points=6, actor=actor)
    assert err.value.code == INSUFFICIENT_POINTS
    assert not Entry.objects.filter(kind="redeem").exists()
    assert PointAccount.objects.get(pk=account.pk).spendable == 5


def test_an_expired_lot_is_never_spent_even_before_the_nightly_job(sell, member, policy, actor):
    # given 10 points that expired last night and 5 fresh ones
    policy(expiry_policy=ExpiryPolicy.DAYS, expiry_n=10)
    sell(member, "1000.00", when=at(2026, 3, 1))  # expires 11 Mar
    sell(member, "500.00", when=at(2026, 3, 10))
    account = account_for(member)
    # when the member tries to spend 12 on 12 March
    with pytest.raises(DomainError):
        points_spend(account=account, points=12, actor=actor, now=at(2026, 3, 12, 9))
    # then nothing changed (the refusal rolled back), and spending 5 works after expiring the old lot
    points_spend(account=account, points=5, actor=actor, now=at(2026, 3, 12, 9))
    account.refresh_from_db()
    assert account.spendable == 0
    assert Entry.objects.get(kind="expire").amount == 10


def test_a_spend_with_an_idempotency_key_is_posted_once(sell, member, actor):
    sell(member, "1000.00")
    account = account_for(member)
    first = points_spend(account=account, points=4, actor=actor, idempotency_key="redeem-77")
    again = points_spend(account=account, points=4, actor=actor, idempotency_key="redeem-77")
    assert first.pk == again.pk
    assert PointAccount.objects.get(pk=account.pk).spendable == 6


def test_points_paid_in_a_sale_come_from_older_lots_by_default(sell, member):
    # given 10 points from last week
    sell(member, "1000.00", when=at(2026, 3, 1))
    # when the member pays 10 points on a 500 THB bill
    result = sell(member, "500.00", when=at(2026, 3, 8), points_used=10, points_discount=10)
    # then the old 10 are spent and the bill earns 4 (base 490)
    assert result.points_earned == 4
    assert result.spendable == 4
    purchase = Entry.objects.get(kind="purchase")
    assert purchase.sale_id == result.sale.pk


def test_points_of_the_same_sale_are_not_spendable_in_it_unless_allowed(sell, member, policy):
    # given an empty account
    with pytest.raises(DomainError) as err:
        sell(member, "1000.00", points_used=5)
    assert err.value.code == INSUFFICIENT_POINTS
    # when the shop allows spending points earned in the same sale
    policy(allow_same_sale_spend=True, pending_days=7)
    result = sell(member, "1000.00", points_used=5)
    # then the sale's own (even pending) lot pays
    assert result.points_earned == 10
    lot = Lot.objects.get(account__member=member)
    assert (lot.remaining, lot.is_pending) == (5, True)
    assert result.pending == 5 and result.spendable == 0
