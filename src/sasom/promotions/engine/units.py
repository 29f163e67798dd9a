"""The arithmetic rules share: which units of the pool a rule may count and what one unit costs
now (what a rule takes and how a discount is spread over lines: ``takes``).

What one unit costs now: a non-stacking rule sees units no promotion has touched, so a unit costs
the line's own ``amount / quantity``; a stacking rule runs after the others on what the line still
costs (``net / quantity``). Both are ``min(amount / quantity, net / free)``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from operator import attrgetter

from sasom.promotions.engine.types import ZERO, ItemSet, Line, Pool, Take


@dataclass(slots=True)
class Run:
    """The free units of one line that a rule may count (not frozen: rules make thousands a call,
    and a frozen dataclass sets each field through ``object.__setattr__``; nothing changes one)."""

    index: int
    sku: str
    whole: int  # whole units (counting rules)
    units: Decimal  # every free unit, fractions included (value rules)
    value: Decimal  # what one unit costs now (not rounded)


class Call:
    """What every copy of the resolver's pool shares for one call: which lines each item set
    matches (by SKU then line, and in line order), each line's own unit price, the lines by SKU,
    category and brand, and the percent takes already priced (:func:`percent_takes`)."""

    __slots__ = ("by_brand", "by_category", "by_sku", "every", "every_unit", "in_order", "ints", "matched", "own",
                 "percents", "wholes")

    def __init__(self, lines: tuple[Line, ...], own: dict[int, Decimal] | None = None) -> None:
        self.matched: dict[int, tuple[Line, ...]] = {}
        self.in_order: dict[int, tuple[Line, ...]] = {}
        self.own = own if own is not None else {ln.index: own_value(ln) for ln in lines}
        # every line by SKU then line (sorted once a call), and the lines of each name in that order
        self.every: tuple[Line, ...] = tuple(sorted(lines, key=_by_sku))
        self.by_sku, self.by_category, self.by_brand = _keys(self.every)
        # (percent, whole units, places) -> line -> (units, amount, take) last priced (:func:`percent_takes`)
        self.percents: dict[tuple[Decimal, bool, int], dict[int, tuple[Decimal, Decimal, Take | None]]] = {}
        self.every_unit: dict[int, Decimal] | None = None  # line -> its quantity (a stacking view's units; read only)
        self.wholes: dict[Decimal, Decimal] = {}  # units -> ``Decimal(int(units))`` (the whole units a percent counts)
        self.ints: dict[Decimal, int] = {}  # units -> ``int(units)`` (a few counts, converted again and again)


class Basket(Pool):
    """The resolver's pool: a :class:`Pool` that also remembers, for the whole call, which lines
    each item set matches (sorted by SKU then line) and each line's own unit price, so that a
    rule run again and again (hints, the best-for-customer search) does not rescan the basket.
    Copies share them (:class:`Call`)."""

    __slots__ = ("by_sku", "call", "matched", "once", "own", "trail", "undo")

    def __init__(self, lines: tuple[Line, ...], free: dict[int, Decimal], net: dict[int, Decimal],
                 call: Call | None = None) -> None:
        super().__init__(lines, free, net)
        self.trail: tuple[object, ...] = ()  # the search's applications that made this state (search.advance)
        # while the search tries a promotion on this very state: each line's units and amount
        # before the resolver took from it, to put back (``trials.Trials.result``)
        self.undo: list[tuple[int, Decimal | None, Decimal | None]] | None = None
        self.once = False  # a stacking promotion's view of every unit (``resolver.run``): priced once a call
        self.call = call if call is not None else Call(lines)
        self.matched = self.call.matched
        self.own = self.call.own
        self.by_sku = self.call.by_sku  # SKU -> its lines, in line order

    def lines_of(self, items: ItemSet) -> tuple[Line, ...]:
        found = self.matched.get(id(items))  # by identity: a rule's item set lives as long as the call
        if found is None:
            named = len(items.skus) + len(items.categories) + len(items.brands)
            if not named:  # every line (but the excluded SKUs): the call's lines by SKU, sorted once
                every = self._every()
                exclude = items.exclude_skus
                found = tuple(ln for ln in every if ln.sku not in exclude) if exclude else every
                self.matched[id(items)] = found
                return found
            call = self.call
            if named == 1 and not items.exclude_skus:  # one name: its lines, by SKU then line already
                chosen = (call.by_sku.get(next(iter(items.skus)), []) if items.skus
                          else call.by_category.get(next(iter(items.categories)), []) if items.categories
                          else call.by_brand.get(next(iter(items.brands)), []))
                found = call.every if len(chosen) == len(self.lines) else tuple(chosen)
                self.matched[id(items)] = found
                return found
            if named < len(self.lines):  # look the names up rather than scan the lines
                hit: dict[int, Line] = {}  # (plain loops: most of the three sets are empty)
                for sku in items.skus:
                    for ln in call.by_sku.get(sku, ()):
                        hit[ln.index] = ln
                for c in items.categories:
                    for ln in call.by_category.get(c, ()):
                        hit[ln.index] = ln
                for b in items.brands:
                    for ln in call.by_brand.get(b, ()):
                        hit[ln.index] = ln
                exclude = items.exclude_skus
                chosen = [ln for ln in hit.values() if ln.sku not in exclude] if exclude else list(hit.values())
            else:
                chosen = [ln for ln in self.lines if items.matches(ln)]
            if len(chosen) == len(self.lines):  # every line (a department every product is in): sorted once a call
                found = self._every()
            else:
                found = tuple(sorted(chosen, key=_by_sku))
            self.matched[id(items)] = found
        return found

    def _every(self) -> tuple[Line, ...]:
        return self.call.every

    def lines_in_order(self, items: ItemSet) -> tuple[Line, ...]:
        """:meth:`lines_of` in line order (the order of takes)."""
        found = self.call.in_order.get(id(items))
        if found is None:
            matched = self.lines_of(items)
            if matched is self.call.every:  # every line: sorted by line once a call
                found = self.call.in_order.get(0)
                if found is None:
                    found = self.call.in_order[0] = tuple(sorted(matched, key=_by_index))
            else:
                found = tuple(sorted(matched, key=_by_index))
            self.call.in_order[id(items)] = found
        return found

    def copy(self, free: dict[int, Decimal] | None = None) -> Basket:
        return Basket(self.lines, dict(self.free) if free is None else free, dict(self.net), self.call)


Lines = dict[str, list[Line]]


def _keys(lines: tuple[Line, ...]) -> tuple[Lines, Lines, Lines]:
    """SKU / category / brand -> the lines that carry it, in the order of ``lines`` (the call's
    lines by SKU then line: a SKU's lines in line order, and an item set naming one name needs no
    sort of its own): three dictionaries keyed
    by the names themselves (a string keeps its hash; a ``(kind, name)`` key was a tuple made and
    hashed a line and a name, and ``setdefault`` a new list each: about 30 us a call against 13)."""
    skus: Lines = {}
    categories: Lines = {}
    brands: Lines = {}
    for ln in lines:
        found = skus.get(ln.sku)
        if found is None:
            skus[ln.sku] = [ln]
        else:
            found.append(ln)
        found = brands.get(ln.brand)
        if found is None:
            brands[ln.brand] = [ln]
        else:
            found.append(ln)
        for c in ln.categories:
            found = categories.get(c)
            if found is None:
                categories[c] = [ln]
            else:
                found.append(ln)
    return skus, categories, brands


_by_sku = attrgetter("sku", "index")  # (sku, line): a key made in C, not a call a line


_by_index = attrgetter("index")


def own_value(line: Line) -> Decimal:
    """What one unit of the line costs before promotions (``amount / quantity``, never below 0)."""
    if line.quantity <= 0:
        return ZERO
    value = line.amount / line.quantity
    return value if value > 0 else ZERO


def unit_value(pool: Pool, line: Line) -> Decimal:
    own = pool.own[line.index] if isinstance(pool, Basket) else own_value(line)
    return _now(own, pool.free.get(line.index, ZERO), pool.net.get(line.index, ZERO))


def _now(own: Decimal, free: Decimal, net: Decimal) -> Decimal:
    if free <= ZERO or net >= own * free:
        return own
    value = net / free
    return value if value > ZERO else ZERO


def runs(pool: Pool, items: ItemSet) -> list[Run]:
    """The pool's free units that ``items`` counts, sorted by SKU then line (the result never
    depends on the order of the basket's lines)."""
    if isinstance(pool, Basket):
        lines = pool.lines_of(items)
        own = pool.own
        ints = pool.call.ints
    else:
        lines = tuple(sorted((ln for ln in pool.lines if items.matches(ln)), key=_by_sku))
        own = {ln.index: own_value(ln) for ln in lines}
        ints = {}
    free_of, net_of = pool.free, pool.net
    out: list[Run] = []
    append = out.append
    for line in lines:  # (Decimals compared with ZERO, not 0: an int is converted at every comparison)
        i = line.index
        free = free_of.get(i, ZERO)
        if free <= ZERO:
            continue
        value = own[i]
        net = net_of.get(i, ZERO)
        if net < value * free:  # the line lost some of its amount to a stacking promotion (_now)
            value = net / free if net > ZERO else ZERO
        n = ints.get(free)
        if n is None:
            n = ints[free] = int(free)
        append(Run(i, line.sku, n, free, value))
    return out


