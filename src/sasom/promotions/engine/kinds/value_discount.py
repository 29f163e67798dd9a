"""4e. A group's value reached: a discount, a percent or an amount, on the group's lines or on
the whole bill (as configured): 500 THB of the promotion's AIIZ models -> 50 % off the bill.

The value is what the group's units cost now; once it reaches the threshold, every unit of the
scope (the group, or every line) is consumed and discounted: a percent of what each costs, or the
amount spread over them in proportion (never more than they cost). Once per bill."""

from __future__ import annotations

from decimal import Decimal
from operator import attrgetter
from typing import Any

from django.utils.translation import gettext_lazy as _

from sasom.promotions.engine.kinds import _summaries as summaries
from sasom.promotions.engine.kinds._common import (
    BaseRule,
    Params,
    fmt,
    gettext_noop,
    hint,
    money_str,
    said,
)
from sasom.promotions.engine.kinds._params import clean_params
from sasom.promotions.engine.percents import percent_takes
from sasom.promotions.engine.takes import Takes
from sasom.promotions.engine.types import (
    ZERO,
    Context,
    Draft,
    Hint,
    ItemSet,
    Line,
    ParamsError,
    ParamSpec,
    Pool,
    PromoKind,
)
from sasom.promotions.engine.units import (
    Basket,
    runs,
    worth,
    worth_and_count,
    worth_below,
    worth_of,
)

HUNDRED = Decimal("100")
HALF_UNIT = Decimal("0.5")  # half the minor unit: scaled by the currency's places
GROUP, BILL = "group", "bill"
PARAMS = (
    ParamSpec("threshold", "money", _("Amount to reach"), _("What the promotion's items cost together.")),
    ParamSpec("percent", "percent", _("Percent off"), required=False),
    ParamSpec("amount", "money", _("Amount off"), required=False),
    ParamSpec("scope", "choice", _("Discount on"), _("group: the promotion's items; bill: every line."), options=(GROUP, BILL)),
)
EVERY_LINE = ItemSet()
_index = attrgetter("index")


class ValueDiscount(BaseRule):
    __slots__ = ("_percent_said", "amount", "percent", "scope", "threshold")

    def __init__(self, items: ItemSet, threshold: Decimal, percent: Decimal | None, amount: Decimal | None,
                 scope: str) -> None:
        super().__init__(items)
        self.threshold = threshold
        self.percent = percent
        self.amount = amount
        self.scope = scope
        # "50 %" through its message, as the summary writes it (Thai "50%"); made once, shown lazily
        self._percent_said = None if percent is None else said(gettext_noop("%(percent)s %%"), {"percent": fmt(percent)})

    def touches(self, line: Line) -> bool:
        return self.scope == BILL or self._items.matches(line)

    def touched(self, pool: Pool) -> frozenset[int]:
        return frozenset(map(_index, pool.lines)) if self.scope == BILL else super().touched(pool)

    def reward(self) -> str:
        off = self._percent_said if self._percent_said is not None else money_str(self.amount or ZERO)
        if self.scope == BILL:
            return said(gettext_noop("%(off)s off the bill"), {"off": off})
        return said(gettext_noop("%(off)s off the group"), {"off": off})

    def worth_at_most(self, pool: Pool, ctx: Context) -> Decimal:
        """At most what ``apply`` would give on ``pool``, cheaply (nothing is spread or rounded):
        0 below the threshold, else the percent (plus half a cent a line for the rounding of
        each line's share) or the amount of what the scope costs now."""
        value, counted = worth_and_count(pool, self._items)
        if value <= 0 or value < self.threshold:
            return ZERO
        if self.scope == BILL and not _every_line(pool, self._items):
            scope, targets = worth_and_count(pool, EVERY_LINE)
        else:  # the group, or a bill whose every line the group holds: the same lines, the same sum
            scope, targets = value, counted
        if self.percent is not None:
            return scope * self.percent / HUNDRED + HALF_UNIT.scaleb(-pool.places) * targets
        return min(self.amount or ZERO, scope)

    def apply(self, pool: Pool, ctx: Context, limit: int | None) -> Draft | None:
        value = worth_of(pool, self._items)
        if value <= 0 or value < self.threshold or limit == 0:
            return None
        scope = EVERY_LINE if self.scope == BILL else self._items
        if self.percent is not None:
            built = percent_takes(pool, scope, self.percent, whole_units=False)
        else:
            targets = runs(pool, scope)
            takes = Takes(pool.places)
            takes.spread([(r, r.units) for r in targets], min(self.amount or ZERO, worth(targets)))
            built = takes.build(pool.net)
        return Draft(takes=built, times=1,
                     explanation=said(gettext_noop("%(value)s of the group reached %(threshold)s: %(reward)s"),
                                      {"value": money_str(value), "threshold": money_str(self.threshold),
                                       "reward": self.reward()}))

    def hint(self, pool: Pool, ctx: Context, limit: int | None = None) -> Hint | None:
        value = worth_below(pool, self._items, self.threshold)
        if value is None:  # reached
            return None
        missing = self.threshold - value
        return hint(None, missing, said(gettext_noop("spend %(amount)s more for %(reward)s"),
                                        {"amount": money_str(missing), "reward": self.reward()}))


def _every_line(pool: Pool, items: ItemSet) -> bool:
    """True when ``items`` counts every line of the resolver's pool (a bill-wide promotion on a
    category every line carries), in the same order as :data:`EVERY_LINE` (both by SKU then line):
    its bound then reads the lines once."""
    return isinstance(pool, Basket) and pool.lines_of(items) == pool.lines_of(EVERY_LINE)


def clean(raw: Params) -> dict[str, Any]:
    params = clean_params(PARAMS, raw)
    if ("percent" in params) == ("amount" in params):
        raise ParamsError("percent", _("give a percent or an amount off, one of the two"))
    return params


def build(params: Params, items: ItemSet) -> ValueDiscount:
    percent = Decimal(params["percent"]) if params.get("percent") else None
    amount = Decimal(params["amount"]) if params.get("amount") else None
    return ValueDiscount(items, Decimal(params["threshold"]), percent, amount, params["scope"])


def explain(params: Params) -> str:
    return summaries.value_discount(params)


KIND = PromoKind(
    code="value_discount",
    family=4,
    label=_("Group value reached: discount"),
    description=_("The promotion's items reaching an amount: a percent or an amount off the group or the whole bill (4e)."),
    params=PARAMS,
    uses_items=True,
    clean=clean,
    build=build,
    explain=explain,
    example={"threshold": "500.00", "percent": "50", "scope": BILL},
)
