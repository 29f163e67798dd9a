"""2e. A fixed mix complete: a special price for each of its items (shirt A 300 -> 200 and
trousers B 500 -> 400 when bought together; fast-food sets). Per complete set each unit of the
mix costs its set price; a set price above what the unit costs gives nothing on it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from sasom.promotions.engine.kinds import _summaries as summaries
from sasom.promotions.engine.kinds._common import (
    BaseRule,
    Params,
    gettext_noop,
    hint,
    joined,
    money_str,
    said,
)
from sasom.promotions.engine.kinds._params import clean_params
from sasom.promotions.engine.kinds._triggers import MixTrigger
from sasom.promotions.engine.takes import Takes
from sasom.promotions.engine.types import (
    ZERO,
    Context,
    Draft,
    Hint,
    ItemSet,
    ParamSpec,
    Pool,
    PromoKind,
)

PARAMS = (ParamSpec("mix", "mix", _("Items of the set"), _("Each SKU, how many of it complete one set, and its price in the set.")),)


class SetPrice(BaseRule):
    __slots__ = ("prices", "trigger")

    def __init__(self, mix: tuple[tuple[str, int, Decimal], ...]) -> None:
        self.trigger = MixTrigger(tuple((sku, q) for sku, q, _price in mix))
        super().__init__(self.trigger.items())
        self.prices = {sku: price for sku, _q, price in mix}

    def apply(self, pool: Pool, ctx: Context, limit: int | None) -> Draft | None:
        times, parts = self.trigger.fire(pool, limit, frozenset())
        if not times:
            return None
        takes = Takes(pool.places)
        for r, units in parts:
            takes.add(r.index, units, max(ZERO, r.value - self.prices[r.sku]) * units)
        return Draft(takes=takes.build(pool.net), times=times, explanation=said(gettext_noop("%(times)s x set: %(prices)s"),
                                                                               {"times": times, "prices": _text(self.prices)}))

    def hint(self, pool: Pool, ctx: Context, limit: int | None = None) -> Hint | None:
        if limit is not None and self.trigger.times_at_most(pool) >= limit:
            return None  # as many sets as the bill allows
        units, _amount = self.trigger.missing(pool)
        if not units:
            return None
        return hint(units, None, said(gettext_noop("add %(n)s more for the set price (%(prices)s)"),
                                      {"n": units, "prices": _text(self.prices)}))


def _text(prices: dict[str, Decimal]) -> str:
    return joined(" + ", tuple(said(gettext_noop("%(sku)s at %(price)s"), {"sku": sku, "price": money_str(p)})
                               for sku, p in prices.items()))


def clean(raw: Params) -> dict[str, Any]:
    return clean_params(PARAMS, raw, priced_mix=True)


def build(params: Params, items: ItemSet) -> SetPrice:
    return SetPrice(tuple((m["sku"], int(m["quantity"]), Decimal(m["price"])) for m in params["mix"]))


def explain(params: Params) -> str:
    return summaries.set_prices(params["mix"])


KIND = PromoKind(
    code="mix_set_price",
    family=2,
    label=_("Set complete: set prices"),
    description=_("A fixed mix of items complete: each item at its set price (shirt 300 -> 200, trousers 500 -> 400) (2e)."),
    params=PARAMS,
    uses_items=False,
    clean=clean,
    build=build,
    explain=explain,
    example={"mix": [{"sku": "SHIRT-A", "quantity": 1, "price": "200.00"}, {"sku": "TROUSERS-B", "quantity": 1, "price": "400.00"}]},
)