def priced(pool: Pool, items: ItemSet) -> list[tuple[Decimal, Decimal]]:
    """(free units, what one costs now) of the lines ``items`` counts that have free units: what
    :func:`runs` computes, without building the runs (counts and sums read only these)."""
    if isinstance(pool, Basket):
        lines = pool.lines_of(items)
        own = pool.own
    else:
        lines = tuple(ln for ln in pool.lines if items.matches(ln))
        own = {ln.index: own_value(ln) for ln in lines}
    free_of, net_of = pool.free, pool.net
    out: list[tuple[Decimal, Decimal]] = []
    append = out.append
    for line in lines:
        i = line.index
        free = free_of.get(i, ZERO)
        if free > ZERO:  # _now, inlined (this runs on every line of a bill-wide promotion, again and again)
            value = own[i]
            net = net_of.get(i, ZERO)
            if net < value * free:
                value = net / free if net > ZERO else ZERO
            append((free, value))
    return out


def whole_of(pool: Pool, items: ItemSet, reach: int | None = None) -> int:
    """``whole(runs(pool, items))``: the whole free units ``items`` counts; with ``reach``, a count
    of at least ``reach`` as soon as the lines read reach it (a stacking "any 1" hints on a bill)."""
    if isinstance(pool, Basket):
        free_of, ints = pool.free, pool.call.ints
        count = 0
        for ln in pool.lines_of(items):
            free = free_of.get(ln.index, ZERO)
            if free > ZERO:
                n = ints.get(free)
                if n is None:
                    n = ints[free] = int(free)
                count += n
                if reach is not None and count >= reach:
                    break
        return count
    return whole(runs(pool, items))


