"""The greedy's lazy bounds (``search._greedy``, docs/promotions.md "Competing promotions"): a
promotion whose worth only shrinks as units are taken (``rule.shrinks``) is not tried again
while its last worth, plus the rounding's slack, is below the round's best. Exact: over random
baskets and groups too large for the exhaustive search, the lazy greedy (with the priority
order it is compared with cut short by its bound) chooses what the greedy that tries everything
again, compared with the whole priority order, chooses (order, worth, and every application with its takes, gifts,
choice and explanation)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from sasom.promotions.engine.index import promotion_set
from sasom.promotions.engine.resolver import applicable, fresh_pool, run
from sasom.promotions.engine.search import EXHAUSTIVE, Trials, greedy
from sasom.promotions.engine.types import MODE_BEST, Conditions, ItemSet, Line, Promotion
from sasom.promotions.tests.test_engine_properties import (
    DRINKS,
    PALETTE,
    SNACKS,
    X,
    Y,
    baskets,
    context,
)
from sasom.promotions.tests.test_engine_util import items, line, promo

# shrinking kinds with a per-bill limit, and bands that give more on fewer units (not shrinking)
EXTRA: list[tuple[str, dict[str, Any], ItemSet, int | None]] = [
    ("group_fixed_total", {"quantity": 2, "total": "15"}, DRINKS, 1),
    ("group_cheapest_free", {"quantity": 2}, X, None),
    ("group_cheapest_free", {"quantity": 2}, Y, 1),
    ("group_percent", {"quantity": 1, "percent": "7"}, SNACKS, None),
    ("group_step_percent", {"bands": [{"from": 1, "value": "5"}, {"from": 3, "value": "50"}]}, ItemSet(), None),
    ("qty_percent", {"bands": [{"from": 1, "value": "20"}, {"from": 3, "value": "5"}]}, ItemSet(), None),
    ("qty_price", {"bands": [{"from": 1, "value": "8"}, {"from": 3, "value": "9.50"}]}, SNACKS, None),
    ("qty_percent", {"bands": [{"from": 2, "value": "10"}]}, ItemSet(), 1),
    ("bin_qty_price", {"bands": [{"from": 2, "value": "12"}, {"from": 4, "value": "10"}]}, X, None),
    ("bin_pack_progressive", {"pack_size": 2, "pack_price": "18"}, SNACKS, 2),
]
CHOICES = [(kind, params, item_set, None) for kind, params, item_set in PALETTE] + EXTRA


@st.composite
def large_groups(draw: st.DrawFn) -> list[Promotion]:
    chosen = draw(st.lists(st.integers(0, len(CHOICES) - 1), min_size=EXHAUSTIVE + 1, max_size=16, unique=True))
    out = []
    for i in chosen:
        kind, params, item_set, limit = CHOICES[i]
        out.append(promo(kind, params, item_set, code=f"L{i:02d}", pid=i + 1, priority=draw(st.integers(0, 3)),
                         conditions=Conditions(per_bill_limit=limit)))
    return out


def _both(lines: list[Line], promotions: list[Promotion]) -> tuple[Any, Any, int, int]:
    pool = fresh_pool(lines)
    plain = [p for p in applicable(promotion_set(MODE_BEST, promotions), pool, context()) if not p.stacks]
    counted = {"lazy": 0, "eager": 0}

    def counting(name: str) -> Any:
        def runner(promotion: Promotion, state: Any, ctx: Any) -> Any:
            counted[name] += 1
            return run(promotion, state, ctx)
        return runner

    lazy = greedy(plain, pool, context(), counting("lazy"), trials=Trials(plain, pool, context(), counting("lazy")))
    eager = greedy(plain, pool, context(), counting("eager"), lazy=False,
                   trials=Trials(plain, pool, context(), counting("eager")))
    return lazy, eager, counted["lazy"], counted["eager"]


def _same(lazy: Any, eager: Any) -> None:
    assert [p.code for p in lazy.order] == [p.code for p in eager.order]
    assert lazy.value == eager.value
    assert lazy.known.keys() == eager.known.keys()
    for key, applied in lazy.known.items():
        other = eager.known[key]
        assert (applied.takes, applied.gifts, applied.choice, applied.times) == (
            other.takes, other.gifts, other.choice, other.times)
        assert str(applied.explanation) == str(other.explanation)


@settings(max_examples=150, deadline=None)
@given(lines=baskets(), promotions=large_groups())
def test_the_lazy_greedy_chooses_what_the_greedy_trying_everything_chooses(
        lines: list[Line], promotions: list[Promotion]) -> None:
    lazy, eager, _runs_lazy, _runs_eager = _both(lines, promotions)
    # (the runs may not fall: a trial the lazy greedy skipped may be the priority order's to run)
    _same(lazy, eager)


def test_a_shrinking_promotion_is_not_tried_again_while_its_last_worth_is_beaten() -> None:
    # given eight competing promotions on drinks and snacks, among them a 5 % on two drinks that
    # a "2 for 15" takes a unit from in the first round
    lines = [line(1, "A", 3, "20.00", categories=("drinks",), brand="x"),
             line(2, "B", 1, "12.00", categories=("drinks",), brand="y"),
             line(3, "C", 6, "9.00", categories=("snacks",), brand="x"),
             line(4, "D", 2, "30.00", categories=("snacks",), brand="y")]
    promotions = [
        promo("qty_percent", {"bands": [{"from": 1, "value": "5"}]}, items("A", "B"), code="P1", pid=1, priority=0),
        promo("group_fixed_total", {"quantity": 2, "total": "15"}, DRINKS, code="P2", pid=2, priority=1),
        promo("group_cheapest_free", {"quantity": 3}, SNACKS, code="P3", pid=3, priority=2),
        promo("group_percent", {"quantity": 2, "percent": "10"}, Y, code="P4", pid=4, priority=3),
        promo("bin_qty_price", {"bands": [{"from": 2, "value": "8"}]}, items("C"), code="P5", pid=5, priority=4),
        promo("group_step_percent", {"bands": [{"from": 1, "value": "10"}]}, X, code="P6", pid=6, priority=5),
        promo("bin_pack_progressive", {"pack_size": 2, "pack_price": "50"}, items("D"), code="P7", pid=7, priority=6),
        promo("group_fixed_total", {"quantity": 3, "total": "20"}, items("C"), code="P8", pid=8, priority=7),
    ]
    # when the greedy orders them, lazily and trying everything again
    lazy, eager, runs_lazy, runs_eager = _both(lines, promotions)
    # then both choose the same, and the lazy one runs fewer rules
    _same(lazy, eager)
    assert runs_lazy < runs_eager
    assert lazy.value > Decimal(0)
