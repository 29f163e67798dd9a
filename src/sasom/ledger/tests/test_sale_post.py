from __future__ import annotations

from decimal import Decimal

import pytest

from sasom.core.errors import DomainError
from sasom.ledger.models import Entry, Lot, PointAccount, Sale, SaleLine
from sasom.ledger.services import (
    INVALID_BASKET,
    MEMBER_INACTIVE,
    POINTS_WITHOUT_MEMBER,
    RECEIPT_CONFLICT,
    WRONG_PLACE,
    sale_post,
)
from sasom.ledger.testing import assert_ledger_consistent
from sasom.ledger.tests.conftest import at, basket, line
from sasom.testing.factories import MemberFactory, TerminalFactory


def test_member_buys_groceries_and_earns_base_points(sell, member):
    # given a member at the till with a 450 THB basket (100 THB = 1 pt)
    # when the cashier posts the receipt
    result = sell(member, lines=[line(1, "RICE5KG", 1, "250.00"), line(2, "EGG30", 2, "100.00")], receipt="B1-0001")
    # then 4 points are earned, explained, and spendable at once
    assert result.created and result.points_earned == 4
    assert result.awards[0]["rule_code"] == "BASE"
    assert "450.00" in result.awards[0]["explanation"]
    account = PointAccount.objects.get(member=member)
    assert (account.spendable, account.pending, account.lifetime_earned, account.sale_count) == (4, 0, 4, 1)
    entry = Entry.objects.get(account=account)
    assert (entry.kind, entry.sign, entry.amount) == ("earn", 1, 4)
    assert entry.explanation["awards"][0]["points"] == 4
    sale = Sale.objects.get(receipt_id="B1-0001")
    assert (sale.gross, sale.net, sale.points_earned, sale.member_type_code) == (Decimal("450.00"), Decimal("450.00"), 4, "GEN")
    assert list(sale.lines.values_list("sku", "net")) == [("RICE5KG", Decimal("250.00")), ("EGG30", Decimal("200.00"))]
    assert_ledger_consistent(account)


def test_big_bill_gets_base_then_bonus_on_top(sell, member):
    # given a 2,500 THB bill
    result = sell(member, "2500.00")
    # then 25 base + 10 threshold bonus
    assert result.points_earned == 35
    assert [a["rule_code"] for a in result.awards] == ["BASE", "BIG"]


def test_non_member_sale_is_stored_for_reports_without_points(sell):
    result = sell(None, "300.00", receipt="WALKIN-1")
    assert result.points_earned == 0 and result.spendable is None
    sale = Sale.objects.get(receipt_id="WALKIN-1")
    assert sale.member is None and sale.net == Decimal("300.00")
    assert not Entry.objects.exists()


def test_replaying_the_same_receipt_posts_nothing_more(sell, member):
    # given a posted receipt
    first = sell(member, "880.00", receipt="B1-0002")
    # when the POS retries with the same body after a timeout
    again = sell(member, "880.00", receipt="B1-0002")
    # then the stored result comes back and nothing is posted twice
    assert again.created is False
    assert (again.sale.pk, again.points_earned, again.spendable) == (first.sale.pk, 8, 8)
    assert Sale.objects.count() == 1 and Entry.objects.count() == 1 and SaleLine.objects.count() == 1


def test_same_receipt_with_other_content_is_a_conflict(sell, member):
    sell(member, "880.00", receipt="B1-0003")
    with pytest.raises(DomainError) as err:
        sell(member, "990.00", receipt="B1-0003")
    assert err.value.code == RECEIPT_CONFLICT
    assert PointAccount.objects.get(member=member).spendable == 8


def test_same_receipt_number_on_another_terminal_is_another_sale(sell, org, branch, member, actor):
    sell(member, "100.00", receipt="0001")
    other = TerminalFactory(organization=org, branch=branch, code="B1-T2")
    sale_post(organization=org, branch=branch, terminal=other, receipt_id="0001",
              basket=basket("100.00", when=at(2026, 3, 1)), member=member, actor=actor)
    assert PointAccount.objects.get(member=member).spendable == 2


def test_referred_members_first_purchase_pays_the_referrer(sell, org, member_type, member):
    # given Ploy was referred by the member
    ploy = MemberFactory(organization=org, member_type=member_type, referred_by=member)
    # when Ploy buys for 500 THB for the first time, then again
    first = sell(ploy, "500.00")
    second = sell(ploy, "500.00")
    # then Ploy gets 5 + 5 bonus, the referrer 20, once
    assert (first.points_earned, first.referrer_points) == (10, 20)
    assert (second.points_earned, second.referrer_points) == (5, 0)
    assert PointAccount.objects.get(member=member).spendable == 20
    ref_entry = Entry.objects.get(account__member=member)
    assert ref_entry.explanation["awards"][0]["beneficiary"] == "referrer"


def test_referrer_with_lower_account_id_is_locked_in_order(sell, org, member_type, member):
    # given the referrer already has an account (lower id) before the new member's
    sell(member, "100.00")
    ploy = MemberFactory(organization=org, member_type=member_type, referred_by=member)
    # when the new member's first sale pays the referrer
    result = sell(ploy, "500.00")
    # then both accounts were locked in id order and credited once
    assert result.referrer_points == 20
    assert PointAccount.objects.get(member=member).spendable == 21


@pytest.mark.parametrize(
    "lines, code",
    [
        ([], INVALID_BASKET),
        ([line(1, "A", 0, "10")], INVALID_BASKET),
        ([line(1, "A", 1, "-10")], INVALID_BASKET),
        ([line(1, "A", 1, "10", discount="11")], INVALID_BASKET),
        ([line(1, "A", 1, "10"), line(1, "B", 1, "10")], INVALID_BASKET),
    ],
)
def test_bad_baskets_are_refused_with_a_code(sell, member, lines, code):
    with pytest.raises(DomainError) as err:
        sell(member, lines=lines)
    assert err.value.code == code
    assert not Sale.objects.exists()


def test_points_need_a_member_and_an_active_one(sell, member):
    with pytest.raises(DomainError) as err:
        sell(None, "100.00", points_used=5)
    assert err.value.code == POINTS_WITHOUT_MEMBER
    member.status = "suspended"
    member.save()
    with pytest.raises(DomainError) as err:
        sell(member, "100.00")
    assert err.value.code == MEMBER_INACTIVE


def test_terminal_of_another_branch_is_refused(org, branch, branch2, member, actor):
    elsewhere = TerminalFactory(organization=org, branch=branch2, code="B2-T1")
    with pytest.raises(DomainError) as err:
        sale_post(organization=org, branch=branch, terminal=elsewhere, receipt_id="X1",
                  basket=basket("10.00", when=at(2026, 3, 1)), member=member, actor=actor)
    assert err.value.code == WRONG_PLACE


def test_post_path_query_budget(sell, member, django_assert_num_queries, settings):
    # given a member who already has an account, and rule sets trusted for a minute once compiled
    settings.EARNING_RULESET_TTL = 60
    sell(member, "100.00")
    # when a 20-line basket is posted: no per-line queries
    lines = [line(i, f"SKU{i}", 1, "120.00") for i in range(1, 21)]
    # then: lock account, insert sale, bulk-insert lines, entry, lot, update balance (6) + the
    # transaction's begin/commit (a savepoint pair inside the test's transaction)
    with django_assert_num_queries(8):
        result = sell(member, lines=lines)
    assert result.points_earned == 24 + 10
    assert Lot.objects.filter(account__member=member).count() == 2
