"""The tier window read with the member (``checkout.pricing_read``, issue 19's B9): on PostgreSQL
the sale's one read statement also measures the member's window, so a sale with a ladder costs
no statement more than one without, and decides exactly as the window counted apart
(``ledger.services.tier_measures.measures``) and as the other writers decide."""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from sasom.checkout import services as checkout_services
from sasom.checkout.pricing_read import sale_read
from sasom.checkout.services import MemberRef, member_and_account, sale_commit
from sasom.earning import engine
from sasom.ledger.models import PointAccount, Sale
from sasom.ledger.services import sale_post, sale_return, sale_void
from sasom.ledger.services.bulk import BulkSale, sales_post_bulk
from sasom.ledger.services.tier_measures import measures
from sasom.testing.factories import MemberFactory
from sasom.testing.properties import db_property
from sasom.tiers import engine as tier_engine
from sasom.tiers.models import MemberTier, TierChange
from sasom.tiers.selectors import ladder_for
from sasom.tiers.services import TierIn, ladder_configure, member_tier_set

from .conftest import BKK, at

PG = connection.vendor == "postgresql"
HIGH = [TierIn("A", "A", 100_000), TierIn("B", "B", 200_000)]  # no sale here reaches a tier


def _basket(amount, when):
    return engine.Basket(occurred_at=when, lines=(engine.BasketLine(
        line_no=1, sku="ITEM", quantity=Decimal("1"), unit_price=Decimal(str(amount))),))


def _read(org, branch, member, when):
    """The member as the till's first read gives it for a sale at ``when`` (plain values on
    PostgreSQL, with the window's measure when one was taken)."""
    found, _account, _till = sale_read(organization=org, branch=branch, basket=_basket(1, when),
                                       ref=MemberRef(code=member.code), region="TH",
                                       fallback=lambda: member_and_account(org.pk, MemberRef(code=member.code), "TH"))
    return found


def _history(org, branch, terminal, member, actor, when):
    """Sales around the window of a sale at ``when`` (one month back: it opens at local midnight
    of the same day a month before): before it, at its first instant, returned in part, voided, and
    at the very instant of the sale; amounts with satang, so the spend basis truncates."""
    start = tier_engine.local_midnight(dt.date(when.year, when.month - 1, when.day), BKK)
    posted = {}
    for key, moment, amount in (("before", start - dt.timedelta(seconds=1), "700.25"),
                                ("first", start, "300.50"), ("returned", start + dt.timedelta(days=3), "900.75"),
                                ("voided", start + dt.timedelta(days=4), "400.00"),
                                ("kept", start + dt.timedelta(days=5), "120.40"), ("same", when, "80.35")):
        posted[key] = sale_post(organization=org, branch=branch, terminal=terminal, receipt_id=f"H-{key}",
                                basket=_basket(amount, moment), member=member, actor=actor, now=moment).sale
    sale_return(sale=posted["returned"], lines={1: Decimal("1") / 3}, actor=actor, return_id="RT-1",
                now=start + dt.timedelta(days=6))
    # a return of a sale from before the window, posted inside it: it takes back nothing of the window's
    sale_return(sale=posted["before"], lines={1: Decimal("1")}, actor=actor, return_id="RT-2",
                now=start + dt.timedelta(days=7))
    sale_void(sale=posted["voided"], reason="wrong member", actor=actor, now=start + dt.timedelta(days=8))
    return start


@pytest.mark.skipif(not PG, reason="the one read exists on PostgreSQL only")
@pytest.mark.parametrize("basis", ["points", "spend"])
def test_the_one_read_measures_the_window_as_the_window_counted_apart(
        ladder, org, branch, terminal, member, actor, basis):
    # given a ladder no sale reaches, and a member's sales in, out of and at the edges of the window
    ladder(window_months=1, basis=basis, tiers=HIGH)
    when = at(2026, 3, 20, 15, 30)
    start = _history(org, branch, terminal, member, actor, when)
    # when the till reads the member for a sale at that moment
    read = _read(org, branch, member, when)
    # then the measure read is the one counted apart, for the sale's window and basis
    counted = measures(organization_id=org.pk, ladder=ladder_for(org.pk), member_ids=[member.pk], start=start,
                       end=when, end_inclusive=True)[member.pk]
    assert read.tier_window == tier_engine.WindowMeasure(start=start, end=when, basis=basis, measure=counted)
    # (the history makes the comparison bite: in points 300 + 900 - 300 + 120 + 80; in baht the
    # sales' net truncated, minus the third returned)
    assert counted == (1100 if basis == "points" else int(int(Decimal("300.50") + Decimal("900.75")
                                                              + Decimal("120.40") + Decimal("80.35"))
                                                          - Decimal("900.75") / 3))


