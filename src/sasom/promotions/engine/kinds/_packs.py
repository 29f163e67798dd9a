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
from sasom.promotions.engine.rounding import rounded
from sasom.promotions.engine.takes import Takes
from sasom.promotions.engine.types import ZERO, Context, Draft, Hint, ItemSet, Pool
from sasom.promotions.engine.units import Basket, Run, chunks, dearest_first, own_value, runs


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

    def _saving(self, rs: list[Run], packs: list[list[tuple[Run, int]]], now: int, formed: int) -> Decimal:
        """What forming ``formed`` packs instead of ``now`` (fewer) takes off the bin's total, as a
        sum of each pack's and each unit's own difference (no large totals subtracted: their last
        digits would not cancel). No pack now: every unit is at its own price, so the units left
        out of the packs also move to the loose price (5d)."""
        loose = self.loose_price
        saving = ZERO
        for pack in packs[now:formed]:
            cost = sum((r.value * n for r, n in pack), ZERO)
            before = cost if now == 0 or loose is None else sum((min(r.value, loose) * n for r, n in pack), ZERO)
            saving += before - min(cost, self.pack_price)
        if now == 0 and loose is not None:
            used: dict[int, int] = {}
            for pack in packs[:formed]:
                for r, n in pack:
                    used[id(r)] = used.get(id(r), 0) + n
            for r in rs:
                n = r.whole - used.get(id(r), 0)
                if n > 0:
                    saving += (r.value - min(r.value, loose)) * n
        return saving

    def hint(self, pool: Pool, ctx: Context, limit: int | None = None) -> Hint | None:
        """The "add N more for a pack" hint, only when it is true: N more units, at the price of the bin's
        cheapest unit in the basket, make the bin form more packs than now *and* that costs less
        than the same units with today's packs. So a 5d bin that forms fewer packs on purpose (a
        pack dearer than its units left over) gives no hint for a pack it would not form, nor does
        a pack price above what its units cost. At most ``PACK_HINT_REACH`` packs' worth of units are tried."""
        rs = dearest_first(runs(pool, self._items))
        cheapest = _cheapest(pool, self._items, rs)
        if cheapest is None:
            return None
        places = pool.places
        missing = (self._missing(rs, cheapest, places) if self.loose_price is None and limit is None
                   else self.missing_tried(rs, cheapest, places, limit))
        if missing is None:
            return None
        return hint(missing, None, said(gettext_noop("add %(n)s more for a pack of %(size)s at %(price)s"),
                                        {"n": missing, "size": self.size, "price": money_str(self.pack_price)}))

    def missing_tried(self, rs: list[Run], cheapest: Decimal, places: int, limit: int | None = None) -> int | None:
        """The fewest units (at ``cheapest`` each) that make the bin form more packs and lower its
        total by at least a minor unit (rounded) against today's packs, each number of units tried
        in turn, at most ``limit`` packs (the per-bill limit, as ``apply``); None: none within reach."""
        packs = chunks(rs, self.size, limit)
        now = self._packs_used(rs, packs) if packs else 0
        for missing in range(1, self.size * PACK_HINT_REACH + 1):
            more = [*rs, Run(-1, "", missing, Decimal(missing), cheapest)]
            more_packs = chunks(more, self.size, limit)
            if not more_packs:
                continue
            formed = self._packs_used(more, more_packs)
            if formed > now and rounded(self._saving(more, more_packs, now, formed), places) > 0:
                return missing
        return None

    def _missing(self, rs: list[Run], cheapest: Decimal, places: int) -> int | None:
        """:meth:`missing_tried` for 5e, worked out (a hint runs on every quote): every pack is
        formed, so the units added first complete the pack the leftover units start, and each
        further pack is added units alone; the first number of packs whose saving (each pack's
        cost above the pack price, summed in the same order) rounds above zero is the hint."""
        size = self.size
        whole = sum(r.whole for r in rs)
        first = size - whole % size
        skip = whole - whole % size  # the units in today's packs, dearest first
        parts: list[tuple[Run, int]] = []
        for r in rs:
            n = r.whole
            if skip >= n:
                skip -= n
                continue
            parts.append((r, n - skip))
            skip = 0
        added = Run(-1, "", first, Decimal(first), cheapest)
        parts.append((added, first))
        cost = sum((r.value * n for r, n in parts), ZERO)
        saving = ZERO + (cost - min(cost, self.pack_price))
        missing = first
        while missing <= size * PACK_HINT_REACH:
            if rounded(saving, places) > 0:
                return missing
            cost = cheapest * size
            saving += cost - min(cost, self.pack_price)
            missing += size
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
