from __future__ import annotations

from decimal import Decimal

import pytest

from sasom.core.audit import Actor
from sasom.core.errors import DomainError
from sasom.ledger.models import Entry, PointAccount, Sale, ShortfallPolicy
from sasom.ledger.services import (
    ALREADY_VOIDED,
    RETURN_CONFLICT,
    RETURN_EXCEEDS_SOLD,
    SALE_VOIDED,
    UNKNOWN_LINE,
    account_for,
    points_adjust,
    points_spend,
    sale_return,
    sale_void,
)
from sasom.ledger.testing import assert_ledger_consistent
from sasom.ledger.tests.conftest import at, line
from sasom.organizations.models import Role

FAN_AND_RICE = [line(1, "FAN16", 1, "1800.00"), line(2, "RICE5KG", 2, "200.00")]  # 2,200 THB: 22 + 10 = 32


def balance(member) -> tuple[int, int, int]:
    a = PointAccount.objects.get(member=member)
    return a.spendable, a.pending, a.debt


def test_returning_the_rice_takes_back_only_the_difference(sell, member, actor):
    # given a 2,200 THB bill that earned 22 + 10 (big-bill bonus) = 32 points
    sale = sell(member, lines=FAN_AND_RICE).sale
    # when one bag of rice (200 THB) is returned: the bill is now 2,000 THB = 20 + 10
    ret = sale_return(sale=sale, lines={2: 1}, actor=actor, return_id="RT-1")
    # then 2 points are taken back, from the sale's own lot
    assert ret.points_reversed == 2
    assert balance(member) == (30, 0, 0)
    entry = Entry.objects.get(kind="return")
    assert (entry.sign, entry.amount, entry.reverses.kind) == (-1, 2, "earn")
    assert Sale.objects.get(pk=sale.pk).status == "partly_returned"
    # when the second bag goes back too: 1,800 THB = 18, no bonus any more
    ret2 = sale_return(sale=sale, lines={2: 1}, actor=actor, return_id="RT-2")
    assert ret2.points_reversed == 12
    assert balance(member) == (18, 0, 0)
    assert_ledger_consistent(account_for(member))


def test_full_return_takes_back_exactly_what_was_earned(sell, member, actor):
    sale = sell(member, lines=FAN_AND_RICE).sale
    sale_return(sale=sale, lines={1: 1, 2: 2}, actor=actor, return_id="RT-ALL")
    assert balance(member) == (0, 0, 0)
    assert Sale.objects.get(pk=sale.pk).status == "returned"
    assert account_for(member).lifetime_earned == 0


def test_a_return_id_is_applied_once(sell, member, actor):
    sale = sell(member, lines=FAN_AND_RICE).sale
    first = sale_return(sale=sale, lines={2: 1}, actor=actor, return_id="RT-9")
    again = sale_return(sale=sale, lines={2: 1}, actor=actor, return_id="RT-9")
    assert first.pk == again.pk
    assert balance(member) == (30, 0, 0)
    with pytest.raises(DomainError) as err:
        sale_return(sale=sale, lines={1: 1}, actor=actor, return_id="RT-9")
    assert err.value.code == RETURN_CONFLICT


def test_cannot_return_more_than_was_sold_or_a_line_not_on_the_bill(sell, member, actor):
    sale = sell(member, lines=FAN_AND_RICE).sale
    with pytest.raises(DomainError) as err:
        sale_return(sale=sale, lines={2: 3}, actor=actor, return_id="X1")
    assert err.value.code == RETURN_EXCEEDS_SOLD
    with pytest.raises(DomainError) as err:
        sale_return(sale=sale, lines={7: 1}, actor=actor, return_id="X2")
    assert err.value.code == UNKNOWN_LINE
    sale_return(sale=sale, lines={2: 2}, actor=actor, return_id="X3")
    with pytest.raises(DomainError) as err:
        sale_return(sale=sale, lines={2: 1}, actor=actor, return_id="X4")
    assert err.value.code == RETURN_EXCEEDS_SOLD


