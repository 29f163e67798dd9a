"""A cut-off over many members, decided in SQL chunk by chunk: the same moves, history rows and
events as one member at a time, a constant number of statements per chunk, a rerun of a finished
cut-off that returns at once, and an interrupted one that goes on from its last chunk."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sasom.core.events import MEMBER_TIER_CHANGED, subscribe
from sasom.ledger.services.tiering import tiers_cutoff_run
from sasom.testing.factories import MemberFactory
from sasom.tiers.models import CutoffRun, MemberTier, TierChange

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
    monkeypatch.setattr("sasom.ledger.services.tier_cutoff.CHUNK", 2)
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
    # the cut-off is recorded as finished: a rerun returns at once, moving nobody
    run = CutoffRun.objects.get(organization=org, on_date=dt.date(2026, 12, 31))
    assert (run.checked, run.moved, run.finished_at is not None) == (7, 6, True)
    with CaptureQueriesContext(connection) as again:
        assert tiers_cutoff_run(organization_id=org.pk, on_date=dt.date(2026, 12, 31)) == {"checked": 0, "moved": 0}
    assert not [q for q in again.captured_queries if "tiers_membertier" in q["sql"] or "ledger_entry" in q["sql"]]
    assert TierChange.objects.filter(reason="downgrade").count() == 6


def _writes(queries) -> list[str]:
    return [q["sql"][:60] for q in queries if ("INSERT INTO" in q["sql"] or "UPDATE " in q["sql"])
            and ("tiers_membertier" in q["sql"] or "tiers_tierchange" in q["sql"])]


def test_the_queries_of_a_cutoff_do_not_grow_with_the_members_of_a_chunk(members, org, monkeypatch):
    # given one chunk holding all seven members
    monkeypatch.setattr("sasom.ledger.services.tier_cutoff.CHUNK", 7)
    with CaptureQueriesContext(connection) as whole:
        assert tiers_cutoff_run(organization_id=org.pk, on_date=dt.date(2026, 12, 31))["moved"] == 6
    # then the six moves are written by one statement (PostgreSQL) or two (SQLite: history, states)
    assert len(_writes(whole.captured_queries)) == (1 if connection.vendor == "postgresql" else 2)
    # and the whole run is a handful of queries for six moves: the ladder (3), the run's row (2),
    # per chunk its row, its lock, its statements and its progress, the empty next chunk and the
    # finish; none per member
    queries = [q["sql"][:60] for q in whole.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(queries) <= 16, queries


def test_an_interrupted_cutoff_goes_on_from_its_last_chunk(members, org, monkeypatch):
    # given chunks of two members and a run that dies in its second chunk
    from sasom.ledger.services import tier_cutoff

    monkeypatch.setattr("sasom.ledger.services.tier_cutoff.CHUNK", 2)
    calls = {"n": 0}
    decide = tier_cutoff._Cutoff.by_sql

    def dies_second(self, after, last):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("worker killed")
        return decide(self, after, last)

    monkeypatch.setattr(tier_cutoff._Cutoff, "by_sql", dies_second)
    with pytest.raises(RuntimeError):
        tiers_cutoff_run(organization_id=org.pk, on_date=dt.date(2026, 12, 31))
    # the first chunk (C0 PLAT→GOLD, C1 GOLD→BASIC) is committed with its cursor; the second is not
    run = CutoffRun.objects.get(organization=org, on_date=dt.date(2026, 12, 31))
    assert (run.checked, run.moved, run.finished_at) == (2, 2, None)
    assert [_tier(m) for m in members] == ["GOLD", "BASIC", "BASIC", "PLAT", "BASIC", "GOLD", "PLAT"]
    # when it runs again it goes on after the first chunk and finishes
    monkeypatch.setattr(tier_cutoff._Cutoff, "by_sql", decide)
    assert tiers_cutoff_run(organization_id=org.pk, on_date=dt.date(2026, 12, 31)) == {"checked": 5, "moved": 4}
    assert [_tier(m) for m in members] == ["GOLD", "BASIC", "BASIC", None, None, None, None]
    assert TierChange.objects.filter(reason="downgrade").count() == 6
    run.refresh_from_db()
    assert (run.checked, run.moved, run.finished_at is not None) == (7, 6, True)