def worth_of(pool: Pool, items: ItemSet) -> Decimal:
    """``worth(runs(pool, items))``: what the free units ``items`` counts cost now (the same sum, in
    the same order, so a threshold compares alike)."""
    return worth_and_count(pool, items)[0]


def worth_below(pool: Pool, items: ItemSet, threshold: Decimal) -> Decimal | None:
    """:func:`worth_of` when it is below ``threshold``, else None, found as soon as the running
    sum reaches it (every term is at least zero, and a sum rounded to the context's digits never
    falls as such terms are added: the whole sum reaches it too). A hint of a threshold reached
    reads a few lines of a bill, not all of them."""
    if not isinstance(pool, Basket):
        value = worth_of(pool, items)
        return value if value < threshold else None
    own, free_of, net_of = pool.own, pool.free, pool.net
    total = ZERO
    for line in pool.lines_of(items):  # (as :func:`worth_and_count`)
        i = line.index
        free = free_of.get(i, ZERO)
        if free > ZERO:
            full = own[i] * free
            net = net_of.get(i, ZERO)
            if net < full:
                full = free * (net / free if net > ZERO else ZERO)
            total += full
            if total >= threshold:
                return None
    return total if total < threshold else None


def worth_and_count(pool: Pool, items: ItemSet) -> tuple[Decimal, int]:
    """:func:`worth_of`, and how many lines have free units (``len(priced(pool, items))``), in one
    pass over the lines and with no pair made a line (a bill-wide promotion reads every line)."""
    if not isinstance(pool, Basket):
        total = ZERO
        counted = priced(pool, items)
        for free, value in counted:
            total += free * value
        return total, len(counted)
    own, free_of, net_of = pool.own, pool.free, pool.net
    total, count = ZERO, 0
    for line in pool.lines_of(items):  # :func:`priced`, inlined
        i = line.index
        free = free_of.get(i, ZERO)
        if free > ZERO:
            full = own[i] * free  # (``free * value`` for a line at its own price: one product, not two)
            net = net_of.get(i, ZERO)
            if net < full:
                full = free * (net / free if net > ZERO else ZERO)
            total += full
            count += 1
    return total, count


_run_by_sku = attrgetter("sku", "index")
_run_value = attrgetter("value")


def cheapest_first(rs: Iterable[Run]) -> list[Run]:
    """By (value, SKU, line): sorted by SKU and line, then by value (a stable sort keeps the
    first order among equal values; keys made in C rather than a tuple a run)."""
    out = sorted(rs, key=_run_by_sku)
    out.sort(key=_run_value)
    return out


def dearest_first(rs: Iterable[Run]) -> list[Run]:
    """By (-value, SKU, line): as :func:`cheapest_first`, the values going down (``reverse``
    keeps the sort stable)."""
    out = sorted(rs, key=_run_by_sku)
    out.sort(key=_run_value, reverse=True)
    return out


def by_sku(rs: Iterable[Run]) -> dict[str, list[Run]]:
    out: dict[str, list[Run]] = {}
    for r in rs:
        out.setdefault(r.sku, []).append(r)
    return out


def grouped(pool: Pool, items: ItemSet, per_sku: bool, bin_name: str) -> list[tuple[str, list[Run]]]:
    """The counted units in the groups a quantity step counts: one group per SKU (named by it), or
    the whole bin of mixed SKUs as one, named ``bin_name`` (a text of the kinds, translated)."""
    rs = runs(pool, items)
    if not rs:
        return []
    return sorted(by_sku(rs).items()) if per_sku else [(bin_name, rs)]


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


def chunks(rs: Sequence[Run], size: int, limit: int | None = None) -> list[list[tuple[Run, int]]]:
    """Whole units of ``rs`` in their order, in full chunks of ``size`` (at most ``limit``)."""
    out: list[list[tuple[Run, int]]] = []
    current: list[tuple[Run, int]] = []
    filled = 0
    for r in rs:
        left = r.whole
        while left > 0:
            if limit is not None and len(out) >= limit:
                return out
            n = min(left, size - filled)
            current.append((r, n))
            filled += n
            left -= n
            if filled == size:
                out.append(current)
                current, filled = [], 0
    return out
