"""Pack prices for assorted items (5d, 5e): the bin's whole units, dearest first, fill packs of
``size`` at ``pack_price`` (each pack's discount is what its units cost minus the pack price,
spread over them in proportion; a pack price above that gives nothing). The units left over are
priced at ``loose_price`` each where that is below their own price (5d, the lowest price; they are
consumed) or stay at their own price (5e, progressive; they are not consumed). The cheapest units
are the ones left over. The bin never charges more than the best of its options: of 1 .. all the
packs the units fill (dearest first), the number of packs that gives the lowest total is used
(on a tie, the most packs), so a pack is not formed when its units cost less left loose."""

from __future__ import annotations

from decimal import Decimal

from sasom.promotions.engine.kinds._common import BaseRule, gettext_noop, hint, money_str, said
from sasom.promotions.engine.types import ZERO, Context, Draft, Hint, ItemSet, Pool
from sasom.promotions.engine.units import (
    Run,
    Takes,
    chunks,
    dearest_first,
    runs,
    whole_of,
)


class PackRule(BaseRule):
    __slots__ = ("loose_price", "pack_price", "size")

    def __init__(self, items: ItemSet, size: int, pack_price: Decimal, loose_price: Decimal | None) -> None:
        super().__init__(items)
        self.size = size
        self.pack_price = pack_price
        self.loose_price = loose_price

    def apply(self, pool: Pool, ctx: Context, limit: int | None) -> Draft | None:
        rs = dearest_first(runs(pool, self._items))
        packs = chunks(rs, self.size, limit)
        if not packs:
            return None
        count = self._packs_used(rs, packs)
        takes = Takes(pool.places)
        for pack in packs[:count]:
            cost = sum((r.value * n for r, n in pack), ZERO)
            takes.spread(pack, max(ZERO, cost - self.pack_price))
        told = said(gettext_noop("%(n)s pack(s) of %(size)s at %(price)s"),
                    {"n": count, "size": self.size, "price": money_str(self.pack_price)})
        if self.loose_price is not None:
            loose = 0
            for r in rs:
                n = r.whole - int(takes.units.get(r.index, ZERO))
                if n > 0:
                    takes.add(r.index, n, max(ZERO, r.value - self.loose_price) * n)
                    loose += n
            if loose:
                told = said(gettext_noop("%(packs)s + %(n)s at %(price)s"),
                            {"packs": told, "n": loose, "price": money_str(self.loose_price)})
        return Draft(takes=takes.build(pool.net), times=count, explanation=told)

    def _packs_used(self, rs: list[Run], packs: list[list[tuple[Run, int]]]) -> int:
        """How many of ``packs`` (dearest first) to form: the number giving the lowest total, the
        units of the packs not formed left loose (each at the lower of its own price and
        ``loose_price``); on a tie, the most packs. One pack at least (no pack, no promotion: then
        every unit pays its own price, never less than one pack and the rest loose)."""
        loose = self.loose_price
        if loose is None:  # 5e: a pack never costs more than its units loose at their own price
            return len(packs)
        best, best_gain, gain = 1, None, ZERO
        for k, pack in enumerate(packs, start=1):
            cost = sum((r.value * n for r, n in pack), ZERO)
            gain += sum((min(r.value, loose) * n for r, n in pack), ZERO) - min(cost, self.pack_price)
            if best_gain is None or gain >= best_gain:
                best, best_gain = k, gain
        return best

    def hint(self, pool: Pool, ctx: Context) -> Hint | None:
        missing = self.size - whole_of(pool, self._items) % self.size
        return hint(missing, None, said(gettext_noop("add %(n)s more for a pack of %(size)s at %(price)s"),
                                        {"n": missing, "size": self.size, "price": money_str(self.pack_price)}))
