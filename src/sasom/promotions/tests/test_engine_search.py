"""The best-for-customer search: branch and bound prunes only branches that cannot win (the
pruned search chooses what the unpruned exhaustive search chooses), the exhaustive search finds
the best of every order, and the cache of trials answers what running again would."""

from __future__ import annotations

from decimal import Decimal
from itertools import permutations

from hypothesis import given, settings

from sasom.promotions.engine.index import promotion_set
from sasom.promotions.engine.kinds import KINDS
from sasom.promotions.engine.resolver import applicable, fresh_pool, run
from sasom.promotions.engine.search import EXHAUSTIVE, Trials, exhaustive, search, value_of
from sasom.promotions.engine.types import MODE_BEST, Applied, ItemSet, Line, Pool, Promotion
from sasom.promotions.tests.test_engine_properties import baskets, context, promotion_lists
from sasom.promotions.tests.test_engine_util import D, items, line, price, promo


def _plain(promotions: list[Promotion], lines: list[Line]) -> list[Promotion]:
    pool = fresh_pool(lines)
    return [p for p in applicable(promotion_set(MODE_BEST, promotions), pool, context()) if not p.stacks]


@settings(max_examples=200, deadline=None)
@given(lines=baskets(), promotions=promotion_lists(stacking=False))
def test_the_pruned_search_chooses_what_the_unpruned_exhaustive_search_chooses(
        lines: list[Line], promotions: list[Promotion]) -> None:
    plain = _plain(promotions, lines)
    pruned = search(plain, fresh_pool(lines), context(), run, prune=True)
    unpruned = search(plain, fresh_pool(lines), context(), run, prune=False)
    assert [p.code for p in pruned.order] == [p.code for p in unpruned.order]
    assert pruned.value == unpruned.value
    assert pruned.known == unpruned.known


@settings(max_examples=100, deadline=None)
@given(lines=baskets(), promotions=promotion_lists(stacking=False))
def test_the_exhaustive_search_is_worth_the_best_of_every_order(lines: list[Line],
                                                                promotions: list[Promotion]) -> None:
    plain = _plain(promotions, lines)
    if not plain or len(plain) > EXHAUSTIVE:
        return
    pool = fresh_pool(lines)
    found = exhaustive(plain, pool, context(), run)
    every = max(value_of(order, fresh_pool(lines), context(), run) for order in permutations(plain))
    assert found.value == every
    assert value_of(found.order, fresh_pool(lines), context(), run) == found.value


@settings(max_examples=100, deadline=None)
@given(lines=baskets(), promotions=promotion_lists(stacking=False))
def test_a_cached_trial_is_what_running_again_gives(lines: list[Line], promotions: list[Promotion]) -> None:
    plain = _plain(promotions, lines)
    pool = fresh_pool(lines)
    trials = Trials(plain, pool, context(), run)
    state = pool
    for promotion in plain:
        first, _ = trials.result(promotion, state)
        again = run(promotion, state.copy(), context())
        assert first == again and trials.result(promotion, state)[0] == again
        if again is not None:
            run(promotion, state, context())


@settings(max_examples=100, deadline=None)
@given(lines=baskets(), promotions=promotion_lists(stacking=False))
def test_a_trial_leaves_its_state_as_it_was(lines: list[Line], promotions: list[Promotion]) -> None:
    # given the search's pool, and a state the promotions made from it, tried again and again
    plain = _plain(promotions, lines)
    pool = fresh_pool(lines)
    trials = Trials(plain, pool, context(), run)
    state = pool.copy()
    for promotion in plain:
        free, net = dict(state.free), dict(state.net)
        objects = [(state.free[i], state.net[i]) for i in free]
        # when a promotion is tried on the state itself (not on a copy: Trials._run)
        applied, _ = trials.result(promotion, state)
        # then the state holds its very units and amounts again, and the trial is what running on
        # a copy gives
        assert state.free == free and state.net == net and state.undo is None
        assert all(state.free[i] is a and state.net[i] is b for i, (a, b) in zip(free, objects, strict=True))
        assert applied == run(promotion, state.copy(), context())
        if applied is not None:
            run(promotion, state, context())


def test_a_branch_that_cannot_beat_the_best_is_not_walked() -> None:
    # given two promotions over the same three colas: buy 2 get 1 (15.00) and 3 for 44 (1.00)
    b2g1 = promo("qty_free", {"bands": [{"from": 2, "value": 1}]}, items("COKE"), code="B2G1", priority=1)
    three = promo("group_fixed_total", {"quantity": 3, "total": "44"}, items("COKE"), code="THREE", priority=2)
    lines = [line(1, "COKE", 3, 15)]
    calls: list[str] = []

    class Counted(Trials):  # every trial a branch asks for, run or answered without running
        def result(self, promotion: Promotion, state: Pool) -> tuple[Applied | None, Decimal]:
            calls.append(promotion.code)
            return super().result(promotion, state)

    def trials() -> Trials:
        return Counted([b2g1, three], fresh_pool(lines), context(), run)

    # when the search runs with and without pruning
    pruned = exhaustive([b2g1, three], fresh_pool(lines), context(), run, trials=trials())
    walked = len(calls)
    calls.clear()
    unpruned = exhaustive([b2g1, three], fresh_pool(lines), context(), run, trials=trials(), prune=False)
    # then both choose buy 2 get 1 (15.00 off), and the pruned one tries fewer orders
    assert [p.code for p in pruned.order] == [p.code for p in unpruned.order] == ["B2G1"]
    assert pruned.value == unpruned.value == D("15.00")
    assert walked < len(calls)
    assert price([b2g1, three], lines, mode=MODE_BEST).discount == D("15.00")


def test_no_kind_applies_without_a_free_unit_it_counts() -> None:
    # given every kind (its example parameters) over a basket of the SKUs its example names, with
    # every unit already taken by another promotion but the lines still costing money
    for code, kind in KINDS.items():
        params = kind.clean(dict(kind.example))
        named = [part["sku"] for part in params.get("mix", [])] + list(params.get("gifts", [])) + list(
            params.get("offers", []))
        skus = [*named, "A", "B"]
        lines = tuple(line(i + 1, sku, D("3"), D("150.00")) for i, sku in enumerate(skus))
        rule = kind.build(params, ItemSet(skus=frozenset(skus)))
        taken = Pool(lines, {ln.index: D("0") for ln in lines}, {ln.index: D("300.00") for ln in lines})
        free = Pool(lines, {ln.index: ln.quantity for ln in lines}, {ln.index: ln.amount for ln in lines})
        # when it runs, then it takes nothing (the search skips such a trial without running it),
        # while the same lines with their units free set every kind off
        assert rule.apply(taken, context(), None) is None, code
        assert rule.apply(free, context(), None) is not None, code