@pytest.mark.skipif(not PG, reason="the one read exists on PostgreSQL only")
def test_no_measure_without_a_ladder_or_at_the_top_and_zero_without_an_account(
        ladder, org, branch, terminal, member, member_type, actor):
    when = at(2026, 3, 20)
    sale_post(organization=org, branch=branch, terminal=terminal, receipt_id="H1", basket=_basket(300, at(2026, 3, 1)),
              member=member, actor=actor, now=at(2026, 3, 1))
    # without a ladder nothing is measured
    assert _read(org, branch, member, when).tier_window is None
    # with one, a member with an account is measured, one without measures zero
    ladder(window_months=12)
    newcomer = MemberFactory(organization=org, member_type=member_type, code="M-NEW", phone="+66810000099")
    assert _read(org, branch, member, when).tier_window.measure == 300
    assert not PointAccount.objects.filter(member=newcomer).exists()
    assert _read(org, branch, newcomer, when).tier_window.measure == 0
    # and a member at the top tier is not measured (no sale moves them)
    member_tier_set(organization_id=org.pk, member=member, tier_code="PLAT", until=None, note="test", actor=actor)
    assert _read(org, branch, member, when).tier_window is None


@pytest.mark.skipif(not PG, reason="the one read exists on PostgreSQL only")
@pytest.mark.parametrize("basis", ["points", "spend"])
def test_a_sale_with_a_ladder_is_the_read_and_the_call(ladder, sell, org, member, actor, settings, basis):
    # given a ladder (kept cached for the test), a member with an account
    settings.TIERS_LADDER_TTL = 3600
    ladder(window_months=12, basis=basis)
    sell(member, 100, when=at(2026, 3, 1))
    # when two more sales are committed, one that moves the member up and one that does not
    with CaptureQueriesContext(connection) as plain:
        sell(member, 100, when=at(2026, 3, 2))
    with CaptureQueriesContext(connection) as upgrade:
        sell(member, 400, when=at(2026, 3, 3))
    # then the plain one was two statements: the read (with the window's measure) and the call
    assert [q["sql"].split()[1] for q in plain.captured_queries] == ["sasom_sale_read_by_code_" + basis + "_v3",
                                                                     "sasom_sale_post2_v1"]
    # and the upgrade counted nothing apart either (its transaction moves the tier with the measure read)
    assert not [q for q in upgrade.captured_queries if "sasom_tier_earned" in q["sql"]
                or ("ledger_entry" in q["sql"] and not q["sql"].startswith(("EXECUTE", "INSERT")))]
    assert MemberTier.objects.get(member=member).tier.code == "BASIC"
    assert TierChange.objects.get(member=member).measure == 600


@pytest.mark.parametrize("basis", ["points", "spend"])
def test_every_writer_decides_the_tier_alike_with_returns_and_the_windows_edge(
        ladder, org, branch, terminal, member_type, actor, basis):
    """The till's path (on PostgreSQL the one read with the window's measure, then the one-call
    writer), the ORM writer and the day-end bulk writer, over the same sales: one that does not
    move, a return, a sale that moves up only because the window's first instant still counts,
    one that would have moved with the sale that just left the window, and a void."""
    ladder(window_months=1, basis=basis)
    members = {w: MemberFactory(organization=org, member_type=member_type, code=f"W-{w}", phone=f"+6681000001{i}")
               for i, w in enumerate(["till", "orm", "bulk"])}
    start = tier_engine.local_midnight(dt.date(2026, 2, 20), BKK)  # the window of a sale on 20 March
    steps = [
        ("sale", start, 400),  # at the window's first instant of a sale on 20 March
        ("sale", start + dt.timedelta(days=2), 300),  # 700: Basic
        ("return", start + dt.timedelta(days=3), "R1"),  # the second sale returned whole: 400
        ("sale", at(2026, 3, 20, 9), 600),  # 1,000 with the first still in: Gold
        ("sale", at(2026, 3, 21, 9), 1050),  # the first left: 600 + 1,050 = 1,650, still Gold (2,050 with it)
        ("void", at(2026, 3, 21, 10), "R2"),  # the Gold sale voided: the tier stays (a sale only moves up)
        ("sale", at(2026, 3, 22, 9), 1000),  # 1,050 + 1,000 = 2,050: Platinum
    ]
    for writer, member in members.items():
        sales = []
        for kind, when, what in steps:
            if kind == "sale":
                receipt = f"R{len(sales)}-{writer}"
                if writer == "till":
                    done = sale_commit(organization=org, branch=branch, terminal=terminal, receipt_id=receipt,
                                       basket=_basket(what, when), actor=actor, member_ref=MemberRef(code=member.code))
                    sales.append(done.sale)
                elif writer == "orm":
                    sales.append(sale_post(organization=org, branch=branch, terminal=terminal, receipt_id=receipt,
                                           basket=_basket(what, when), member=member, actor=actor, now=when).sale)
                else:
                    (outcome,) = sales_post_bulk(organization=org, actor=actor, items=[BulkSale(
                        branch=branch, terminal=terminal, receipt_id=receipt, basket=_basket(what, when),
                        member=member)])
                    sales.append(Sale.objects.get(pk=outcome.sale_id))
            elif kind == "return":
                sale_return(sale=sales[int(what[1:])], lines={1: Decimal("1")}, actor=actor, return_id=f"RT-{writer}",
                            now=when)
            else:
                sale_void(sale=sales[int(what[1:])], reason="wrong", actor=actor, now=when)
    history = {w: [(c.from_code, c.to_code, c.measure) for c in
                   TierChange.objects.filter(member=m).order_by("changed_at", "id")] for w, m in members.items()}
    expected = [("", "BASIC", 700), ("BASIC", "GOLD", 1000), ("GOLD", "PLAT", 2050)]
    assert history == {w: expected for w in members}


