"""The engine is the specification of a cut-off: for random ladders, points, reversals and
hand-set floors, the SQL decision (``ledger.services.tier_cutoff``) moves exactly the members the
engine moves, to the same tiers, with the same history rows, states and events (both databases)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from hypothesis import given
from hypothesis import strategies as st

from sasom.core.audit import Actor
from sasom.core.events import MEMBER_TIER_CHANGED, subscribe
from sasom.ledger.models import Entry, PointAccount
from sasom.ledger.services.tiering import tiers_cutoff_run
from sasom.testing.factories import MemberFactory
from sasom.testing.properties import db_property
from sasom.tiers import engine
from sasom.tiers.models import CutoffRun, MemberTier, Tier, TierChange
from sasom.tiers.services import TierIn, ladder_configure

pytestmark = pytest.mark.django_db

FREQUENCIES = {"monthly": (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12), "quarterly": (3, 6, 9, 12),
               "half_yearly": (6, 12), "yearly": (12,)}
# where an entry falls, from the window's start or end: the boundaries and either side of them
OFFSETS = st.sampled_from(["start-1s", "start", "start+1s", "mid", "end-1s", "end", "end+1s"])

ladders = st.builds(
    lambda thresholds, window, frequency, month, one_step: {
        "thresholds": sorted(thresholds), "window": window, "frequency": frequency,
        "month": FREQUENCIES[frequency][month % len(FREQUENCIES[frequency])], "one_step": one_step},
    thresholds=st.sets(st.integers(0, 3000), min_size=1, max_size=4),
    window=st.sampled_from([1, 3, 6, 12]), frequency=st.sampled_from(sorted(FREQUENCIES)),
    month=st.integers(0, 11), one_step=st.booleans(),
)
members = st.lists(st.fixed_dictionaries({
    "rank": st.integers(0, 4),  # 0: no tier (never looked at)
    "floor": st.integers(0, 4),
    "floor_until": st.sampled_from([None, -1, 0, 1]),  # days from the cut-off; None: no end
    "earns": st.lists(st.tuples(st.integers(1, 2500), OFFSETS, st.integers(0, 100)), max_size=4),
}), min_size=1, max_size=8)


def _at(window: tuple[dt.datetime, dt.datetime], where: str) -> dt.datetime:
    one = dt.timedelta(seconds=1)
    start, end = window
    return {"start-1s": start - one, "start": start, "start+1s": start + one, "mid": start + (end - start) / 2,
            "end-1s": end - one, "end": end, "end+1s": end + one}[where]


def _build(org, member_type, spec_ladder, spec_members) -> dt.date:
    thresholds = spec_ladder["thresholds"]
    ladder_configure(organization_id=org.pk, actor=Actor.system("test"), name="P", window_months=spec_ladder["window"],
                     cutoff_frequency=spec_ladder["frequency"],
                     drop_mode="one_step" if spec_ladder["one_step"] else "to_reached",
                     tiers=[TierIn(f"T{i}", f"Tier {i}", t) for i, t in enumerate(thresholds)])
    tiers = list(Tier.objects.filter(organization=org).order_by("threshold"))
    on = dt.date(2026, spec_ladder["month"], 28)
    on = engine.months_ahead(on.replace(day=1), 1) - dt.timedelta(days=1)
    compiled = engine.Ladder(id=0, version=1, tiers=(engine.TierDef(id=0, code="x", name="x", threshold=0),),
                             window_months=spec_ladder["window"], time_zone=org.time_zone)
    window = engine.cutoff_window(compiled, on, compiled.zone)
    for n, spec in enumerate(spec_members):
        member = MemberFactory(organization=org, member_type=member_type, code=f"P{n}", phone=f"+668123400{n:02d}")
        account = PointAccount.objects.create(organization=org, member=member)
        rank, floor = min(spec["rank"], len(tiers)), min(spec["floor"], len(tiers))
        until = None if spec["floor_until"] is None else on + dt.timedelta(days=spec["floor_until"])
        MemberTier.objects.create(organization=org, member=member, tier=tiers[rank - 1] if rank else None,
                                  reached_on=dt.date(2025, 1, 1), floor_tier=tiers[floor - 1] if floor else None,
                                  floor_until=until if floor else None)
        for amount, where, back in spec["earns"]:
            earn = Entry.objects.create(organization=org, account=account, kind=Entry.Kind.EARN, sign=1,
                                        amount=amount, occurred_at=_at(window, where))
            if back:  # a return took back part of it, a day later (counts with the earning's window)
                Entry.objects.create(organization=org, account=account, kind=Entry.Kind.RETURN, sign=-1,
                                     amount=max(1, amount * back // 100), reverses=earn,
                                     occurred_at=earn.occurred_at + dt.timedelta(days=1))
    return on


def _outcome(org, on: dt.date, by_engine: bool) -> tuple[dict[str, int], list, list, list]:
    heard: list = []
    stop = subscribe(MEMBER_TIER_CHANGED, heard.append)
    try:
        counts = tiers_cutoff_run(organization_id=org.pk, on_date=on, by_engine=by_engine)
    finally:
        stop()
    states = sorted(MemberTier.objects.filter(organization=org).values_list(
        "member__code", "tier__code", "reached_on", "expires_on", "floor_tier__code", "floor_until"),
        key=lambda r: r[0])
    history = sorted(TierChange.objects.filter(organization=org).values_list(
        "member__code", "from_code", "from_name", "to_code", "to_name", "reason", "detail", "measure", "window_from",
        "window_to", "effective_on", "run_key", "sale_id", "note", "actor_label", "staff_user_id"))
    events = sorted((e.payload for e in heard), key=lambda p: p["member"])
    return counts, states, history, events


@given(spec_ladder=ladders, spec_members=members)
@db_property(max_examples=25)
def test_the_sql_cutoff_moves_exactly_whom_the_engine_moves(org, member_type, spec_ladder, spec_members):
    with transaction.atomic():
        # given a random ladder, members in random tiers with random floors and points
        on = _build(org, member_type, spec_ladder, spec_members)
        # when the engine decides the cut-off (rolled back) and then the SQL statement does
        with transaction.atomic():
            by_engine = _outcome(org, on, by_engine=True)
            transaction.set_rollback(True)
        assert not CutoffRun.objects.filter(organization=org).exists()
        by_sql = _outcome(org, on, by_engine=False)
        # then the same members moved to the same tiers, with the same history rows and events
        for part, sql, spec in zip(("counts", "states", "history", "events"), by_sql, by_engine, strict=True):
            assert sql == spec, (part, sql, spec)
        # and the run is finished: again, nobody moves
        assert tiers_cutoff_run(organization_id=org.pk, on_date=on) == {"checked": 0, "moved": 0}
        transaction.set_rollback(True)
