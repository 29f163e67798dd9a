"""3h. Any units of a group, a discount by position (the 1st item -10 %, the 2nd -20 %).

The group's whole units are taken dearest first; the k-th unit gets the percent of band
``from = k`` (a position without a band gets nothing). With ``repeat`` the positions start again
after the last band (a 3rd item is a new 1st); without, units past the last position are left
alone. Each started round is one time (the per-bill limit counts rounds)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from sasom.promotions.engine.kinds import _summaries as summaries
from sasom.promotions.engine.kinds._common import (
    COMMA,
    BaseRule,
    Params,
    Steps,
    fmt,
    gettext_noop,
    hint,
    joined,
    said,
    steps_of,
)
from sasom.promotions.engine.kinds._params import clean_params
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
from sasom.promotions.engine.units import dearest_first, runs, whole, whole_of

HUNDRED = Decimal("100")
PARAMS = (
    ParamSpec("bands", "bands", _("Percent by position"), _("'from' is the item's position (1st, 2nd...), 'value' its percent off.")),
    ParamSpec("repeat", "bool", _("Start again after the last position"), required=False),
)


class StepPercent(BaseRule):
    __slots__ = ("cycle", "percents", "repeat")

    def __init__(self, items: ItemSet, steps: Steps, repeat: bool) -> None:
        super().__init__(items)
        self.percents = dict(steps)
        self.cycle = max(self.percents)
        self.repeat = repeat

    def shrinks(self) -> bool:
        return True  # a percent per position, dearest first: each position's unit only gets cheaper

    def apply(self, pool: Pool, ctx: Context, limit: int | None) -> Draft | None:
        rs = dearest_first(runs(pool, self._items))
        total = whole(rs)
        rounds = -(-total // self.cycle) if self.repeat else min(1, total)
        if limit is not None:
            rounds = min(rounds, limit)
        todo = min(total, rounds * self.cycle)
        if todo <= 0:
            return None
        takes = Takes(pool.places)
        k = 0
        for r in rs:
            n = min(r.whole, todo - k)
            if n <= 0:
                break
            off = sum((self.percents.get((k + j) % self.cycle + 1, ZERO) for j in range(n)), ZERO)
            takes.add(r.index, n, r.value * off / HUNDRED)
            k += n
        if takes.total() <= 0:
            return None
        return Draft(takes=takes.build(pool.net), times=rounds, explanation=said(gettext_noop("%(n)s units: %(percents)s"),
                                                                                {"n": todo, "percents": _text(self.percents)}))

    def hint(self, pool: Pool, ctx: Context, limit: int | None = None) -> Hint | None:
        total = whole_of(pool, self._items)
        if total == 0 or (not self.repeat and total >= self.cycle):
            return None
        if limit is not None and total // self.cycle + 1 > limit:
            return None  # the next unit would start a round more than the bill allows
        position = total % self.cycle + 1
        percent = self.percents.get(position, ZERO)
        if percent <= 0:
            return None
        return hint(1, None, said(gettext_noop("add 1 more: %(percent)s %% off it"), {"percent": fmt(percent)}))


def _text(percents: dict[int, Decimal]) -> str:
    return joined(COMMA, tuple(said(gettext_noop("item %(k)s: %(percent)s %% off"), {"k": k, "percent": fmt(v)})
                              for k, v in sorted(percents.items())))


def clean(raw: Params) -> dict[str, Any]:
    return clean_params(PARAMS, raw, band_value="percent")


def build(params: Params, items: ItemSet) -> StepPercent:
    return StepPercent(items, steps_of(params["bands"]), bool(params.get("repeat", False)))


def explain(params: Params) -> str:
    return summaries.positions(dict(steps_of(params["bands"])), bool(params.get("repeat")))


KIND = PromoKind(
    code="group_step_percent",
    family=3,
    label=_("Discount by position (1st, 2nd item)"),
    description=_("Items of the group get a percent off by their position: the 1st -10 %, the 2nd -20 % (3h)."),
    params=PARAMS,
    uses_items=True,
    clean=clean,
    build=build,
    explain=explain,
    example={"bands": [{"from": 1, "value": "10"}, {"from": 2, "value": "20"}]},
)