@pytest.mark.postgres_only
@pytest.mark.skipif(not PG, reason="row locks need PostgreSQL")
def test_two_tills_that_read_the_window_before_each_other_still_upgrade(
        transactional_db, ladder, org, branch, terminal, member, actor, monkeypatch):
    # given a Basic member with 700 points in the window (Gold from 1,000)
    ladder(window_months=12)
    sale_post(organization=org, branch=branch, terminal=terminal, receipt_id="R0", basket=_basket(700, at(2026, 3, 1)),
              member=member, actor=actor, now=at(2026, 3, 1))
    # and two tills whose one reads both measure the window before either sale is written
    both_read = threading.Barrier(2, timeout=20)
    original = checkout_services.sale_read

    def read_then_wait(**kw):
        found = original(**kw)
        assert found[0].tier_window.measure == 700
        both_read.wait()
        return found

    monkeypatch.setattr(checkout_services, "sale_read", read_then_wait)
    errors: list[BaseException] = []

    def till(i: int) -> None:
        try:
            sale_commit(organization=org, branch=branch, terminal=terminal, receipt_id=f"R{i + 1}",
                        basket=_basket(200, at(2026, 3, 2, 10)), actor=actor, member_ref=MemberRef(code=member.code))
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=till, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    # when each sells 200 (900 alone, 1,100 together), then the member is Gold, moved once
    assert errors == []
    assert MemberTier.objects.get(member=member).tier.code == "GOLD"
    up = TierChange.objects.filter(member=member, to_code="GOLD")
    assert [(c.from_code, c.reason, c.measure) for c in up] == [("BASIC", "upgrade", 1100)]


# Any history around the window's first instant (seconds before, at, after; days inside and out),
# each sale kept, returned in part or whole, or voided: the measure read is the one counted apart.
_moments = st.tuples(st.integers(min_value=-3, max_value=40), st.sampled_from([-1, 0, 1, 3600, 50_000]))
_fates = st.sampled_from(["kept", "kept", "third", "whole", "void"])
_events = st.lists(st.tuples(_moments, st.decimals(min_value=Decimal("1"), max_value=Decimal("2500"), places=2),
                             _fates), min_size=1, max_size=6)
_members = itertools.count(1)


@pytest.mark.skipif(not PG, reason="the one read exists on PostgreSQL only")
@pytest.mark.parametrize("basis", ["points", "spend"])
@db_property(max_examples=12)
@given(events=_events)
def test_any_history_is_measured_as_the_window_counted_apart(org, branch, terminal, member_type, actor, basis, events):
    if ladder_for(org.pk) is None:
        ladder_configure(organization_id=org.pk, actor=actor, name="Tiers", tiers=HIGH, window_months=1, basis=basis)
    when = at(2026, 3, 20, 15, 30)
    start = tier_engine.local_midnight(dt.date(2026, 2, 20), BKK)
    # given a fresh member's sales around the window's first instant, some returned or voided later
    member = MemberFactory(organization=org, member_type=member_type, code=f"H{next(_members):05d}")
    for n, ((days, seconds), amount, fate) in enumerate(events):
        moment = start + dt.timedelta(days=days, seconds=seconds)
        sale = sale_post(organization=org, branch=branch, terminal=terminal, receipt_id=f"{member.code}-{n}",
                         basket=_basket(amount, moment), member=member, actor=actor, now=moment).sale
        later = moment + dt.timedelta(hours=2)
        if fate in ("third", "whole"):
            sale_return(sale=sale, lines={1: Decimal("1") / 3 if fate == "third" else Decimal("1")}, actor=actor,
                        return_id=f"RT-{n}", now=later)
        elif fate == "void":
            sale_void(sale=sale, reason="test", actor=actor, now=later)
    # when the till reads the member for a sale at ``when``, then it measured what measures() counts
    counted = measures(organization_id=org.pk, ladder=ladder_for(org.pk), member_ids=[member.pk], start=start,
                       end=when, end_inclusive=True)[member.pk]
    assert _read(org, branch, member, when).tier_window == tier_engine.WindowMeasure(
        start=start, end=when, basis=basis, measure=counted)
