"""A cut-off and sales on the same members at once (real threads and connections, PostgreSQL).

Both lock tier states: the cut-off its chunk in key order; a sale the buyer's state when it
raises the buyer, and the referrer's when the referral credit raises the referrer. A sale that
may move both locks them together first, in key order (``tiers.services.member_tiers_lock``), so
the two never wait for each other in a circle; and the cut-off decides a chunk after it holds its
locks, so it counts a sale it waited for."""

from __future__ import annotations

import datetime as dt
import threading
import time
from decimal import Decimal

import pytest
from django.db import connection, connections

from sasom.checkout.services import sale_commit
from sasom.earning import engine
from sasom.earning.selectors import ruleset_forget
from sasom.earning.services import rule_create
from sasom.ledger.models import PointAccount
from sasom.ledger.services import tiering
from sasom.ledger.services.tiering import tiers_cutoff_run
from sasom.testing.factories import MemberFactory
from sasom.tiers.models import MemberTier, Tier, TierChange

from .conftest import at

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def _tier(member) -> str | None:
    row = MemberTier.objects.filter(member=member).select_related("tier").first()
    return row.tier.code if row is not None and row.tier is not None else None


def _in_thread(target, errors: list[BaseException]) -> threading.Thread:
    def run() -> None:
        try:
            target()
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _someone_waits_for_a_lock(timeout: float = 20.0) -> bool:
    with connections["default"].cursor() as cur:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            cur.execute("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() "
                        "AND wait_event_type = 'Lock'")
            if cur.fetchone()[0]:
                return True
            time.sleep(0.05)
    return False


@pytest.fixture
def referral(org, actor):
    """A referred member's first purchase pays the referrer 600 points (and the member 5)."""
    rule_create(organization_id=org.pk, actor=actor, code="REF", name="Referral", kind="referral", priority=5,
                params={"member_points": 5, "referrer_points": 600, "min_amount": "0"})
    ruleset_forget()


def test_a_referral_sale_that_raises_both_members_and_a_cutoff_over_both_neither_deadlock_nor_lose_a_move(
        transactional_db, ladder, sell, org, member_type, referral, monkeypatch):
    # given the yearly cut-off of 2025: a referrer at Basic (600 points in 2025; its state keyed first)
    ladder(window_months=12, cutoff_frequency="yearly")
    referrer = MemberFactory(organization=org, member_type=member_type, code="REFERRER")
    friend = MemberFactory(organization=org, member_type=member_type, code="FRIEND", referred_by=referrer)
    sell(referrer, 600, when=at(2025, 1, 10))
    # and the friend at Basic without a purchase yet (a state keyed after the referrer's)
    MemberTier.objects.create(organization=org, member=friend, tier=Tier.objects.get(organization=org, code="BASIC"),
                              reached_on=dt.date(2025, 1, 1))
    assert MemberTier.objects.get(member=referrer).pk < MemberTier.objects.get(member=friend).pk
    # and a sale that stops once it holds the friend's state, until the cut-off waits for a lock
    buyer_locked, go = threading.Event(), threading.Event()
    original = tiering.member_tier_lock

    def lock_then_pause(*, organization_id: int, member_id: int):
        row = original(organization_id=organization_id, member_id=member_id)
        if member_id == friend.pk:
            buyer_locked.set()
            assert go.wait(30)
        return row

    monkeypatch.setattr(tiering, "member_tier_lock", lock_then_pause)
    errors: list[BaseException] = []
    counts: dict[str, int] = {}
    # when the friend's first purchase (1,000 THB on 31 December) raises the friend to Gold and
    # credits the referrer 600 (1,200: Gold) while the cut-off runs over both states
    sale = _in_thread(lambda: sell(friend, 1000, when=at(2025, 12, 31, 20, 0)), errors)
    assert buyer_locked.wait(30)
    cutoff = _in_thread(lambda: counts.update(tiers_cutoff_run(organization_id=org.pk, on_date=dt.date(2025, 12, 31))),
                        errors)
    assert _someone_waits_for_a_lock()
    go.set()
    for thread in (sale, cutoff):
        thread.join(timeout=60)
    assert not sale.is_alive() and not cutoff.is_alive()
    # then nothing deadlocked, and the cut-off counted the sale it waited for: both stay Gold
    assert errors == []
    assert (_tier(referrer), _tier(friend)) == ("GOLD", "GOLD")
    assert counts == {"checked": 2, "moved": 0}
    ups = TierChange.objects.filter(to_code="GOLD").order_by("member_id")
    assert [(c.member_id, c.from_code, c.reason, c.detail) for c in ups] == [
        (referrer.pk, "BASIC", "upgrade", "referral"), (friend.pk, "BASIC", "upgrade", "sale")]
    assert not TierChange.objects.filter(reason="downgrade").exists()


