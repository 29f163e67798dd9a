"""1a. Free goods of the same item by quantity steps (buy 2 get 1; buy 20 get 6).

Each SKU of the item set counts on its own. The free units are units of the same SKU in the
basket (the member picks them up): 3 units under "buy 2 get 1" are 2 paid + 1 free; with 2 units
nothing is free yet and the hint says "add 1 more". Steps: the highest step reached gives its free
units; with ``repeat`` a step repeats per its ``from`` units (buy 2 get 1: 6 units = 4 paid + 2
free), the best step winning. The cheapest units of the SKU are the free ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from sasom.promotions.engine.kinds import _summaries as summaries
from sasom.promotions.engine.kinds._common import (
    COMMA,
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
    more_for_next_free,
    said,
    split_paid_free,
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
from sasom.promotions.engine.units import Run, cheapest_first, dearest_first, grouped, whole

PARAMS = (
    ParamSpec("bands", "bands", _("Steps"), _("Buy 'from' units, get 'value' units of the same item free.")),
    ParamSpec("repeat", "bool", _("Repeat each step"), _("Buy 2 get 1 also gives 2 free for 4 bought."), required=False),
)


def steps_said(steps: Steps) -> str:
    """The steps in an explanation (translated when shown)."""
    return joined(COMMA, tuple(said(gettext_noop("buy %(start)s get %(free)s"), {"start": start, "free": fmt(value)})
                              for start, value in steps))


class QtyFree(BaseRule):
    """Free units by steps, counted per SKU (1a) or over the whole item set (5c, ``per_sku``
    False: a one-price bin, each chunk's cheapest unit free, ``bin_free``)."""

    __slots__ = ("per_sku", "repeat", "steps")

    def __init__(self, items: ItemSet, steps: Steps, repeat: bool, per_sku: bool = True) -> None:
        super().__init__(items)
        self.steps = steps
        self.repeat = repeat
        self.per_sku = per_sku

    def shrinks(self) -> bool:
        # 5c: dearest first, each chunk's cheapest free, the step worth most (1a frees the
        # cheapest of its SKU: a cheap unit taken frees a dearer one)
        return not self.per_sku

    def groups(self, pool: Pool) -> list[tuple[str, list[Run]]]:
        return grouped(pool, self._items, self.per_sku, THE_BIN)

    def apply(self, pool: Pool, ctx: Context, limit: int | None) -> Draft | None:
        takes = Takes(pool.places)
        times = 0
        given = []
        for sku, rs in self.groups(pool):
            if capped(times + 1, limit) <= times:
                break
            if self.per_sku:
                paid, free = split_paid_free(self.steps, self.repeat, whole(rs))
                if free <= 0:
                    continue
                left_paid, left_free = paid, free
                for r in cheapest_first(rs):  # the cheapest units are the free ones
                    f = min(r.whole, left_free)
                    p = min(r.whole - f, left_paid)
                    left_free -= f
                    left_paid -= p
                    if f or p:
                        takes.add(r.index, f + p, r.value * f)
            else:
                found = bin_free(self.steps, self.repeat, rs)
                if found is None:
                    continue
                paid, free, parts = found
                for r, taken, freed in parts:
                    takes.add(r.index, taken, r.value * freed)
            times += 1
            given.append(said(gettext_noop("%(free)s x %(sku)s free for %(paid)s bought"),
                              {"free": free, "sku": sku, "paid": paid}) if self.per_sku
                         else said(gettext_noop("%(free)s of the bin free for %(paid)s bought"), {"free": free, "paid": paid}))
        if not times:
            return None
        return Draft(
            takes=takes.build(pool.net),
            times=times,
            explanation=said(gettext_noop("%(steps)s: %(given)s"),
                             {"steps": steps_said(self.steps), "given": joined(SEMICOLON, tuple(given))}),
        )

    def hint(self, pool: Pool, ctx: Context, limit: int | None = None) -> Hint | None:
        best: tuple[int, str] | None = None
        groups = self.groups(pool)
        if self.per_sku:  # (a bin is one group: one time at most)
            groups = within_limit(groups, limit, lambda g: split_paid_free(self.steps, self.repeat, whole(g[1]))[1] > 0)
        for sku, rs in groups:
            more = more_for_next_free(self.steps, self.repeat, whole(rs))
            if more is not None and (best is None or more < best[0]):
                best = (more, sku)
        if best is None:
            return None
        if not self.per_sku:
            return hint(best[0], None, said(gettext_noop("add %(n)s more of the bin for a free item"), {"n": best[0]}))
        return hint(best[0], None, said(gettext_noop("add %(n)s more %(sku)s for a free item"),
                                        {"n": best[0], "sku": best[1]}))


def bin_free(steps: Steps, repeat: bool, rs: Sequence[Run]) -> tuple[int, int, list[tuple[Run, int, int]]] | None:
    """5c: the bin's units dearest first, in chunks of a step's ``from`` + ``value`` units (one
    chunk, or with ``repeat`` one after another, the last one possibly short of free units); the
    free units of a chunk are its last (cheapest) ones, as in 3g. Of the steps reached, the one
    worth most to the customer wins (then the one consuming fewer units, then the first): at one
    price that is the step freeing the most units. Adding a unit never lowers what a step frees
    (each unit at a given rank is then at least as dear), so it never raises the bill by more
    than its own price. Answers (paid, free, [(run, units taken, units free)]), or None."""
    runs = dearest_first(rs)
    ordered = [position for position, r in enumerate(runs) for _ in range(r.whole)]
    count = len(ordered)
    best: tuple[Decimal, int, list[int]] | None = None
    for start, value in steps:
        size, gives = start + int(value), int(value)
        chunks = range(0, count, size) if repeat else range(0, 1)
        free = [c + start + j for c in chunks for j in range(gives) if c + start + j < count]
        if not free:
            continue
        worth = sum((runs[ordered[k]].value for k in free), ZERO)
        if best is None or worth > best[0] or (worth == best[0] and free[-1] < best[1]):
            best = (worth, free[-1], free)
    if best is None:
        return None
    taken, freed = [0] * len(runs), [0] * len(runs)
    for k in range(best[1] + 1):
        taken[ordered[k]] += 1
    for k in best[2]:
        freed[ordered[k]] += 1
    parts = [(r, taken[i], freed[i]) for i, r in enumerate(runs) if taken[i]]
    return best[1] + 1 - len(best[2]), len(best[2]), parts


def clean(raw: Params) -> dict[str, object]:
    return clean_params(PARAMS, raw, band_value="int")


def build(params: Params, items: ItemSet) -> QtyFree:
    return QtyFree(items, steps_of(params["bands"]), bool(params.get("repeat", False)))


def build_bin(params: Params, items: ItemSet) -> QtyFree:
    return QtyFree(items, steps_of(params["bands"]), bool(params.get("repeat", False)), per_sku=False)


def explain(params: Params) -> str:
    return summaries.qty_free(steps_of(params["bands"]), bool(params.get("repeat")))


KIND = PromoKind(
    code="qty_free",
    family=1,
    label=_("Buy N get free of the same item"),
    description=_("Free units of the same item by quantity steps (buy 2 get 1; buy 20 get 6)."),
    params=PARAMS,
    uses_items=True,
    clean=clean,
    build=build,
    explain=explain,
    example={"bands": [{"from": 2, "value": 1}, {"from": 20, "value": 6}], "repeat": False},
)
