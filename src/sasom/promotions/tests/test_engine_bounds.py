"""The cheap bound the best-for-customer greedy skips trials with (``rule.worth_at_most``: the
bill-wide discount 4e, the goods kinds 2a-2d, 3a-3d, 4a-4d; docs/promotions.md "Competing
promotions"): on the pool it was taken on
and on every state made from it by other promotions (units taken, amounts lowered), the
promotion's application is worth no more than its bound. A bound that held less would make the
greedy pass over the promotion worth most; ``test_engine_lazy_greedy.py`` compares the bounded
greedy with one that tries everything."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from sasom.promotions.engine.resolver import fresh_pool, run
from sasom.promotions.engine.search import worth
from sasom.promotions.engine.types import ZERO, Conditions, Line, Promotion
from sasom.promotions.tests.test_engine_lazy_greedy import CHOICES
from sasom.promotions.tests.test_engine_properties import (
    GIFT_PRICES,
    baskets,
    context,
    promotion_lists,
)
from sasom.promotions.tests.test_engine_util import ctx, promo

BOUNDED = [
    c for c in CHOICES if callable(getattr(promo(c[0], c[1], c[2]).rule, "worth_at_most", None))
]


def test_the_bill_wide_discount_and_the_goods_kinds_have_a_bound() -> None:
    assert {kind for kind, _params, _items, _limit in BOUNDED} == {
        "value_discount", "mix_gift", "mix_pwp", "group_gift", "group_pwp", "value_gift", "value_pwp"}


@settings(max_examples=400, deadline=None)
@given(
    lines=baskets(),
    before=promotion_lists(),
    chosen=st.integers(0, len(BOUNDED) - 1),
    limit=st.sampled_from([None, 1, 2]),
    choices=st.booleans(),
)
def test_a_bound_holds_on_the_pool_and_on_every_state_made_from_it(
    lines: list[Line], before: list[Promotion], chosen: int, limit: int | None, choices: bool
) -> None:
    # given a promotion with a bound, and a basket other promotions take from one after another
    kind, params, item_set, _ = BOUNDED[chosen]
    bounded = promo(
        kind, params, item_set, code="BOUND", pid=999, conditions=Conditions(per_bill_limit=limit)
    )
    context_ = context() if choices else ctx(gift_prices=GIFT_PRICES)
    pool = fresh_pool(lines)
    at_start = bounded.rule.worth_at_most(pool, context_)  # type: ignore[attr-defined]
    state = pool.copy()
    for other in [*before, None]:
        # when the promotion is tried on the state reached so far
        applied = run(bounded, state.copy(), context_)
        got = ZERO if applied is None else worth(applied, context_)
        # then it is worth no more than its bound on the pool, nor than its bound on that state
        if at_start is not None:
            assert got <= at_start
            assert got <= bounded.rule.worth_at_most(state, context_)  # type: ignore[attr-defined]
        if other is not None:
            run(other, state, context_)