def test_return_after_points_were_spent_records_a_debt_paid_by_the_next_sale(sell, member, actor):
    # given the member earned 32 and spent 30 of them on a reward
    sale = sell(member, lines=FAN_AND_RICE, when=at(2026, 3, 1)).sale
    points_spend(account=account_for(member), points=30, actor=actor)
    # when the fan goes back (the bill drops to 400 THB = 4 pts: 28 to take back, 2 left)
    ret = sale_return(sale=sale, lines={1: 1}, actor=actor, return_id="RT-FAN")
    # then 2 are taken from the balance and 26 become debt
    assert (ret.points_reversed, ret.debt_added) == (28, 26)
    assert balance(member) == (0, 0, 26)
    # when the member next earns 30 points, the debt is paid first
    sell(member, "3000.00", when=at(2026, 3, 5))  # 30 + 10 = 40
    assert balance(member) == (14, 0, 0)
    earn = Entry.objects.filter(kind="earn").order_by("-id").first()
    assert (earn.amount, earn.debt_delta, earn.explanation["debt_paid"]) == (40, -26, 26)
    assert_ledger_consistent(account_for(member))


def test_cap_policy_takes_back_no_more_than_the_balance(sell, member, actor, policy):
    policy(return_shortfall=ShortfallPolicy.CAP)
    sale = sell(member, lines=FAN_AND_RICE).sale
    points_spend(account=account_for(member), points=30, actor=actor)
    ret = sale_return(sale=sale, lines={1: 1}, actor=actor, return_id="RT-FAN")
    assert ret.points_reversed == 28
    assert balance(member) == (0, 0, 0)
    assert Entry.objects.get(kind="return").amount == 2


def test_points_paid_on_the_sale_come_back_in_proportion(sell, member, actor):
    # given 30 points from an earlier visit
    sell(member, "3000.00", when=at(2026, 3, 1))  # 30 + 10 = 40
    # when the member pays 20 points (20 THB) on a 1,000 THB bill of two 500 THB lines
    sale = sell(member, lines=[line(1, "A", 1, "500.00"), line(2, "B", 1, "500.00")],
                points_used=20, points_discount=Decimal("20"), when=at(2026, 3, 2)).sale
    assert sale.points_earned == 9  # base 980 THB
    assert balance(member) == (29, 0, 0)  # 40 - 20 + 9
    # when one of the two lines (half the value) is returned
    ret = sale_return(sale=sale, lines={1: 1}, actor=actor, return_id="RT-A")
    # then half the points paid (10) come back and the earn drops to 4 (base 490): 5 taken back
    assert (ret.points_refunded, ret.points_reversed) == (10, 5)
    assert balance(member) == (34, 0, 0)
    refund = Entry.objects.get(kind="return", sign=1)
    assert refund.reverses.kind == "purchase"
    # when the other line is returned too: everything paid with points is back
    ret2 = sale_return(sale=sale, lines={2: 1}, actor=actor, return_id="RT-B")
    assert (ret2.points_refunded, ret2.points_reversed) == (10, 4)
    assert balance(member) == (40, 0, 0)


@pytest.mark.parametrize(
    ("returned", "back", "then_back"),
    [
        (1, 3, 7),  # the 333 THB line: 10 × 333 / 1,000 = 3.33 → 3 (not 4), the rest on the last return
        (2, 6, 4),  # the 667 THB line: 10 × 667 / 1,000 = 6.67 → 6 (not 7)
    ],
)
def test_points_paid_back_on_a_partial_return_are_floored(sell, member, actor, returned, back, then_back):
    # given 40 points, and a bill of 333 + 667 THB on which the member pays 10 points
    sell(member, "3000.00", when=at(2026, 3, 1))  # 30 + 10 = 40
    sale = sell(member, lines=[line(1, "A", 1, "333.00"), line(2, "B", 1, "667.00")],
                points_used=10, points_discount=Decimal("10"), when=at(2026, 3, 2)).sale
    spendable_after_sale = balance(member)[0]
    # when one line is returned
    ret = sale_return(sale=sale, lines={returned: 1}, actor=actor, return_id="RT-1")
    # then the points paid come back in proportion, floored
    assert ret.points_refunded == back
    assert Entry.objects.get(kind="return", sign=1).amount == back
    assert balance(member)[0] == spendable_after_sale + back - ret.points_reversed
    # when the other line is returned too, then the rest of the 10 points comes back
    ret2 = sale_return(sale=sale, lines={3 - returned: 1}, actor=actor, return_id="RT-2")
    assert ret2.points_refunded == then_back
    assert back + then_back == 10