def test_a_first_sale_whose_account_is_new_and_that_raises_the_member_while_a_cutoff_waits_keeps_its_tier(
        transactional_db, ladder, org, branch, terminal, member_type, actor, monkeypatch):
    # given the yearly cut-off of 2025 and a member at Basic since 2024, without an account yet
    # (nothing the cut-off's account lock can hold: the sale creates the account)
    ladder(window_months=12, cutoff_frequency="yearly")
    member = MemberFactory(organization=org, member_type=member_type, code="NEWBIE")
    MemberTier.objects.create(organization=org, member=member, tier=Tier.objects.get(organization=org, code="BASIC"),
                              reached_on=dt.date(2024, 1, 1))
    assert not PointAccount.objects.filter(member=member).exists()
    # and the member's first sale (1,200 THB on 31 December, in one transaction: the member given,
    # so the ORM writer) stopped once it holds the member's state, its points written, not committed
    held, go = threading.Event(), threading.Event()
    original = tiering.member_tier_lock

    def lock_then_pause(*, organization_id: int, member_id: int):
        row = original(organization_id=organization_id, member_id=member_id)
        held.set()
        assert go.wait(30)
        return row

    monkeypatch.setattr(tiering, "member_tier_lock", lock_then_pause)
    basket = engine.Basket(occurred_at=at(2025, 12, 31, 20, 0), lines=(engine.BasketLine(
        line_no=1, sku="ITEM", quantity=Decimal("1"), unit_price=Decimal("1200")),))
    errors: list[BaseException] = []
    sale = _in_thread(lambda: sale_commit(organization=org, branch=branch, terminal=terminal, receipt_id="NEW-1",
                                          basket=basket, actor=actor, member=member), errors)
    assert held.wait(30)
    # when the cut-off runs meanwhile, waits (for the state), and the sale then commits
    counts: dict[str, int] = {}
    cutoff = _in_thread(lambda: counts.update(tiers_cutoff_run(organization_id=org.pk, on_date=dt.date(2025, 12, 31))),
                        errors)
    assert _someone_waits_for_a_lock()
    go.set()
    for thread in (sale, cutoff):
        thread.join(timeout=60)
    assert errors == [] and not sale.is_alive() and not cutoff.is_alive()
    # then the cut-off measured the state it read with the sale's points: Gold, kept (a cut-off that
    # read the state as the sale left it but its points from before the sale dropped it to nothing)
    assert _tier(member) == "GOLD"
    assert counts == {"checked": 1, "moved": 0}
    assert list(TierChange.objects.filter(member=member).values_list("from_code", "to_code")) == [("BASIC", "GOLD")]


def test_sales_and_referrals_during_a_cutoff_in_small_chunks_keep_every_history_chain(
        transactional_db, ladder, sell, org, member_type, referral, monkeypatch):
    # given eight members at Basic since 2024, each referred by the one before, none bought in 2025
    # (the yearly cut-off of 2025 drops each to no tier, unless a sale below counts)
    ladder(window_months=12, cutoff_frequency="yearly")
    monkeypatch.setattr("sasom.ledger.services.tier_cutoff.CHUNK", 2)
    members = [MemberFactory(organization=org, member_type=member_type, code="M0")]
    for i in range(1, 8):
        members.append(MemberFactory(organization=org, member_type=member_type, code=f"M{i}",
                                     referred_by=members[-1]))
    basic = Tier.objects.get(organization=org, code="BASIC")
    for m in members:
        MemberTier.objects.create(organization=org, member=m, tier=basic, reached_on=dt.date(2024, 1, 1))
    start = threading.Barrier(5, timeout=30)
    errors: list[BaseException] = []

    def buyer(i: int):
        def run() -> None:
            start.wait()
            # 1,200 THB: Gold for the buyer; the referrer credited 600
            sell(members[i], 1200, when=at(2025, 12, 31, 20, i))
        return run

    def cut() -> None:
        start.wait()
        tiers_cutoff_run(organization_id=org.pk, on_date=dt.date(2025, 12, 31))

    # when four buyers (their first purchases: referral credits) and the cut-off start together
    threads = [_in_thread(buyer(i), errors) for i in (1, 3, 5, 7)] + [_in_thread(cut, errors)]
    for thread in threads:
        thread.join(timeout=90)
    # then nothing deadlocked or failed, every member was decided, and each member's history is one
    # chain from Basic to the tier they hold (no move lost to a concurrent one)
    assert errors == [] and not any(t.is_alive() for t in threads)
    assert tiers_cutoff_run(organization_id=org.pk, on_date=dt.date(2025, 12, 31)) == {"checked": 0, "moved": 0}
    for m in members:
        chain = list(TierChange.objects.filter(member=m).order_by("changed_at", "id").values_list("from_code",
                                                                                                 "to_code"))
        held = "BASIC"
        for from_code, to_code in chain:
            assert from_code == held, (m.code, chain)
            held = to_code
        assert (_tier(m) or "") == held, (m.code, chain)
    # and whichever came first, every sale counted: the buyers' 1,205 points are Gold (counted by
    # the cut-off, or raised again by the sale after it), the referrers' 600 credited points Basic
    assert [_tier(m) for m in members] == ["BASIC", "GOLD"] * 4
