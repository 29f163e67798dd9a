"""3e. Any N of a group: a percent off every unit of the group bought (buy any 2 AIIZ of the
promotion's models: every one of them 50 % off). Once the count is reached every whole unit of
the group in the basket is discounted and consumed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from sasom.promotions.engine.kinds import _summaries as summaries
from sasom.promotions.engine.kinds._common import BaseRule, Params, fmt, gettext_noop, hint, said
from sasom.promotions.engine.kinds._params import clean_params
from sasom.promotions.engine.percents import percent_takes
from sasom.promotions.engine.types import Context, Draft, Hint, ItemSet, ParamSpec, Pool, PromoKind
from sasom.promotions.engine.units import whole_of

HUNDRED = Decimal("100")
PARAMS = (
    ParamSpec("quantity", "int", _("Units to buy"), _("Any units of the promotion's items.")),
    ParamSpec("percent", "percent", _("Percent off")),
)


class GroupPercent(BaseRule):
    __slots__ = ("count", "percent")

    def __init__(self, items: ItemSet, count: int, percent: Decimal) -> None:
        super().__init__(items)
        self.count = count
        self.percent = percent

    def shrinks(self) -> bool:
        return True  # the same percent of every unit, once the count is reached

    def hint_reads_amounts(self) -> bool:
        return False  # the whole units only (``whole_of``)

    def apply(self, pool: Pool, ctx: Context, limit: int | None) -> Draft | None:
        have = whole_of(pool, self._items)
        if have < self.count or limit == 0:
            return None
        return Draft(takes=percent_takes(pool, self._items, self.percent, whole_units=True), times=1,
                     explanation=said(gettext_noop("any %(count)s of the group: %(n)s units %(percent)s %% off"),
                                      {"count": self.count, "n": have, "percent": fmt(self.percent)}))

    def hint(self, pool: Pool, ctx: Context, limit: int | None = None) -> Hint | None:
        have = whole_of(pool, self._items, self.count)
        if have >= self.count:
            return None
        missing = self.count - have
        return hint(missing, None, said(gettext_noop("add %(n)s more for %(percent)s %% off the group"),
                                        {"n": missing, "percent": fmt(self.percent)}))


def clean(raw: Params) -> dict[str, Any]:
    return clean_params(PARAMS, raw)


def build(params: Params, items: ItemSet) -> GroupPercent:
    return GroupPercent(items, int(params["quantity"]), Decimal(params["percent"]))


def explain(params: Params) -> str:
    return summaries.any_percent(params)


KIND = PromoKind(
    code="group_percent",
    family=3,
    label=_("Any N of a group: percent off"),
    description=_("Any N units of the promotion's items: a percent off every one of them bought (3e)."),
    params=PARAMS,
    uses_items=True,
    clean=clean,
    build=build,
    explain=explain,
    example={"quantity": 2, "percent": "50"},
)
