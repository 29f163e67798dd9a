"""The arithmetic rules share: which units of the pool a rule may count, what one unit costs now,
and how a discount is spread over lines (one rounding rule: ``core.money.money``, the residue on
the last unit, never below zero).

What one unit costs now: a non-stacking rule sees units no promotion has touched, so a unit costs
the line's own ``amount / quantity``; a stacking rule runs after the others on what the line still
costs (``net / quantity``). Both are ``min(amount / quantity, net / free)``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sasom.core.money import money
from sasom.promotions.engine.types import ZERO, ItemSet, Line, Pool, Take


@dataclass(frozen=True, slots=True)
class Run:
    """The free units of one line that a rule may count."""

    index: int
    sku: str
    whole: int  # whole units (counting rules)
    units: Decimal  # every free unit, fractions included (value rules)
    value: Decimal  # what one unit costs now (not rounded)


def unit_value(pool: Pool, line: Line) -> Decimal:
    if line.quantity <= 0:
        return ZERO
    own = line.amount / line.quantity
    free = pool.free.get(line.index, ZERO)
    net = pool.net.get(line.index, ZERO)
    value = min(own, net / free) if free > 0 else own
    return value if value > 0 else ZERO


def runs(pool: Pool, items: ItemSet) -> list[Run]:
    """The pool's free units that ``items`` counts, sorted by SKU then line (the result never
    depends on the order of the basket's lines)."""
    out: list[Run] = []
    for line in pool.lines:
        free = pool.free.get(line.index, ZERO)
        if free <= 0 or not items.matches(line):
            continue
        out.append(Run(line.index, line.sku, int(free), free, unit_value(pool, line)))
    out.sort(key=lambda r: (r.sku, r.index))
    return out


def cheapest_first(rs: Iterable[Run]) -> list[Run]:
    return sorted(rs, key=lambda r: (r.value, r.sku, r.index))


def dearest_first(rs: Iterable[Run]) -> list[Run]:
    return sorted(rs, key=lambda r: (-r.value, r.sku, r.index))


def by_sku(rs: Iterable[Run]) -> dict[str, list[Run]]:
    out: dict[str, list[Run]] = {}
    for r in rs:
        out.setdefault(r.sku, []).append(r)
    return out


def whole(rs: Iterable[Run]) -> int:
    return sum(r.whole for r in rs)


def worth(rs: Iterable[Run]) -> Decimal:
    """What the runs' units cost now, every unit (fractions included)."""
    return sum((r.units * r.value for r in rs), ZERO)


def pick(rs: Sequence[Run], count: int) -> list[tuple[Run, int]]:
    """The first ``count`` whole units of ``rs`` in their order, as (run, units)."""
    out: list[tuple[Run, int]] = []
    for r in rs:
        if count <= 0:
            break
        n = min(r.whole, count)
        if n > 0:
            out.append((r, n))
            count -= n
    return out


def allocate(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """``total`` (money) spread over ``weights`` in proportion, each share rounded by ``money``
    on the running sum, so the shares add up to ``total`` exactly and the residue falls on the
    last; a share is never below zero."""
    whole_weight = sum(weights, ZERO)
    if total <= 0 or whole_weight <= 0:
        return [ZERO for _ in weights]
    out: list[Decimal] = []
    running = ZERO
    before = money(ZERO)
    for w in weights:
        running += w
        upto = money(total * running / whole_weight)
        out.append(upto - before)
        before = upto
    return out


class Takes:
    """Units and discounts a rule gathers, per line, before it hands them to the resolver."""

    __slots__ = ("discount", "units")

    def __init__(self) -> None:
        self.units: dict[int, Decimal] = {}
        self.discount: dict[int, Decimal] = {}

    def add(self, index: int, units: Decimal | int, discount: Decimal = ZERO) -> None:
        self.units[index] = self.units.get(index, ZERO) + Decimal(units)
        self.discount[index] = self.discount.get(index, ZERO) + discount

    def spread(self, parts: Sequence[tuple[Run, int]], total: Decimal) -> None:
        """Consume ``parts`` and give them ``total`` off, in proportion to what they cost."""
        shares = allocate(total, [r.value * n for r, n in parts])
        for (r, n), share in zip(parts, shares, strict=True):
            self.add(r.index, n, share)

    def __bool__(self) -> bool:
        return bool(self.units)

    def build(self, net: Mapping[int, Decimal]) -> tuple[Take, ...]:
        """The takes, one per line in line order, each discount rounded and never more than what
        the line still costs."""
        out = []
        for index in sorted(self.units):
            d = money(self.discount[index])
            d = max(ZERO, min(d, net.get(index, ZERO)))
            out.append(Take(index, self.units[index], d))
        return tuple(out)

    def total(self) -> Decimal:
        return sum(self.discount.values(), ZERO)
