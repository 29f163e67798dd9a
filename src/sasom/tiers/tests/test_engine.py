"""The pure engine: windows, cut-off days, moves (hypothesis for the ordering properties)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from hypothesis import given
from hypothesis import strategies as st

from sasom.tiers import engine

BKK = zoneinfo.ZoneInfo("Asia/Bangkok")
TIERS = (engine.TierDef(1, "BASIC", "Basic", 500, 12), engine.TierDef(2, "GOLD", "Gold", 1000, 12),
         engine.TierDef(3, "PLAT", "Platinum", 2000, 12))


def ladder(**kw) -> engine.Ladder:
    return engine.Ladder(id=1, version=1, tiers=TIERS, **kw)


def test_months_back_clamps_to_the_end_of_the_month():
    assert engine.months_back(dt.date(2024, 3, 31), 1) == dt.date(2024, 2, 29)  # leap year
    assert engine.months_back(dt.date(2025, 3, 31), 1) == dt.date(2025, 2, 28)
    assert engine.months_back(dt.date(2024, 2, 29), 12) == dt.date(2023, 2, 28)
    assert engine.months_back(dt.date(2024, 5, 31), 3) == dt.date(2024, 2, 29)
    assert engine.months_back(dt.date(2024, 1, 31), 6) == dt.date(2023, 7, 31)
    assert engine.months_ahead(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)


def test_seed_002_window_last_1_month_from_1_may():
    # settings made on 1 May 2022 with "last 1 month": points received 1 Apr - 1 May count
    start, end = engine.earning_window(ladder(window_months=1), dt.datetime(2022, 5, 1, 15, 0, tzinfo=BKK), BKK)
    assert start == dt.datetime(2022, 4, 1, 0, 0, tzinfo=BKK)
    assert end == dt.datetime(2022, 5, 1, 15, 0, tzinfo=BKK)


def test_windows_are_counted_in_the_organization_time_zone():
    # 17:30 UTC on 30 Apr is already 1 May 00:30 in Bangkok
    at = dt.datetime(2022, 4, 30, 17, 30, tzinfo=dt.UTC)
    start, _end = engine.earning_window(ladder(window_months=1), at, BKK)
    assert start == dt.datetime(2022, 4, 1, tzinfo=BKK)


def test_cutoff_days_per_frequency():
    days = [dt.date(2026, m, 28) + dt.timedelta(days=0) for m in range(1, 13)]
    last = [engine.months_ahead(dt.date(2026, m, 1), 1) - dt.timedelta(days=1) for m in range(1, 13)]
    assert not any(engine.is_cutoff("monthly", d) for d in days if d.month != 2)
    assert [d.month for d in last if engine.is_cutoff("monthly", d)] == list(range(1, 13))
    assert [d.month for d in last if engine.is_cutoff("quarterly", d)] == [3, 6, 9, 12]
    assert [d.month for d in last if engine.is_cutoff("half_yearly", d)] == [6, 12]
    assert [d.month for d in last if engine.is_cutoff("yearly", d)] == [12]
    assert engine.is_cutoff("monthly", dt.date(2024, 2, 29)) and not engine.is_cutoff("monthly", dt.date(2024, 2, 28))


def test_cutoff_window_ends_at_the_midnight_after_the_cutoff_day():
    start, end = engine.cutoff_window(ladder(window_months=3), dt.date(2026, 3, 31), BKK)
    assert (start, end) == (dt.datetime(2026, 1, 1, tzinfo=BKK), dt.datetime(2026, 4, 1, tzinfo=BKK))


@given(st.integers(min_value=0, max_value=5000), st.sampled_from([None, "BASIC", "GOLD", "PLAT"]))
def test_an_earning_never_lowers_the_tier(measure, current):
    lad = ladder()
    move = engine.on_earning(lad, engine.State(tier=current), measure, dt.date(2026, 1, 1))
    if move is not None:
        assert lad.rank(move.to.code) > lad.rank(current)
        assert measure >= move.to.threshold


@given(st.integers(min_value=0, max_value=5000), st.sampled_from(["BASIC", "GOLD", "PLAT"]),
       st.sampled_from(["to_reached", "one_step"]), st.sampled_from([None, "BASIC", "GOLD"]))
def test_a_cutoff_never_raises_and_respects_the_floor(measure, current, drop, floor):
    lad = ladder(cutoff_frequency="monthly", drop_mode=drop)
    on = dt.date(2026, 1, 31)
    state = engine.State(tier=current, floor_tier=floor, floor_until=dt.date(2026, 6, 30))
    move = engine.at_cutoff(lad, state, measure, on)
    if move is None:
        reached = engine.reached(lad, measure)
        assert (reached is not None and lad.rank(reached.code) >= lad.rank(current)) or lad.rank(floor) >= lad.rank(current)
        return
    new = lad.rank(move.to.code if move.to else None)
    assert new < lad.rank(current)
    assert new >= min(lad.rank(floor), lad.rank(current))
    if drop == "one_step":
        assert new == max(lad.rank(current) - 1, lad.rank(floor)) or new >= lad.rank(floor)


def test_progress_says_what_is_missing_for_the_next_tier():
    p = engine.progress(ladder(), "BASIC", 680)
    assert (p.current.code, p.next.code, p.missing, p.keep) == ("BASIC", "GOLD", 320, 500)
    top = engine.progress(ladder(), "PLAT", 9000)
    assert (top.next, top.missing) == (None, 0)
