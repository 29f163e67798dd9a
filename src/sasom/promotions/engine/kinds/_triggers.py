"""What sets a promotion off, shared by the families whose reward does not depend on it:

* :class:`MixTrigger` (family 2): a fixed mix complete (one Coke + one Sprite), once per complete
  set.
* :class:`GroupTrigger` (family 3): any N units of the item set, once per N.
* :class:`ValueTrigger` (family 4): the item set's units worth at least the threshold (what they
  cost now); once, or once per threshold with ``repeat``.

``fire`` answers how many times the trigger goes off (at most ``limit``) and the units it
consumes: the units of a gift SKU (``avoid``) last, so that a gift already in the basket stays
free to be the gift; ``missing`` how far the pool is from the next time (units or money).
"""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal
from typing import Protocol

from sasom.promotions.engine.kinds._common import (
    capped,
    gettext_noop,
    joined,
    money_str,
    said,
    units_of,
)
from sasom.promotions.engine.types import ZERO, ItemSet, Pool
from sasom.promotions.engine.units import Run, by_sku, pick, runs, whole, whole_of, worth, worth_of

Parts = list[tuple[Run, Decimal]]


class Trigger(Protocol):
    def items(self) -> ItemSet: ...

    def fire(self, pool: Pool, limit: int | None, avoid: frozenset[str]) -> tuple[int, Parts]: ...

    def missing(self, pool: Pool) -> tuple[int | None, Decimal | None]: ...

    def times_at_most(self, pool: Pool) -> int: ...

    def text(self) -> str: ...


def _avoiding_last(rs: list[Run], avoid: frozenset[str]) -> list[Run]:
    return sorted(rs, key=lambda r: (r.sku in avoid, r.value, r.sku, r.index))


class MixTrigger:
    __slots__ = ("_items", "_text", "mix")

    def __init__(self, mix: tuple[tuple[str, int], ...]) -> None:
        self.mix = mix
        self._items = ItemSet(skus=frozenset(sku for sku, _ in mix))
        # "1 x COKE + 2 x SPRITE" in the reader's words (a lazy text: made once, written when shown)
        self._text = joined(" + ", tuple(units_of(q, sku) for sku, q in mix))

    def items(self) -> ItemSet:
        return self._items

    def _have(self, pool: Pool) -> dict[str, list[Run]]:
        return by_sku(runs(pool, self._items))

    def sets(self, have: dict[str, list[Run]]) -> int:
        return min(whole(have.get(sku, [])) // quantity for sku, quantity in self.mix)

    def fire(self, pool: Pool, limit: int | None, avoid: frozenset[str]) -> tuple[int, Parts]:
        have = self._have(pool)
        times = capped(self.sets(have), limit)
        parts: Parts = []
        if times:
            for sku, quantity in self.mix:
                parts += [(r, Decimal(n)) for r, n in pick(have[sku], quantity * times)]
        return times, parts

    def times_at_most(self, pool: Pool) -> int:
        return self.sets(self._have(pool))

    def missing(self, pool: Pool) -> tuple[int | None, Decimal | None]:
        have = self._have(pool)
        goal = self.sets(have) + 1
        return sum(max(0, goal * q - whole(have.get(sku, []))) for sku, q in self.mix), None

    def text(self) -> str:
        return self._text


class GroupTrigger:
    __slots__ = ("_items", "count")

    def __init__(self, items: ItemSet, count: int) -> None:
        self._items = items
        self.count = count

    def items(self) -> ItemSet:
        return self._items

    def fire(self, pool: Pool, limit: int | None, avoid: frozenset[str]) -> tuple[int, Parts]:
        rs = runs(pool, self._items)
        times = capped(whole(rs) // self.count, limit)
        if not times:
            return 0, []
        return times, [(r, Decimal(n)) for r, n in pick(_avoiding_last(rs, avoid), self.count * times)]

    def times_at_most(self, pool: Pool) -> int:
        return whole_of(pool, self._items) // self.count

    def missing(self, pool: Pool) -> tuple[int | None, Decimal | None]:
        have = whole_of(pool, self._items)
        return (have // self.count + 1) * self.count - have, None

    def text(self) -> str:
        return said(gettext_noop("any %(count)s of the group"), {"count": self.count})


class ValueTrigger:
    __slots__ = ("_items", "repeat", "threshold")

    def __init__(self, items: ItemSet, threshold: Decimal, repeat: bool) -> None:
        self._items = items
        self.threshold = threshold
        self.repeat = repeat

    def items(self) -> ItemSet:
        return self._items

    def times(self, value: Decimal) -> int:
        if value < self.threshold or value <= 0:
            return 0
        if not self.repeat or self.threshold <= 0:
            return 1
        return int(value // self.threshold)

    def fire(self, pool: Pool, limit: int | None, avoid: frozenset[str]) -> tuple[int, Parts]:
        """Consumes the units that reach the threshold (the dearest first, a gift SKU last); the
        rest stay free for other promotions."""
        rs = runs(pool, self._items)
        times = capped(self.times(worth(rs)), limit)
        if not times:
            return 0, []
        need = self.threshold * times
        parts: Parts = []
        for r in sorted(rs, key=lambda r: (r.sku in avoid, -r.value, r.sku, r.index)):
            if need <= 0:
                break
            units = r.units if r.value <= 0 else min(r.units, (need / r.value).to_integral_value(ROUND_CEILING))
            need -= units * r.value
            parts.append((r, units))
        return times, parts

    def times_at_most(self, pool: Pool) -> int:
        return self.times(worth_of(pool, self._items))

    def missing(self, pool: Pool) -> tuple[int | None, Decimal | None]:
        value = worth_of(pool, self._items)
        times = self.times(value)
        if times and not self.repeat:
            return None, None
        return None, max(ZERO, self.threshold * (times + 1) - value)

    def text(self) -> str:
        if self.repeat:
            return said(gettext_noop("%(threshold)s of the group (per threshold)"), {"threshold": money_str(self.threshold)})
        return said(gettext_noop("%(threshold)s of the group"), {"threshold": money_str(self.threshold)})

