"""Quantity bands: one item bought in quantity (1b, 1c: each SKU counts on its own) and assorted
one-price bins (5a, 5b: every unit of the bin counts together). The highest band the count
reaches gives every counted unit its percent off or its unit price; above the last band's
``from`` the last band holds ("7-10: 3 %" is ``from 7``). A band price above what a unit costs
gives nothing (a promotion never raises a price)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from sasom.promotions.engine.kinds import _summaries as summaries
from sasom.promotions.engine.kinds._common import (
    SEMICOLON,
    THE_BIN,
    BaseRule,
    Params,
    Steps,
    capped,
    fmt,
    gettext_noop,
    hint,
    joined,
    money_str,
    said,
    step_at,
    steps_of,
    within_limit,
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
from sasom.promotions.engine.units import Run, grouped, whole

HUNDRED = Decimal("100")
PERCENT = "percent"
PRICE = "price"


def band_text(mode: str, value: Decimal) -> str:
    if mode == PERCENT:
        return said(gettext_noop("%(percent)s %% off"), {"percent": fmt(value)})
    return said(gettext_noop("%(price)s each"), {"price": money_str(value)})


class StepRule(BaseRule):
    __slots__ = ("_shrinking", "mode", "per_sku", "steps")

    def __init__(self, items: ItemSet, steps: Steps, per_sku: bool, mode: str) -> None:
        super().__init__(items)
        self.steps = steps
        self.per_sku = per_sku
        self.mode = mode
        self._shrinking = self._shrinks()  # (the search asks every best-mode call)

    def groups(self, pool: Pool) -> list[tuple[str, list[Run]]]:
        return grouped(pool, self._items, self.per_sku, THE_BIN)

    def shrinks(self) -> bool:
        return self._shrinking

    def _shrinks(self) -> bool:
        """Fewer units reach a lower band: true when a lower band never gives more (percents that
        do not fall as the count grows, prices that do not rise)."""
        values = [value for _start, value in self.steps]
        pairs = list(zip(values, values[1:], strict=False))
        if self.mode == PERCENT:
            return all(a <= b for a, b in pairs)
        return all(a >= b for a, b in pairs)

    def off(self, r: Run, value: Decimal) -> Decimal:
        if self.mode == PERCENT:
            return r.value * r.whole * value / HUNDRED
        return max(ZERO, r.value - value) * r.whole

    def _next_better(self, rs: list[Run], count: int) -> tuple[int, Decimal] | None:
        """The nearest band past ``count`` units that gives the group more than it gets now: a higher
        percent, or a lower price that is below what some unit costs (bands need not improve as
        the count grows, and a price band above the units' own price takes nothing off). Every
        unit counted then gets at least as much off, one of them more, whatever the added units
        cost: a hint never promises a band worth less or nothing."""
        now = step_at(self.steps, count)
        for start, value in self.steps:
            if start <= count:
                continue
            if self.mode == PERCENT:
                better = value > 0 and (now is None or value > now[1]) and any(r.value > 0 for r in rs)
            else:
                better = (now is None or value < now[1]) and any(r.value > value for r in rs)
            if better:
                return start, value
        return None

    def _gives(self, rs: list[Run]) -> bool:
        """Whether ``apply`` gives the group a discount (a band reached that takes something off)."""
        step = step_at(self.steps, whole(rs))
        return step is not None and sum((self.off(r, step[1]) for r in rs if r.whole > 0), ZERO) > 0

    def apply(self, pool: Pool, ctx: Context, limit: int | None) -> Draft | None:
        takes = Takes(pool.places)
        times = 0
        told: list[str] = []
        for name, rs in self.groups(pool):
            count = whole(rs)
            step = step_at(self.steps, count)
            if step is None or capped(times + 1, limit) <= times:
                continue
            offs = [(r, self.off(r, step[1])) for r in rs if r.whole > 0]
            if sum((o for _, o in offs), ZERO) <= 0:
                continue
            times += 1
            for r, o in offs:
                takes.add(r.index, r.whole, o)
            band = band_text(self.mode, step[1])
            told.append(said(gettext_noop("%(count)s x %(name)s: %(band)s"), {"count": count, "name": name, "band": band})
                        if self.per_sku else said(gettext_noop("%(count)s of the bin: %(band)s"), {"count": count, "band": band}))
        if not times:
            return None
        return Draft(takes=takes.build(pool.net), times=times, explanation=joined(SEMICOLON, tuple(told)))

    def hint(self, pool: Pool, ctx: Context, limit: int | None = None) -> Hint | None:
        best: tuple[int, Any] | None = None
        groups = self.groups(pool)
        if self.per_sku:  # (a bin is one group: one time at most)
            groups = within_limit(groups, limit, lambda g: self._gives(g[1]))
        for name, rs in groups:
            count = whole(rs)
            step = self._next_better(rs, count)
            if step is not None and (best is None or step[0] - count < best[0]):
                best = (step[0] - count, said(gettext_noop("%(band)s on %(name)s"),
                                              {"band": band_text(self.mode, step[1]), "name": name}))
        if best is None:
            return None
        return hint(best[0], None, said(gettext_noop("add %(n)s more for %(reward)s"), {"n": best[0], "reward": best[1]}))


def step_kind(code: str, family: int, per_sku: bool, mode: str, label: Any, description: Any,
              band_help: Any, example: dict[str, Any]) -> PromoKind:
    specs = (ParamSpec("bands", "bands", _("Bands"), band_help),)
    band_value = "percent" if mode == PERCENT else "money"

    def clean(raw: Params) -> dict[str, Any]:
        return clean_params(specs, raw, band_value=band_value)

    def build(params: Params, items: ItemSet) -> StepRule:
        return StepRule(items, steps_of(params["bands"]), per_sku, mode)

    def explain(params: Params) -> str:
        return summaries.bands(steps_of(params["bands"]), mode == PERCENT, per_sku)

    return PromoKind(code=code, family=family, label=label, description=description, params=specs,
                     uses_items=True, clean=clean, build=build, explain=explain, example=example)
