"""Properties where one worked example cannot cover the space (docs/testing.md): returns with
uneven splits, several lots spent in expiry order, several pending windows, credits against a debt.

Each example posts to the database, so the examples are few and a failure is reported unshrunk
(``db_property``); the worked examples in test_returns, test_spend and test_expiry read better.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from decimal import Decimal
from fractions import Fraction

import pytest
from django.db.models import Sum
from hypothesis import given
from hypothesis import strategies as st

from sasom.core.audit import Actor
from sasom.ledger.models import Entry, ExpiryPolicy, LedgerSettings, Lot, LotDraw, PointAccount
from sasom.ledger.services import (
    account_for,
    points_adjust,
    points_release_pending,
    points_spend,
    sale_post,
    sale_return,
)
from sasom.ledger.testing import assert_ledger_consistent
from sasom.ledger.tests.conftest import at, basket, line
from sasom.testing.factories import MemberFactory
from sasom.testing.properties import db_property

ACTOR = Actor.system("property")
_receipts = itertools.count(1)
PROPERTY = db_property(max_examples=20)

prices = st.decimals(min_value=Decimal("0.50"), max_value=Decimal("999.99"), places=2)
line_specs = st.lists(st.tuples(st.integers(min_value=1, max_value=3), prices), min_size=2, max_size=4)


def _post(org, branch, terminal, member, lines, *, when, points_used=0):
    return sale_post(
        organization=org, branch=branch, terminal=terminal, receipt_id=f"PS{next(_receipts)}",
        basket=basket(lines=lines, when=when, points_discount=Decimal(points_used)), member=member,
        actor=ACTOR, points_used=points_used, now=when,
    ).sale


@pytest.mark.django_db
@PROPERTY
@given(specs=line_specs, data=st.data())
def test_points_paid_come_back_floored_in_proportion_to_the_net_returned(org, branch, terminal, member_type, specs, data):
    # given a member with 500 points who pays some of them on a bill of uneven lines
    member = MemberFactory(organization=org, member_type=member_type)
    points_adjust(account=account_for(member), points=500, reason="opening", actor=ACTOR, now=at(2026, 3, 1))
    lines = [line(i, f"SKU{i}", q, p) for i, (q, p) in enumerate(specs, start=1)]
    nets = {i: Fraction(q) * Fraction(p) for i, (q, p) in enumerate(specs, start=1)}
    total = sum(nets.values())
    paid = data.draw(st.integers(min_value=1, max_value=min(500, math.floor(total) - 1) or 1), label="paid")
    if paid >= total:
        return
    sale = _post(org, branch, terminal, member, lines, when=at(2026, 3, 2), points_used=paid)
    left = {i: q for i, (q, _p) in enumerate(specs, start=1)}
    returned_net, refunded = Fraction(0), 0
    # when the lines come back in any order, a few units at a time
    for n in itertools.count():
        open_lines = [i for i, q in left.items() if q > 0]
        if not open_lines:
            break
        no = data.draw(st.sampled_from(open_lines), label="line")
        qty = data.draw(st.integers(min_value=1, max_value=left[no]), label="quantity")
        left[no] -= qty
        returned_net += nets[no] * qty / specs[no - 1][0]
        ret = sale_return(sale=sale, lines={no: qty}, actor=ACTOR, return_id=f"R{n}", now=at(2026, 3, 3))
        refunded += ret.points_refunded
        # then after every return the points given back so far are the paid points times the share
        # of the net returned so far, floored; all of them once everything is back
        expected = paid if not any(left.values()) else math.floor(paid * returned_net / total)
        assert refunded == expected, (paid, returned_net, total)
    assert refunded == paid
    assert_ledger_consistent(account_for(member))


@pytest.mark.django_db
@PROPERTY
@given(
    earned_on=st.lists(st.integers(min_value=0, max_value=60), min_size=2, max_size=5),
    amounts=st.lists(st.integers(min_value=1, max_value=40), min_size=5, max_size=5),
    spend=st.integers(min_value=1, max_value=200),
)
def test_spending_draws_the_soonest_expiring_lots_first(org, branch, terminal, member_type, earned_on, amounts, spend):
    # given lots credited on several days (points last 30 days), some on the same day
    LedgerSettings.objects.update_or_create(organization=org, defaults={"expiry_policy": ExpiryPolicy.DAYS, "expiry_n": 30})
    member = MemberFactory(organization=org, member_type=member_type)
    account = account_for(member)
    for day, points in zip(earned_on, amounts, strict=False):
        points_adjust(account=account, points=points, reason="visit", actor=ACTOR,
                      now=at(2026, 1, 1) + dt.timedelta(days=day))
    lots = list(Lot.objects.filter(account=account).order_by("expires_on", "id").values_list("id", "amount"))
    held = sum(amount for _id, amount in lots)
    spend = min(spend, held)
    # when the member spends some of them before any expires
    entry = points_spend(account=account, points=spend, actor=ACTOR, now=at(2026, 1, 1))
    # then the lots are drawn in expiry order (the older first on the same day), each emptied
    # before the next is touched
    expected, rest = {}, spend
    for lot_id, amount in lots:
        if rest == 0:
            break
        expected[lot_id] = min(amount, rest)
        rest -= expected[lot_id]
    drawn = dict(LotDraw.objects.filter(entry=entry).values_list("lot_id", "amount"))
    assert drawn == expected
    assert PointAccount.objects.get(pk=account.pk).spendable == held - spend
    assert_ledger_consistent(account)


@pytest.mark.django_db
@PROPERTY
@given(
    sold_at_hours=st.lists(st.integers(min_value=0, max_value=24 * 20), min_size=2, max_size=5),
    runs_at_hours=st.lists(st.integers(min_value=0, max_value=24 * 30), min_size=1, max_size=3),
    window_days=st.integers(min_value=1, max_value=10),
)
def test_release_moves_exactly_the_lots_whose_window_has_closed(
    org, branch, terminal, member_type, sold_at_hours, runs_at_hours, window_days
):
    # given a return window and sales at several moments, each pending until its own window closes
    LedgerSettings.objects.update_or_create(organization=org, defaults={"pending_days": window_days})
    member = MemberFactory(organization=org, member_type=member_type)
    start = at(2026, 3, 1, 0)
    earned = []
    for hours in sorted(sold_at_hours):
        sold_at = start + dt.timedelta(hours=hours)
        sale = _post(org, branch, terminal, member, [line(1, "RICE", 1, "500.00")], when=sold_at)
        earned.append((sold_at + dt.timedelta(days=window_days), sale.points_earned))
    # when the release job runs at several moments (in order; it releases the whole organization,
    # so only this member's account is looked at)
    for hours in sorted(runs_at_hours):
        now = start + dt.timedelta(hours=hours)
        points_release_pending(organization_id=org.pk, now=now)
        # then everything whose window closed by then is spendable, and only that, lot by lot
        due = sum(points for closes_at, points in earned if closes_at <= now)
        account = account_for(member)
        assert (account.spendable, account.pending) == (due, sum(p for _c, p in earned) - due)
        still_pending = Lot.objects.filter(account=account, is_pending=True)
        assert all(lot.pending_until > now for lot in still_pending)
        assert not Lot.objects.filter(account=account, is_pending=False, pending_until__gt=now).exists()
        assert_ledger_consistent(account)


@pytest.mark.django_db
@PROPERTY
@given(debt_from=st.integers(min_value=1, max_value=30), credits=st.lists(st.integers(min_value=1, max_value=40), max_size=4))
def test_each_credit_pays_as_much_of_the_debt_as_it_can(org, branch, terminal, member_type, debt_from, credits):
    # given a member who owes points: earned on a sale, spent, then the sale came back
    member = MemberFactory(organization=org, member_type=member_type)
    account = account_for(member)
    sale = _post(org, branch, terminal, member, [line(1, "FAN", 1, f"{debt_from * 100}.00")], when=at(2026, 3, 1))
    points_spend(account=account, points=debt_from, actor=ACTOR, now=at(2026, 3, 1))
    sale_return(sale=sale, lines={1: 1}, actor=ACTOR, return_id="ALL", now=at(2026, 3, 2))
    debt = PointAccount.objects.get(pk=account.pk).debt
    assert debt == debt_from
    spendable = 0
    # when credits of any size arrive
    for points in credits:
        entry = points_adjust(account=account, points=points, reason="credit", actor=ACTOR, now=at(2026, 3, 3))
        # then each pays min(credit, debt) of the debt and the rest becomes spendable
        paid = min(points, debt)
        debt, spendable = debt - paid, spendable + points - paid
        assert -entry.debt_delta == paid
        row = PointAccount.objects.get(pk=account.pk)
        assert (row.debt, row.spendable) == (debt, spendable)
    paid_in_total = -(Entry.objects.filter(account=account, kind="adjust").aggregate(s=Sum("debt_delta"))["s"] or 0)
    assert paid_in_total == min(sum(credits), debt_from)
    assert_ledger_consistent(account)