def test_a_credit_smaller_than_the_debt_pays_only_that_much_of_it(sell, member, actor, make_staff):
    # given a debt of 26 points (the fan went back after the points were spent)
    sale = sell(member, lines=FAN_AND_RICE, when=at(2026, 3, 1)).sale
    points_spend(account=account_for(member), points=30, actor=actor)
    sale_return(sale=sale, lines={1: 1}, actor=actor, return_id="RT-FAN")
    assert balance(member) == (0, 0, 26)
    # when the member earns 4 points (a 400 THB bill)
    sell(member, "400.00", when=at(2026, 3, 5))
    # then those 4 pay 4 of the debt, 22 is still owed and nothing is spendable
    assert balance(member) == (0, 0, 22)
    earn = Entry.objects.filter(kind="earn").order_by("-id").first()
    assert (earn.amount, earn.debt_delta, earn.explanation["debt_paid"]) == (4, -4, 4)
    # when an admin credits 5 points by hand
    admin = make_staff(Role.ADMIN)
    entry = points_adjust(account=account_for(member), points=5, reason="goodwill", actor=Actor.for_user(admin.user))
    # then they pay 5 more of it
    assert balance(member) == (0, 0, 17)
    assert (entry.debt_delta, entry.explanation["debt_paid"]) == (-5, 5)
    assert_ledger_consistent(account_for(member))


def test_void_reverses_everything_once(sell, member, actor):
    from sasom.core.models import AuditEvent

    sell(member, "1000.00", when=at(2026, 3, 1))  # 10
    sale = sell(member, lines=FAN_AND_RICE, points_used=5, points_discount=Decimal("5")).sale
    sale_return(sale=sale, lines={2: 1}, actor=actor, return_id="RT-1")
    # when the manager voids the sale
    sale_void(sale=sale, reason="rung up on the wrong member", actor=actor)
    # then the balance is as if it never happened
    assert balance(member) == (10, 0, 0)
    assert Sale.objects.get(pk=sale.pk).status == "voided"
    assert AuditEvent.objects.filter(action="sale.void").count() == 1
    # and a second void, or a return after it, is refused
    with pytest.raises(DomainError) as err:
        sale_void(sale=sale, reason="again", actor=actor)
    assert err.value.code == ALREADY_VOIDED
    with pytest.raises(DomainError) as err:
        sale_return(sale=sale, lines={1: 1}, actor=actor, return_id="RT-2")
    assert err.value.code == SALE_VOIDED


def test_void_of_a_referred_first_purchase_takes_back_the_referrers_bonus(sell, org, member_type, member, actor):
    from sasom.testing.factories import MemberFactory

    ploy = MemberFactory(organization=org, member_type=member_type, referred_by=member)
    sale = sell(ploy, "500.00").sale
    sale_void(sale=sale, reason="test receipt", actor=actor)
    assert balance(member) == (0, 0, 0)
    assert balance(ploy) == (0, 0, 0)


def test_void_of_pending_points_takes_them_from_pending(sell, member, actor, policy):
    policy(pending_days=14)
    sale = sell(member, "1000.00").sale
    sale_void(sale=sale, reason="customer cancelled", actor=actor)
    assert balance(member) == (0, 0, 0)


def test_non_member_sales_can_be_returned_and_voided(sell, actor):
    sale = sell(None, lines=FAN_AND_RICE).sale
    sale_return(sale=sale, lines={2: 1}, actor=actor, return_id="R")
    sale_void(sale=sale, reason="cancelled", actor=actor)
    assert Sale.objects.get(pk=sale.pk).status == "voided"
