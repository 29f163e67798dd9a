from __future__ import annotations

import datetime as dt

import pytest

from sasom.core.errors import DomainError
from sasom.ledger.models import Entry, ExpiryPolicy, Lot
from sasom.ledger.services import (
    ALREADY_REVERSED,
    OVER_REVERSAL,
    account_for,
    points_buy,
    points_credit_reverse,
    points_spend,
    points_spend_reverse,
)
from sasom.ledger.testing import assert_ledger_consistent
from sasom.ledger.tests.conftest import at


def test_a_cancelled_redemption_gives_the_points_back_with_their_expiry(sell, member, policy, actor):
    # given 30 points expiring 31 March, 20 of them redeemed for a voucher
    policy(expiry_policy=ExpiryPolicy.END_OF_MONTH, expiry_n=0)
    sell(member, "2000.00", when=at(2026, 3, 2))  # 20 + 10
    account = account_for(member)
    spend = points_spend(account=account, points=20, actor=actor, now=at(2026, 3, 3))
    # when the voucher is cancelled: 15 back, then the last 5
    points_spend_reverse(account=account, entry_id=spend.pk, points=15, actor=actor, now=at(2026, 3, 4))
    back = points_spend_reverse(account=account, entry_id=spend.pk, actor=actor, now=at(2026, 3, 4))
    # then all 30 are spendable again, the new lots keeping 31 March
    account.refresh_from_db()
    assert (account.spendable, back.amount, back.kind) == (30, 5, "reverse")
    assert Lot.objects.get(entry=back).expires_on == dt.date(2026, 3, 31)
    with pytest.raises(DomainError) as err:
        points_spend_reverse(account=account, entry_id=spend.pk, points=1, actor=actor)
    assert err.value.code == OVER_REVERSAL
    assert_ledger_consistent(account)


def test_bought_points_and_their_reversal(member, actor):
    account = account_for(member)
    bought = points_buy(account=account, points=100, actor=actor, payment_reference="PAY-1")
    assert (bought.kind, bought.sign) == ("buy", 1)
    points_spend(account=account, points=40, actor=actor)
    # when the purchase of points is voided after 40 were spent: 60 back, 40 become debt
    taken = points_credit_reverse(account=account, entry_id=bought.pk, actor=actor, reason="sale voided")
    account.refresh_from_db()
    assert (taken.amount, account.spendable, account.debt) == (100, 0, 40)
    with pytest.raises(DomainError) as err:
        points_credit_reverse(account=account, entry_id=bought.pk, actor=actor)
    assert err.value.code == ALREADY_REVERSED
    assert Entry.objects.filter(kind="reverse").count() == 1


def test_given_back_points_keep_each_original_lots_expiry(sell, member, policy, actor):
    # given 30 points expiring 30 April and 5 expiring 31 May, 35 redeemed
    policy(expiry_policy=ExpiryPolicy.END_OF_MONTH, expiry_n=1)
    sell(member, "2000.00", when=at(2026, 3, 2))   # 20 + 10 = 30 → 30 Apr
    sell(member, "500.00", when=at(2026, 4, 2))    # 5 → 31 May
    account = account_for(member)
    spend = points_spend(account=account, points=35, actor=actor, now=at(2026, 4, 3, 9))
    # when 7 are given back, then the rest
    first = points_spend_reverse(account=account, entry_id=spend.pk, points=7, actor=actor, now=at(2026, 4, 3, 9))
    rest = points_spend_reverse(account=account, entry_id=spend.pk, actor=actor, now=at(2026, 4, 3, 9))
    # then the longest-lived points come back first, each lot keeping its own date
    def lots(e):
        return sorted((lot.amount, lot.expires_on.isoformat()) for lot in Lot.objects.filter(entry=e))

    assert lots(first) == [(2, "2026-04-30"), (5, "2026-05-31")]
    assert lots(rest) == [(28, "2026-04-30")]
    assert_ledger_consistent(account)
