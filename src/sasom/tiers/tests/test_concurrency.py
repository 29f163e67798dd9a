"""Two sales of one member committed at once together cross a threshold: the member moves up,
whichever writer posts them (real threads and connections, PostgreSQL)."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection

from sasom.earning import engine
from sasom.ledger.services import fastpost, sale_post
from sasom.tiers.models import MemberTier, TierChange

from .conftest import at

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def _basket(amount: int, when):
    return engine.Basket(occurred_at=when, lines=(engine.BasketLine(
        line_no=1, sku="ITEM", quantity=Decimal("1"), unit_price=Decimal(amount)),))


def _race(post, n: int = 2) -> list[BaseException]:
    errors: list[BaseException] = []

    def till(i: int) -> None:
        try:
            post(i)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=till, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    return errors


def test_two_one_call_sales_that_read_the_window_before_each_other_still_upgrade(
        transactional_db, ladder, org, branch, terminal, member, actor, monkeypatch):
    # given a Basic member with 700 points in the window (Gold from 1,000)
    ladder(window_months=12)
    sale_post(organization=org, branch=branch, terminal=terminal, receipt_id="R0", basket=_basket(700, at(2026, 3, 1)),
              member=member, actor=actor, now=at(2026, 3, 1))
    assert MemberTier.objects.get(member=member).tier.code == "BASIC"
    # and two tills whose one-call posts both count the window before either sale is written
    both_read = threading.Barrier(2, timeout=20)
    original = fastpost.tier_precheck

    def precheck_then_wait(plan, earned_before=None, read=None):
        found = original(plan, earned_before, read)
        both_read.wait()
        return found

    monkeypatch.setattr(fastpost, "tier_precheck", precheck_then_wait)

    def post(i: int) -> None:
        when = at(2026, 3, 2, 10, 0)  # the same second at two tills
        fresh, account = fastpost.member_with_account(org.pk, code=member.code)
        result = fastpost.sale_post_fast(organization=org, branch=branch, terminal=terminal, receipt_id=f"R{i + 1}",
                                         basket=_basket(200, when), member=fresh, account=account, actor=actor,
                                         now=when)
        assert result is not None and result.created

    # when each sells 200 (900 alone, 1,100 together)
    errors = _race(post)
    # then the member is Gold, moved once, by the sale that completed the window
    assert errors == []
    assert MemberTier.objects.get(member=member).tier.code == "GOLD"
    up = TierChange.objects.filter(member=member, to_code="GOLD")
    assert [(c.from_code, c.reason, c.measure) for c in up] == [("BASIC", "upgrade", 1100)]


def test_many_tills_at_once_end_in_the_tier_of_the_whole_window(
        transactional_db, ladder, org, branch, terminal, member, actor):
    # given a member without a tier and eight tills posting 150 at the same moment, through both writers
    ladder(window_months=12)
    sale_post(organization=org, branch=branch, terminal=terminal, receipt_id="R0", basket=_basket(100, at(2026, 3, 1)),
              member=member, actor=actor, now=at(2026, 3, 1))
    start = threading.Barrier(8, timeout=20)

    def post(i: int) -> None:
        when = at(2026, 3, 2, 11, 0)
        start.wait()
        if i % 2:
            sale_post(organization=org, branch=branch, terminal=terminal, receipt_id=f"S{i}",
                      basket=_basket(150, when), member=member, actor=actor, now=when)
            return
        fresh, account = fastpost.member_with_account(org.pk, code=member.code)
        if fastpost.sale_post_fast(organization=org, branch=branch, terminal=terminal, receipt_id=f"S{i}",
                                   basket=_basket(150, when), member=fresh, account=account, actor=actor,
                                   now=when) is None:
            sale_post(organization=org, branch=branch, terminal=terminal, receipt_id=f"S{i}",
                      basket=_basket(150, when), member=member, actor=actor, now=when)

    # when 8 x 150 arrive (1,300 in the window with the first 100)
    assert _race(post, 8) == []
    # then the member is Gold, and every step up is in the history once
    assert MemberTier.objects.get(member=member).tier.code == "GOLD"
    assert [c.to_code for c in TierChange.objects.filter(member=member).order_by("changed_at", "id")] == [
        "BASIC", "GOLD"]
