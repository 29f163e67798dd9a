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
    Basket,
    Run,
    Takes,
    chunks,
    dearest_first,
    own_value,
    runs,
)


class PackRule(BaseRule):
    __slots__ = ("loose_price", "pack_price", "size")

    def __init__(self, items: ItemSet, size: int, pack_price: Decimal, loose_price: Decimal | None) -> None:
        super().__init__(items)
        self.size = size
        self.pack_price = pack_price
        self.loose_price = loose_price

    def shrinks(self) -> bool:
        return self.loose_price is None  # 5e: every pack formed, dearest first (5d chooses its packs)

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

    def _total(self, rs: list[Run], packs: list[list[tuple[Run, int]]], count: int) -> Decimal:
        """What the bin's units cost with the first ``count`` packs formed (none: every unit at its
        own price), before rounding: what :meth:`apply` charges for ``count`` packs."""
        if count <= 0:
            return sum((r.value * r.whole for r in rs), ZERO)
        loose = self.loose_price
        total = sum((min(r.value, loose) * r.whole if loose is not None else r.value * r.whole for r in rs), ZERO)
        for pack in packs[:count]:
            cost = sum((r.value * n for r, n in pack), ZERO)
            total += min(cost, self.pack_price)
            total -= sum((min(r.value, loose) * n if loose is not None else r.value * n for r, n in pack), ZERO)
        return total

    def hint(self, pool: Pool, ctx: Context) -> Hint | None:
        """The "add N more for a pack" hint, only when it is true: N more units, at the price of the bin's
        cheapest unit in the basket, make the bin form more packs than now *and* that costs less
        than the same units with today's packs. So a 5d bin that forms fewer packs on purpose (a
        pack dearer than its units left over) gives no hint for a pack it would not form, nor does
        a pack price above what its units cost. At most ``PACK_HINT_REACH`` packs' worth of units are tried."""
        rs = dearest_first(runs(pool, self._items))
        cheapest = _cheapest(pool, self._items, rs)
        if cheapest is None:
            return None
        packs = chunks(rs, self.size)
        now = self._packs_used(rs, packs) if packs else 0
        for missing in range(1, self.size * PACK_HINT_REACH + 1):
            more = [*rs, Run(-1, "", missing, Decimal(missing), cheapest)]
            more_packs = chunks(more, self.size)
            if not more_packs:
                continue
            formed = self._packs_used(more, more_packs)
            if formed > now and self._total(more, more_packs, formed) < self._total(more, more_packs, now):
                return hint(missing, None, said(gettext_noop("add %(n)s more for a pack of %(size)s at %(price)s"),
                                                {"n": missing, "size": self.size, "price": money_str(self.pack_price)}))
        return None


PACK_HINT_REACH = 3  # a hint looks at most this many packs' worth of units ahead


def _cheapest(pool: Pool, items: ItemSet, rs: list[Run]) -> Decimal | None:
    """What a unit added to the bin is taken to cost: the cheapest free unit the bin counts now,
    else the cheapest own price of the bin's lines (their units all taken); None: no line."""
    if rs:
        return rs[-1].value
    if isinstance(pool, Basket):
        values = [pool.own[ln.index] for ln in pool.lines_of(items)]
    else:
        values = [own_value(ln) for ln in pool.lines if items.matches(ln)]
    return min(values) if values else None
