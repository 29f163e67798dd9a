"""The engine's quick paths give what the plain paths give (docs/performance.md, B8): the rounding
counted in minor units is ``core.money.money``'s half up, digit for digit; the percent takes in
one pass (kept per line for the call, or priced once for a stacking promotion) are ``runs`` +
``Takes.percent_off`` + ``Takes.build``; the search's trials keyed by the applications on the way
choose what trials keyed by the lines' units and amounts choose; the orders of units sorted by
keys made in C are the orders of the tuple keys; a take (an application) made without ``__init__``
is a ``Take`` (an ``Applied``, a ``Draft``); the partition by set operations is the union-find's; the
bill-wide bound read in one pass is the bound read in two; a percent's hundredth prices a line as
the percent divided; a hint that says it reads no amounts reads none; the lines of an item set read
from the call's dictionaries are the lines scanned; a worth read until a threshold is the worth."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, fields, replace
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sasom.core.money import money
from sasom.promotions.engine.kinds import KINDS
from sasom.promotions.engine.kinds.value_discount import (
    EVERY_LINE,
    HALF_UNIT,
    HUNDRED,
    ValueDiscount,
)
from sasom.promotions.engine.percents import percent_takes
from sasom.promotions.engine.resolver import fresh_pool, run
from sasom.promotions.engine.rounding import rounded
from sasom.promotions.engine.search import order_key, partition, search
from sasom.promotions.engine.takes import Takes
from sasom.promotions.engine.types import (
    ZERO,
    Applied,
    Draft,
    ItemSet,
    Line,
    Pool,
    Promotion,
    Take,
    make_applied,
    take,
)
from sasom.promotions.engine.units import (
    Run,
    cheapest_first,
    dearest_first,
    priced,
    runs,
    worth_below,
    worth_of,
)
from sasom.promotions.tests.test_engine_properties import (
    DRINKS,
    SNACKS,
    X,
    Y,
    baskets,
    context,
    promotion_lists,
)
from sasom.promotions.tests.test_engine_search import _plain
from sasom.promotions.tests.test_engine_util import D, promo

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
        assert percent_takes(state, scope, percent, whole_units=whole) == expected  # (each line as kept)
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


def test_an_application_made_without_init_is_an_applied() -> None:
    parts = dict(promotion_id=7, code="P7", name="seven", kind="qty_free", times=2,
                 takes=(take(1, D("2"), D("1.50")),), gifts=(), choice=None, explanation="why", message="m",
                 stacks=False)
    made, built = make_applied(**parts), Applied(**parts)  # type: ignore[arg-type]
    assert made == built and hash(made) == hash(built) and repr(made) == repr(built)
    assert type(made) is Applied and made.discount == D("1.50")


def _union_find(promotions: list[Promotion], touched: dict[int, frozenset[int]]) -> list[list[Promotion]]:
    """The partition as it was computed before: a union-find step per line a promotion touches."""
    parent = list(range(len(promotions)))

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    first_on: dict[int, int] = {}
    for i, promotion in enumerate(promotions):
        for index in touched[id(promotion)]:
            a, b = root(i), root(first_on.setdefault(index, i))
            if a != b:
                parent[a] = b
    groups: dict[int, list[Promotion]] = {}
    for i, promotion in enumerate(promotions):
        groups.setdefault(root(i), []).append(promotion)
    return sorted(groups.values(), key=lambda g: order_key(g[0]))


@settings(max_examples=500, deadline=None)
@given(parts=st.lists(st.tuples(st.frozensets(st.integers(1, 12), max_size=4), st.integers(0, 3)), max_size=14))
def test_the_partition_is_the_union_find_of_the_lines_shared(parts: list[tuple[frozenset[int], int]]) -> None:
    promotions = [promo("group_percent", {"quantity": 1, "percent": "5"}, code=f"P{n % 5}", pid=n + 1, priority=p)
                  for n, (_lines, p) in enumerate(parts)]
    touched = {id(p): lines for p, (lines, _) in zip(promotions, parts, strict=True)}
    pool = Pool((), {}, {})
    assert [[p.id for p in g] for g in partition(promotions, pool, touched)] == [
        [p.id for p in g] for g in _union_find(promotions, touched)]


@settings(max_examples=300, deadline=None)
@given(parts=st.lists(st.tuples(st.frozensets(st.integers(1, 12), max_size=4), st.integers(0, 3)), max_size=10),
       wide=st.integers(0, 10), priority=st.integers(0, 3))
def test_the_partition_with_a_promotion_over_every_line_is_the_union_find(
        parts: list[tuple[frozenset[int], int]], wide: int, priority: int) -> None:
    # given one promotion touching every line the others touch (a bill-wide one), anywhere in the list
    every = frozenset().union(*(lines for lines, _ in parts)) or frozenset({1})
    parts.insert(min(wide, len(parts)), (every, priority))
    promotions = [promo("group_percent", {"quantity": 1, "percent": "5"}, code=f"P{n % 5}", pid=n + 1, priority=p)
                  for n, (_lines, p) in enumerate(parts)]
    touched = {id(p): lines for p, (lines, _) in zip(promotions, parts, strict=True)}
    # then the quick answer (one group, when no promotion touches nothing) is the union-find's
    assert [[p.id for p in g] for g in partition(promotions, Pool((), {}, {}), touched)] == [
        [p.id for p in g] for g in _union_find(promotions, touched)]


def _two_passes(rule: ValueDiscount, pool: Pool) -> Decimal:
    """``worth_at_most`` as it read the lines before: the group, then (a bill) every line again."""
    value = worth_of(pool, rule.items())
    if value <= 0 or value < rule.threshold:
        return ZERO
    if rule.scope != "bill":
        targets, scope = len(priced(pool, rule.items())), value
    else:
        every = priced(pool, EVERY_LINE)
        targets, scope = len(every), sum((free * each for free, each in every), ZERO)
    if rule.percent is not None:
        return scope * rule.percent / HUNDRED + HALF_UNIT.scaleb(-pool.places) * targets
    return min(rule.amount or ZERO, scope)


@settings(max_examples=300, deadline=None)
@given(lines=baskets(), items=st.sampled_from([ItemSet(), Y, SNACKS]), scope=st.sampled_from(["bill", "group"]),
       off=st.sampled_from([{"percent": "15"}, {"amount": "12.34"}]), threshold=st.sampled_from(["0", "20", "80"]),
       data=st.data())
def test_the_bill_wide_bound_read_in_one_pass_is_the_bound_read_in_two(
        lines: list[Line], items: ItemSet, scope: str, off: dict[str, str], threshold: str,
        data: st.DataObject) -> None:
    rule = promo("value_discount", {"threshold": threshold, "scope": scope, **off}, items).rule
    assert isinstance(rule, ValueDiscount)
    basket = fresh_pool(lines)
    free, net = _state(lines, data)
    state = basket.copy(free)  # the resolver's pool (a bill whose every line the group holds: one pass)
    state.net.update(net)
    plain = Pool(basket.lines, dict(free), dict(net))
    expected = _two_passes(rule, plain)
    # the same sum of the same products, added in another order: equal but for Decimal's 28th
    # significant digit (hypothesis found 18.032000000000000000000000 against ...00000001), far
    # below any currency's minor unit, which is all a bound is compared with
    for got in (rule.worth_at_most(state, context()), rule.worth_at_most(plain, context())):
        assert abs(got - expected) <= Decimal("1e-20"), (got, expected)


# percents as shops write them (whole, one or two decimals, a few odd ones) and one longer than the
# context's 28 digits (its hundredth would round: ``percent_takes`` then takes the three steps)
shop_percents = st.one_of(st.decimals(min_value="0.01", max_value="100", places=2),
                          st.sampled_from([D("12.5"), D("33.333"), D("1E+1"), D("7.00")]))


@settings(max_examples=1500, deadline=None)
@given(units=st.integers(0, 50).map(Decimal), value=st.one_of(quotients, percents), percent=shop_percents,
       places=PLACES)
def test_a_percent_as_a_hundredth_prices_as_the_percent_divided(
        units: Decimal, value: Decimal, percent: Decimal, places: int) -> None:
    # the same digits once rounded (``percent_takes``: ``n * value * share``, ``share = percent / 100``)
    share = percent / HUNDRED
    assert share * HUNDRED == percent
    assert str(rounded(units * value * share, places)) == str(rounded(units * value * percent / HUNDRED, places))


def test_a_percent_longer_than_the_context_takes_the_three_steps() -> None:
    lines = [Line(index=1, sku="A", categories=frozenset(), brand="", quantity=D("3"),
                  unit_price=D("123.45"), list_price=D("123.45"))]
    percent = D("12.34567890123456789012345678901")  # 31 digits: its hundredth rounds
    assert percent / HUNDRED * HUNDRED != percent
    plain = Pool(fresh_pool(lines).lines, {1: D("3")}, {1: D("370.35")})
    takes = Takes(plain.places)
    takes.percent_off(runs(plain, ItemSet()), percent, whole_units=True)
    assert percent_takes(fresh_pool(lines), ItemSet(), percent, whole_units=True) == takes.build(plain.net)


def test_a_draft_set_through_its_slots_is_the_dataclass() -> None:
    # given the fields as a kind gives them (its three, then every one)
    made = Draft(takes=(take(1, D("2"), D("1.50")),), times=2, explanation="why")
    full = Draft((), 1, "x", gifts=(), choice=None, figures={"n": 1})
    # then the dataclass's defaults, its equality and its frozen fields
    assert (made.gifts, made.choice, dict(made.figures)) == ((), None, {})
    assert made == Draft(takes=(take(1, D("2"), D("1.50")),), times=2, explanation="why", figures={})
    assert [f.name for f in fields(Draft)] == ["takes", "times", "explanation", "gifts", "choice", "figures"]
    assert full.figures == {"n": 1} and replace(made, times=3).times == 3
    with pytest.raises(FrozenInstanceError):
        made.times = 3  # type: ignore[misc]


@settings(max_examples=200, deadline=None)
@given(lines=baskets(), scope=st.sampled_from([ItemSet(), DRINKS, X]), data=st.data())
def test_a_hint_that_reads_no_amounts_is_the_same_whatever_the_lines_cost(
        lines: list[Line], scope: ItemSet, data: st.DataObject) -> None:
    # given every kind whose rule says its hint reads free units only (its example parameters)
    quiet = [k for k in KINDS.values() if not k.build(k.clean(k.example), scope).hint_reads_amounts()]
    assert [k.code for k in quiet] == ["group_percent"]
    free, net = _state(lines, data)
    basket = fresh_pool(lines)
    cheaper = basket.copy(dict(free))
    cheaper.net.update(net)
    for kind in quiet:
        rule = kind.build(kind.clean(kind.example), scope)
        # then its hint is the same on the lines' own amounts and on what they cost after others
        a, b = rule.hint(basket.copy(dict(free)), context()), rule.hint(cheaper, context())
        assert (a is None) == (b is None)
        if a is not None and b is not None:
            assert (a.missing_units, a.missing_amount, str(a.reward)) == (b.missing_units, b.missing_amount, str(b.reward))


item_sets = st.builds(
    lambda skus, categories, brands, exclude: ItemSet(skus=frozenset(skus), categories=frozenset(categories),
                                                      brands=frozenset(brands), exclude_skus=frozenset(exclude)),
    st.sets(st.sampled_from(["A", "B", "C", "D", "Z"]), max_size=2), st.sets(st.sampled_from(["drinks", "snacks", "no"]),
                                                                               max_size=2),
    st.sets(st.sampled_from(["x", "y", "no"]), max_size=2), st.sets(st.sampled_from(["A", "C"]), max_size=1))


@settings(max_examples=500, deadline=None)
@given(lines=baskets(), items=item_sets)
def test_the_lines_an_item_set_matches_are_the_lines_scanned(lines: list[Line], items: ItemSet) -> None:
    # the lines of one name read from the call's dictionaries (by SKU then line), of several merged,
    # of none every line: the lines ``matches`` accepts, by SKU then line
    basket = fresh_pool(lines)
    found = basket.lines_of(items)
    assert [ln.index for ln in found] == [ln.index for ln in sorted(
        (ln for ln in lines if items.matches(ln)), key=lambda ln: (ln.sku, ln.index))]
    if len(found) == len(lines) and not items.exclude_skus:  # every line: the call's own, sorted once
        assert found is basket.call.every
    for sku, mine in basket.by_sku.items():
        assert [ln.index for ln in mine] == sorted(ln.index for ln in lines if ln.sku == sku)


@settings(max_examples=300, deadline=None)
@given(lines=baskets(), items=st.sampled_from([ItemSet(), DRINKS, X]), shift=st.sampled_from(["-0.01", "0", "0.01"]),
       scale=st.sampled_from(["0", "0.5", "1", "2"]), data=st.data())
def test_a_worth_read_until_it_reaches_a_threshold_is_the_worth(
        lines: list[Line], items: ItemSet, shift: str, scale: str, data: st.DataObject) -> None:
    basket = fresh_pool(lines)
    free, net = _state(lines, data)
    state = basket.copy(free)
    state.net.update(net)
    for pool in (state, Pool(basket.lines, dict(free), dict(net))):
        value = worth_of(pool, items)
        threshold = value * Decimal(scale) + Decimal(shift)  # below, at and above the worth itself
        assert worth_below(pool, items, threshold) == (value if value < threshold else None)
