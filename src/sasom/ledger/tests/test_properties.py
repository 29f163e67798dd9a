"""Properties of the ledger under any order of operations (hypothesis)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.db.models import Sum
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from sasom.core.audit import Actor
from sasom.core.errors import DomainError
from sasom.ledger.models import (
    Entry,
    ExpiryPolicy,
    LedgerSettings,
    PointAccount,
    Sale,
    ShortfallPolicy,
)
from sasom.ledger.services import (
    account_for,
    points_expire_due,
    points_release_pending,
    points_spend,
    sale_post,
    sale_return,
    sale_void,
)
from sasom.ledger.testing import assert_ledger_consistent
from sasom.ledger.tests.conftest import at, basket, line
from sasom.testing.factories import MemberFactory
from sasom.testing.properties import db_property

HYPO = db_property(max_examples=25)
ACTOR = Actor.system("property")
_receipts = itertools.count(1)

prices = st.decimals(min_value=Decimal("1"), max_value=Decimal("3000"), places=2)
quantities = st.integers(min_value=1, max_value=4)
line_specs = st.lists(st.tuples(quantities, prices), min_size=1, max_size=4)


def _lines(specs):
    return [line(i, f"SKU{i}", q, p) for i, (q, p) in enumerate(specs, start=1)]


@pytest.mark.django_db
@HYPO
@given(specs=line_specs)
def test_earn_then_full_return_nets_zero(org, branch, terminal, member_type, specs):
    # given any basket posted for a fresh member
    member = MemberFactory(organization=org, member_type=member_type)
    sale = sale_post(organization=org, branch=branch, terminal=terminal, receipt_id=f"P{next(_receipts)}",
                     basket=basket(lines=_lines(specs), when=at(2026, 3, 1)), member=member, actor=ACTOR).sale
    # when every line is returned
    sale_return(sale=sale, lines={i: q for i, (q, _p) in enumerate(specs, start=1)}, actor=ACTOR, return_id="ALL")
    # then the account is back to zero and the entries net to zero
    account = account_for(member)
    assert (account.spendable, account.pending, account.debt, account.lifetime_earned) == (0, 0, 0, 0)
    assert_ledger_consistent(account)


@pytest.mark.django_db
@HYPO
@given(specs=line_specs, data=st.data())
def test_partial_returns_never_take_back_more_than_earned(org, branch, terminal, member_type, specs, data):
    member = MemberFactory(organization=org, member_type=member_type)
    sale = sale_post(organization=org, branch=branch, terminal=terminal, receipt_id=f"P{next(_receipts)}",
                     basket=basket(lines=_lines(specs), when=at(2026, 3, 1)), member=member, actor=ACTOR).sale
    left = {i: q for i, (q, _p) in enumerate(specs, start=1)}
    for n in range(data.draw(st.integers(min_value=1, max_value=5))):
        open_lines = [i for i, q in left.items() if q > 0]
        if not open_lines:
            break
        no = data.draw(st.sampled_from(open_lines))
        qty = data.draw(st.integers(min_value=1, max_value=left[no]))
        left[no] -= qty
        sale_return(sale=sale, lines={no: qty}, actor=ACTOR, return_id=f"R{n}")
        taken = Entry.objects.filter(sale=sale, kind="return", sign=-1).aggregate(s=Sum("amount"))["s"] or 0
        assert 0 <= taken <= sale.points_earned
    assert_ledger_consistent(account_for(member))


class LedgerMachine(RuleBasedStateMachine):
    """A member's account under any interleaving of sales, redemptions, returns, voids, expiry."""

    def __init__(self, org, branch, terminal, member_type):
        super().__init__()
        self.org, self.branch, self.terminal = org, branch, terminal
        self.member = MemberFactory(organization=org, member_type=member_type)
        self.account = account_for(self.member)
        self.now = at(2026, 1, 1)
        self.sales: list[tuple[Sale, dict[int, int]]] = []

    @initialize(
        expiry=st.sampled_from([(ExpiryPolicy.NEVER, 0), (ExpiryPolicy.DAYS, 10), (ExpiryPolicy.END_OF_MONTH, 0)]),
        pending=st.sampled_from([0, 3]),
        shortfall=st.sampled_from(list(ShortfallPolicy)),
        same_sale=st.booleans(),
    )
    def configure(self, expiry, pending, shortfall, same_sale):
        LedgerSettings.objects.update_or_create(
            organization=self.org,
            defaults={"expiry_policy": expiry[0], "expiry_n": expiry[1], "pending_days": pending,
                      "return_shortfall": shortfall, "allow_same_sale_spend": same_sale},
        )

    @rule(specs=line_specs, points=st.integers(min_value=0, max_value=30))
    def earn(self, specs, points):
        try:
            result = sale_post(
                organization=self.org, branch=self.branch, terminal=self.terminal, receipt_id=f"S{next(_receipts)}",
                basket=basket(lines=_lines(specs), when=self.now, points_discount=Decimal(points)),
                member=self.member, actor=ACTOR, points_used=points, now=self.now,
            )
        except DomainError as err:
            assert err.code == "insufficient_points"
            return
        self.sales.append((result.sale, {i: q for i, (q, _p) in enumerate(specs, start=1)}))

    @rule(points=st.integers(min_value=1, max_value=60))
    def redeem(self, points):
        try:
            points_spend(account=self.account, points=points, actor=ACTOR, now=self.now)
        except DomainError as err:
            assert err.code == "insufficient_points"

    @precondition(lambda self: self.sales)
    @rule(data=st.data())
    def give_back(self, data):
        sale, left = data.draw(st.sampled_from(self.sales))
        open_lines = [i for i, q in left.items() if q > 0]
        if not open_lines or Sale.objects.get(pk=sale.pk).status == "voided":
            return
        no = data.draw(st.sampled_from(open_lines))
        qty = data.draw(st.integers(min_value=1, max_value=left[no]))
        left[no] -= qty
        sale_return(sale=sale, lines={no: qty}, actor=ACTOR, return_id=f"RT{next(_receipts)}", now=self.now)

    @precondition(lambda self: self.sales)
    @rule(data=st.data())
    def void(self, data):
        sale, left = data.draw(st.sampled_from(self.sales))
        try:
            sale_void(sale=sale, reason="property", actor=ACTOR, now=self.now)
        except DomainError as err:
            assert err.code == "already_voided"

    @rule(days=st.integers(min_value=1, max_value=20))
    def time_passes(self, days):
        self.now += dt.timedelta(days=days)
        points_release_pending(organization_id=self.org.pk, now=self.now)
        points_expire_due(organization_id=self.org.pk, now=self.now)

    @invariant()
    def balance_equals_entries_equals_lots(self):
        assert_ledger_consistent(self.account)
        account = PointAccount.objects.get(pk=self.account.pk)
        assert account.spendable >= 0 and account.pending >= 0
        for sale, _left in self.sales:
            taken = Entry.objects.filter(sale=sale, sign=-1, reverses__kind="earn", account=account).aggregate(
                s=Sum("amount"))["s"] or 0
            assert taken <= sale.points_earned


@pytest.mark.django_db
def test_any_interleaving_keeps_the_ledger_consistent(org, branch, terminal, member_type):
    run_state_machine_as_test(
        lambda: LedgerMachine(org, branch, terminal, member_type),
        settings=db_property(max_examples=30, stateful_step_count=15),
    )
