"""A cut-off over many members, chunk by chunk: the same moves, history rows and events as one
member at a time, a constant number of queries per chunk, and a rerun that moves nobody."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sasom.core.events import MEMBER_TIER_CHANGED, subscribe
from sasom.ledger.services.tiering import tiers_cutoff_run
from sasom.testing.factories import MemberFactory
from sasom.tiers.models import MemberTier, TierChange

from .conftest import at

pytestmark = pytest.mark.django_db

# points each member earns in March 2025: Platinum, Gold, Basic, Platinum, Basic, Gold, Platinum
EARNED = [2500, 1200, 600, 2100, 900, 1500, 3000]


def _tier(member) -> str | None:
    row = MemberTier.objects.filter(member=member).select_related("tier").first()
    return row.tier.code if row is not None and row.tier is not None else None


@pytest.fixture
def members(ladder, sell, org, member_type):
    ladder(window_months=12, cutoff_frequency="yearly")
    out = [MemberFactory(organization=org, member_type=member_type, code=f"C{i}", phone=f"+6681200000{i}")
           for i in range(len(EARNED))]
    for m, amount in zip(out, EARNED, strict=True):
        sell(m, amount, when=at(2025, 3, 1))
    # in 2026 the first three earn 1,000 (Gold), 500 (Basic), 700 (Basic); the others nothing
    for m, amount in zip(out[:3], (1000, 500, 700), strict=True):
        sell(m, amount, when=at(2026, 6, 1))
    return out


def test_a_cutoff_in_chunks_moves_each_member_once_and_tells_listeners(members, org, monkeypatch):
    # given chunks of two members and a listener to tier changes
    monkeypatch.setattr("sasom.ledger.services.tiering.CHUNK", 2)
    heard = []
    stop = subscribe(MEMBER_TIER_CHANGED, heard.append)
    before = [_tier(m) for m in members]
    assert before == ["PLAT", "GOLD", "BASIC", "PLAT", "BASIC", "GOLD", "PLAT"]
    try:
        # when the yearly cut-off of 2026 runs
        counts = tiers_cutoff_run(organization_id=org.pk, on_date=dt.date(2026, 12, 31))
    finally:
        stop()
    # then everybody drops to what 2026 reached (Gold 1,000, Basic 500, Basic 700 stays, the others nothing)
    assert counts == {"checked": 7, "moved": 6}
    assert [_tier(m) for m in members] == ["GOLD", "BASIC", "BASIC", None, None, None, None]
    changes = {c.member_id: c for c in TierChange.objects.filter(reason="downgrade")}
    assert members[2].pk not in changes
    assert [(changes[m.pk].from_code, changes[m.pk].to_code, changes[m.pk].measure) for m in members[:2]] == [
        ("PLAT", "GOLD", 1000), ("GOLD", "BASIC", 500)]
    assert {c.effective_on for c in changes.values()} == {dt.date(2027, 1, 1)}
    assert {c.run_key for c in changes.values()} == {"cutoff:2026-12-31"}
    row = MemberTier.objects.get(member=members[0])
    assert (row.reached_on, row.expires_on) == (dt.date(2027, 1, 1), None)
    # and each change was announced with the member's code
    assert sorted((e.payload["member"], e.payload["from"], e.payload["to"]) for e in heard) == sorted(
        (m.code, b, _tier(m)) for m, b in zip(members, before, strict=True) if b != _tier(m))
    # a rerun moves nobody
    assert tiers_cutoff_run(organization_id=org.pk, on_date=dt.date(2026, 12, 31)) == {"checked": 3, "moved": 0}
    assert TierChange.objects.filter(reason="downgrade").count() == 6


def test_the_queries_of_a_cutoff_do_not_grow_with_the_members_of_a_chunk(members, org, monkeypatch):
    # chunks of 2 and of 7 members: the 7-member chunk costs what one 2-member chunk does
    monkeypatch.setattr("sasom.ledger.services.tiering.CHUNK", 7)
    with CaptureQueriesContext(connection) as whole:
        tiers_cutoff_run(organization_id=org.pk, on_date=dt.date(2026, 12, 31))
    writes = [q for q in whole.captured_queries if q["sql"].startswith(("UPDATE", "INSERT")) and "tiers_" in q["sql"][:40]]
    # one UPDATE of the states and one INSERT of the history rows for the 6 moves (events aside)
    assert len(writes) == 2, [q["sql"][:60] for q in writes]
    # reads: the ladder, the chunk's lock and rows, its done rows, its earned and taken-back sums, the
    # empty next chunk; none per member
    reads = [q for q in whole.captured_queries if q["sql"].startswith("SELECT")]
    assert len(reads) <= 9, [q["sql"][:60] for q in reads]
