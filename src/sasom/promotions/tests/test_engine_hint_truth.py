"""A hint is true (docs/promotions.md, "Hints"): for one promotion over one SKU, "add N more" means
N more units of that SKU ("spend X more": units of it costing X) make the promotion give more (another time, or more off or in goods),
whatever its parameters (bands need not improve as the count grows; a band price may be above
what the item costs) and its per-bill limit. (Units of 5 THB at least: 1 % of a unit is then a
minor unit or more, and no step is lost to the rounding.)"""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal
from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from sasom.promotions.engine.kinds import KINDS
from sasom.promotions.engine.trials import worth
from sasom.promotions.engine.types import (
    MODE_BEST,
    MODE_PRIORITY,
    Conditions,
    Line,
    ParamsError,
    Result,
)
from sasom.promotions.tests.test_engine_util import ctx, items, price, promo

CONTEXT = ctx(gift_prices={"G": Decimal("10.00"), "H": Decimal("4.50")})
money = st.integers(100, 6000).map(lambda cents: f"{cents // 100}.{cents % 100:02d}")
percent = st.integers(1, 60).map(str)


def bands(value: st.SearchStrategy[Any]) -> st.SearchStrategy[list[dict[str, Any]]]:
    """1-3 bands from increasing counts, with values in any order (up, down or equal)."""
    return st.lists(st.tuples(st.integers(1, 4), value), min_size=1, max_size=3).map(
        lambda steps: [{"from": sum(gap for gap, _ in steps[:k + 1]), "value": v} for k, (_, v) in enumerate(steps)])


KIND_PARAMS: dict[str, st.SearchStrategy[dict[str, Any]]] = {
    "qty_free": st.fixed_dictionaries({"bands": bands(st.integers(1, 3)), "repeat": st.booleans()}),
    "bin_qty_free": st.fixed_dictionaries({"bands": bands(st.integers(1, 3)), "repeat": st.booleans()}),
    "qty_percent": st.fixed_dictionaries({"bands": bands(percent)}),
    "bin_qty_percent": st.fixed_dictionaries({"bands": bands(percent)}),
    "qty_price": st.fixed_dictionaries({"bands": bands(money)}),
    "bin_qty_price": st.fixed_dictionaries({"bands": bands(money)}),
    "group_gift": st.fixed_dictionaries({"quantity": st.integers(1, 5), "gifts": st.just(["G"])}),
    "group_pwp": st.fixed_dictionaries({"quantity": st.integers(1, 5), "offers": st.just(["G", "H"]),
                                        "offer_price": st.just("1.00")}),
    "group_message": st.fixed_dictionaries({"quantity": st.integers(1, 5)}),
    "group_percent": st.fixed_dictionaries({"quantity": st.integers(1, 5), "percent": percent}),
    "group_fixed_total": st.fixed_dictionaries({"quantity": st.integers(2, 5), "total": money}),
    "group_cheapest_free": st.fixed_dictionaries({"quantity": st.integers(2, 5)}),
    "group_step_percent": st.fixed_dictionaries({"bands": bands(percent), "repeat": st.booleans()}),
    "bin_pack_lowest": st.fixed_dictionaries({"pack_size": st.integers(2, 6), "pack_price": money,
                                              "unit_price": money}),
    "bin_pack_progressive": st.fixed_dictionaries({"pack_size": st.integers(2, 6), "pack_price": money}),
    "value_gift": st.fixed_dictionaries({"threshold": money, "repeat": st.booleans(), "gifts": st.just(["G"])}),
    "value_pwp": st.fixed_dictionaries({"threshold": money, "repeat": st.booleans(), "offers": st.just(["G", "H"]),
                                        "offer_price": st.just("1.00")}),
    "value_message": st.fixed_dictionaries({"threshold": money, "repeat": st.booleans()}),
    "value_discount": st.one_of(
        st.fixed_dictionaries({"threshold": money, "percent": percent, "scope": st.sampled_from(["group", "bill"])}),
        st.fixed_dictionaries({"threshold": money, "amount": money, "scope": st.sampled_from(["group", "bill"])})),
}
assert set(KIND_PARAMS) == {code for code, kind in KINDS.items() if kind.uses_items}


def basket(units: int, unit_price: Decimal) -> list[Line]:
    return [Line(index=1, sku="A", categories=frozenset(), brand="", quantity=Decimal(units), unit_price=unit_price,
                 list_price=unit_price),
            Line(index=2, sku="Z", categories=frozenset(), brand="", quantity=Decimal(1), unit_price=Decimal(5),
                 list_price=Decimal(5))]


def gets(result: Result) -> tuple[int, Decimal]:
    return (sum(a.times for a in result.applied), sum((worth(a, CONTEXT) for a in result.applied), Decimal(0)))


@st.composite
def cases(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    code = draw(st.sampled_from(sorted(KIND_PARAMS)))
    params = draw(KIND_PARAMS[code])
    try:
        KINDS[code].clean(params)
    except ParamsError:
        assume(False)
    return code, params


@settings(max_examples=300, deadline=None)
@given(case=cases(), units=st.integers(1, 9), cents=st.integers(500, 5000), limit=st.sampled_from([None, 1, 2]),
       mode=st.sampled_from([MODE_PRIORITY, MODE_BEST]))
def test_n_more_units_the_hint_asks_for_make_the_promotion_give_more(case: tuple[str, dict[str, Any]], units: int,
                                                                    cents: int, limit: int | None, mode: str) -> None:
    code, params = case
    p = promo(code, params, items("A"), code="X", conditions=Conditions(per_bill_limit=limit))
    unit_price = Decimal(cents) / 100
    now = price([p], basket(units, unit_price), CONTEXT, mode)
    for h in now.hints:
        # "add N more": N units; "spend X more": the fewest units of A costing X at least
        added = h.missing_units if h.missing_units is not None else (
            (h.missing_amount or Decimal(0)) / unit_price).to_integral_value(ROUND_CEILING)
        more = price([p], basket(units + int(added), unit_price), CONTEXT, mode)
        before, after = gets(now), gets(more)
        assert after[0] > before[0] or after[1] > before[1], (code, params, str(h.reward), before, after)
