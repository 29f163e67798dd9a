"""What a rule takes: the units and discounts it gathers per line (:class:`Takes`), and a money
total spread over lines in proportion (:func:`allocate`; one rounding rule, ``core.money.money``'s
half up through ``rounding.rounded``, the residue on the last line, never below zero). Split from
``units`` (which unit a rule may count and what it costs now) by concern."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from sasom.promotions.engine.rounding import rounded
from sasom.promotions.engine.types import ZERO, Take, take
from sasom.promotions.engine.units import Run


def allocate(total: Decimal, weights: Sequence[Decimal], places: int = 2) -> list[Decimal]:
    """``total`` (money) spread over ``weights`` in proportion, each share rounded by ``money``
    on the running sum, so the shares add up to ``total`` exactly and the residue falls on the
    last; a share is never below zero."""
    whole_weight = sum(weights, ZERO)
    if total <= 0 or whole_weight <= 0:
        return [ZERO for _ in weights]
    out: list[Decimal] = []
    running = ZERO
    before = rounded(ZERO, places)
    for w in weights:
        running += w
        upto = rounded(total * running / whole_weight, places)
        out.append(upto - before)
        before = upto
    return out


HUNDRED = Decimal(100)


class Takes:
    """Units and discounts a rule gathers, per line, before it hands them to the resolver."""

    __slots__ = ("discount", "places", "units")

    def __init__(self, places: int = 2) -> None:
        self.places = places  # the currency's minor unit (``Pool.places``): shares and discounts round to it
        self.units: dict[int, Decimal] = {}
        self.discount: dict[int, Decimal] = {}

    def add(self, index: int, units: Decimal | int, discount: Decimal = ZERO) -> None:
        had = self.units.get(index)
        if had is None:  # the usual case: one add per line
            self.units[index] = units if isinstance(units, Decimal) else Decimal(units)
            self.discount[index] = discount
        else:
            self.units[index] = had + units
            self.discount[index] += discount

    def percent_off(self, rs: Iterable[Run], percent: Decimal, *, whole_units: bool) -> None:
        """Consume each run's whole units (or every unit) and give them ``percent`` off what they
        cost now: ``add(r.index, n, n * r.value * percent / 100)`` for each, in one loop."""
        units, discount = self.units, self.discount
        for r in rs:
            n: Decimal | int = r.whole if whole_units else r.units
            if not n:
                continue
            off = n * r.value * percent / HUNDRED
            i = r.index
            had = units.get(i)
            if had is None:
                units[i] = n if isinstance(n, Decimal) else Decimal(n)
                discount[i] = off
            else:
                units[i] = had + n
                discount[i] += off

    def spread(self, parts: Sequence[tuple[Run, Decimal | int]], total: Decimal) -> None:
        """Consume ``parts`` and give them ``total`` off, in proportion to what they cost."""
        shares = allocate(total, [r.value * n for r, n in parts], self.places)
        for (r, n), share in zip(parts, shares, strict=True):
            self.add(r.index, n, share)

    def __bool__(self) -> bool:
        return bool(self.units)

    def build(self, net: Mapping[int, Decimal]) -> tuple[Take, ...]:
        """The takes, one per line in line order, each discount rounded (to the currency's minor
        unit, ``places``) and never more than what the line still costs."""
        out = []
        units, discount = self.units, self.discount
        for index in sorted(units):
            d = rounded(discount[index], self.places)
            if d < ZERO:
                d = ZERO
            else:
                left = net.get(index, ZERO)
                if d > left:
                    d = left if left > ZERO else ZERO
            out.append(take(index, units[index], d))
        return tuple(out)

    def total(self) -> Decimal:
        return sum(self.discount.values(), ZERO)
