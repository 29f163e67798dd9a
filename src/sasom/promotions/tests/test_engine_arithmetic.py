"""The engine's quick paths give what the plain paths give (docs/performance.md, B8): the rounding
counted in minor units is ``core.money.money``'s half up, digit for digit; the percent takes in
one pass (kept per line for the call, or priced once for a stacking promotion) are ``runs`` +
``Takes.percent_off`` + ``Takes.build``; the search's trials keyed by the applications on the way
choose what trials keyed by the lines' units and amounts choose; the orders of units sorted by
keys made in C are the orders of the tuple keys; a take made without ``__init__`` is a ``Take``."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from sasom.core.money import money
from sasom.promotions.engine.percents import percent_takes
from sasom.promotions.engine.resolver import fresh_pool, run
from sasom.promotions.engine.rounding import rounded
from sasom.promotions.engine.search import search
from sasom.promotions.engine.types import ItemSet, Line, Pool, Promotion, Take, take
from sasom.promotions.engine.units import Run, Takes, cheapest_first, dearest_first, runs
from sasom.promotions.tests.test_engine_properties import (
    DRINKS,
    X,
    baskets,
    context,
    promotion_lists,
)
from sasom.promotions.tests.test_engine_search import _plain
from sasom.promotions.tests.test_engine_util import D

PLACES = st.sampled_from([0, 2])


def _digits(value: Decimal) -> int:
    return len(value.as_tuple().digits)


# amounts as the engine makes them: quotients (28 digits), percents of them, plain amounts
quotients = st.builds(lambda a, b: Decimal(a) / Decimal(b), st.integers(0, 10**14), st.integers(1, 10**6))
percents = st.builds(lambda q, n, p: q * n * Decimal(p) / Decimal(100), quotients, st.integers(1, 50),
                     st.integers(1, 10_000))
plain = st.decimals(min_value=-10**15, max_value=10**15, allow_nan=False, allow_infinity=False).filter(
    lambda d: _digits(d) <= 28)


@settings(max_examples=1500, deadline=None)
@given(value=st.one_of(quotients, percents, plain, quotients.map(lambda q: -q)), places=PLACES)
def test_rounding_in_minor_units_is_money_half_up(value: Decimal, places: int) -> None:
    # the same amount, the same digits (exponent included: "5.00", not "5")
    assert str(rounded(value, places)) == str(money(value, places))


def test_rounding_in_minor_units_at_the_half() -> None:
    # half a satang and half a rial go up, just below half goes down (28 digits: the most an amount
    # the engine computes has), large amounts keep their cents
    assert str(rounded(D("0.005"), 2)) == "0.01" and str(rounded(D("0.0049999"), 2)) == "0.00"
    assert str(rounded(D("2.5"), 0)) == "3" and str(rounded(D("2.499999999999999999999999999"), 0)) == "2"
    assert str(rounded(D("123456789012345.675"), 2)) == "123456789012345.68"
    assert str(rounded(D("0"), 2)) == "0.00" and str(rounded(D("7"), 0)) == "7"
    assert str(rounded(D("9.999999999999999999999999999"), 2)) == "10.00"


def _state(lines: list[Line], data: st.DataObject) -> tuple[dict[int, Decimal], dict[int, Decimal]]:
    """Free units and amounts after some promotions: units taken, amounts cut (never below 0)."""
    free, net = {}, {}
    for ln in lines:
        taken = data.draw(st.integers(0, int(ln.quantity)))
        free[ln.index] = ln.quantity - taken
        cut = data.draw(st.integers(0, int(max(ln.amount, D(0)) * 100)))
        net[ln.index] = max(ln.amount, D(0)) - Decimal(cut) / 100
    return free, net


@settings(max_examples=300, deadline=None)
@given(lines=baskets(), percent=st.decimals(min_value="0.01", max_value="100", places=2), whole=st.booleans(),
       scope=st.sampled_from([ItemSet(), DRINKS, X]), data=st.data())
def test_percent_takes_in_one_pass_are_the_runs_percent_off_and_build(
        lines: list[Line], percent: Decimal, whole: bool, scope: ItemSet, data: st.DataObject) -> None:
    basket = fresh_pool(lines)
    for _ in range(3):  # the same call again and again, on states that change: what is kept still holds
        free, net = _state(lines, data)
        state = basket.copy(free)
        state.net.update(net)
        plain = Pool(basket.lines, dict(free), dict(net))
        takes = Takes(plain.places)
        takes.percent_off(runs(plain, scope), percent, whole_units=whole)
        expected = takes.build(plain.net)
        assert percent_takes(state, scope, percent, whole_units=whole) == expected
        assert percent_takes(plain, scope, percent, whole_units=whole) == expected
        once = basket.copy(dict(free))  # a stacking promotion's view: priced once, not kept
        once.net.update(net)
        once.once = True
        assert percent_takes(once, scope, percent, whole_units=whole) == expected


@settings(max_examples=200, deadline=None)
@given(lines=baskets(), promotions=promotion_lists(stacking=False))
def test_trials_keyed_by_the_applications_choose_what_trials_keyed_by_the_lines_choose(
        lines: list[Line], promotions: list[Promotion]) -> None:
    plain = _plain(promotions, lines)
    basket = fresh_pool(lines)
    by_lines = search(plain, Pool(basket.lines, dict(basket.free), dict(basket.net)), context(), run)
    by_trail = search(plain, basket, context(), run)
    assert [p.code for p in by_trail.order] == [p.code for p in by_lines.order]
    assert by_trail.value == by_lines.value
    assert by_trail.known == by_lines.known


values = st.sampled_from([D("0"), D("-0"), D("1"), D("1.0"), D("1.50"), D("1.5"), D("2"), D("10") / 3])


@settings(max_examples=500, deadline=None)
@given(parts=st.lists(st.tuples(st.integers(1, 9), st.sampled_from(["A", "B", "C"]), values), max_size=8))
def test_cheapest_and_dearest_first_are_the_tuple_key_orders(parts: list[tuple[int, str, Decimal]]) -> None:
    rs = [Run(index, sku, 1, D(1), value) for index, sku, value in parts]
    by_tuple = sorted(rs, key=lambda r: (r.value, r.sku, r.index))
    assert [id(r) for r in cheapest_first(rs)] == [id(r) for r in by_tuple]
    by_tuple = sorted(rs, key=lambda r: (-r.value, r.sku, r.index))
    assert [id(r) for r in dearest_first(rs)] == [id(r) for r in by_tuple]


def test_a_take_made_without_init_is_a_take() -> None:
    made, built = take(3, D("2"), D("1.50")), Take(3, D("2"), D("1.50"))
    assert made == built and hash(made) == hash(built) and repr(made) == repr(built)
    assert type(made) is Take and (made.index, made.units, made.discount) == (3, D("2"), D("1.50"))
