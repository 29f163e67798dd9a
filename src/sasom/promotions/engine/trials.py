"""The best-for-customer search's trials (``search.py``): a promotion's result on a state of the
basket, kept for the call; a state made from another by an application (``advance``); the plan
a search chooses (``Plan``).

Every trial goes through :class:`Trials`: a promotion's result depends only on the lines it reads
(its items and its gifts), so a trial on the same units and amounts of those lines is answered
from the cache, whichever branch asks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from operator import attrgetter
from typing import cast

from sasom.promotions.engine.types import ZERO, Applied, Context, Line, Pool, Promotion
from sasom.promotions.engine.units import Basket

Runner = Callable[[Promotion, Pool, Context], Applied | None]
_index = attrgetter("index")


def worth(applied: Applied, ctx: Context) -> Decimal:
    value = applied.discount
    choice = applied.choice
    if choice is not None:
        best = max((ctx.gift_prices.get(sku, ZERO) - choice.unit_price for sku in choice.options), default=ZERO)
        value += max(best, ZERO) * choice.quantity
    return value


def _touches(promotion: Promotion, line: Line) -> bool:
    touches = getattr(promotion.rule, "touches", None)
    if callable(touches):
        return bool(touches(line))
    return promotion.rule.items().matches(line)


def touched_lines(promotions: Sequence[Promotion], pool: Pool) -> dict[int, frozenset[int]]:
    """id(promotion) -> the indexes of the lines it can touch (its items and its gifts)."""
    out = {}
    for p in promotions:
        touched = getattr(p.rule, "touched", None)
        if callable(touched):
            out[id(p)] = frozenset(touched(pool))
        else:
            out[id(p)] = frozenset(ln.index for ln in pool.lines if _touches(p, ln))
    return out


def _copy(pool: Pool) -> Pool:
    if isinstance(pool, Basket):
        return pool.copy()
    return Pool(pool.lines, dict(pool.free), dict(pool.net))


def advance(pool: Pool, applied: Applied) -> Pool:
    """A copy of ``pool`` after a non-stacking promotion took what ``applied`` says (the takes
    are already within what the pool allowed, so this is what running it again would do)."""
    state = _copy(pool)
    free, net = state.free, state.net
    for t in applied.takes:
        free[t.index] -= t.units
        net[t.index] -= t.discount
    if isinstance(pool, Basket) and isinstance(state, Basket):
        state.trail = (*pool.trail, applied) if pool.trail else (pool, applied)  # (the first state, applications)
    return state


class Trials:
    """``run`` with its answers kept for the call: a promotion's result is a function of the free
    units and the amounts of the lines it reads (its touched lines and the lines its items
    match), so the same state of those lines gives the cached answer."""

    __slots__ = ("base", "cache", "changed", "counted", "ctx", "read", "reads", "run", "touched")

    def __init__(self, promotions: Sequence[Promotion], pool: Pool, ctx: Context, run: Runner,
                 touched: dict[int, frozenset[int]] | None = None) -> None:
        self.base = pool  # the search's first state: the states made from it by ``advance`` carry it
        self.run = run
        self.ctx = ctx
        self.touched = touched if touched is not None else touched_lines(promotions, pool)
        self.reads: dict[int, tuple[int, ...]] = {}
        self.read: dict[int, frozenset[int]] = {}
        self.counted: dict[int, tuple[int, ...]] = {}
        self.changed: dict[int, frozenset[int]] = {}  # id(Applied) -> the lines it took from
        for p in promotions:
            items = p.rule.items()
            matched = pool.lines_of(items) if isinstance(pool, Basket) else [
                ln for ln in pool.lines if items.matches(ln)]
            counted = self.counted[id(p)] = tuple(map(_index, matched))
            mine = self.touched[id(p)]
            self.read[id(p)] = mine if mine.issuperset(counted) else mine.union(counted)
        self.cache: dict[tuple[object, ...], tuple[Applied | None, Decimal]] = {}

    def key(self, promotion: Promotion, state: Pool) -> tuple[object, ...]:
        """The state of the lines ``promotion`` reads. On the search's own states (made from the
        call's pool by :func:`advance`), the applications on the way that took from those lines
        name it: the same applications (the cache returns the same ``Applied``) leave the same
        units and amounts, whatever their order. On any other pool, the units and amounts."""
        trail = state.trail if isinstance(state, Basket) else ()
        if state is self.base or (trail and trail[0] is self.base):
            read, changed = self.read[id(promotion)], self.changed
            names = []
            for applied in trail[1:]:
                lines = changed.get(id(applied))
                if lines is None:
                    lines = self.lines_taken(cast(Applied, applied))
                if not read.isdisjoint(lines):
                    names.append(id(applied))
            return (id(promotion), frozenset(names))
        reads = self.reads.get(id(promotion))
        if reads is None:  # (sorted once, on the first state not of the search's own)
            reads = self.reads[id(promotion)] = tuple(sorted(self.read[id(promotion)]))
        free, net = state.free, state.net
        return (id(promotion), None, *[(free.get(i), net.get(i)) for i in reads])

    def lines_taken(self, applied: Applied) -> frozenset[int]:
        """The lines ``applied`` took from (kept for the call, by the application's identity)."""
        lines = self.changed.get(id(applied))
        if lines is None:
            lines = self.changed[id(applied)] = frozenset(t.index for t in applied.takes)
        return lines

    def result(self, promotion: Promotion, state: Pool) -> tuple[Applied | None, Decimal]:
        """What ``promotion`` does on ``state`` (not changed) and its worth. A (non-stacking)
        promotion none of whose counted lines has a unit left does not apply: every kind counts
        only free units (``test_no_kind_applies_without_a_free_unit_it_counts``)."""
        trail = state.trail if isinstance(state, Basket) else ()
        if len(trail) > 1 and trail[0] is self.base:  # :meth:`key` on a state of the search's own, inlined
            read, changed = self.read[id(promotion)], self.changed
            names = []
            for applied in trail[1:]:
                lines = changed.get(id(applied))
                if lines is None:
                    lines = self.lines_taken(cast(Applied, applied))
                if not read.isdisjoint(lines):
                    names.append(id(applied))
            key: tuple[object, ...] = (id(promotion), frozenset(names))
        else:
            key = self.key(promotion, state)
        found = self.cache.get(key)
        if found is None:
            free = state.free
            for i in self.counted[id(promotion)]:  # (a loop, not ``any`` over a generator)
                if free.get(i, ZERO) > ZERO:
                    break
            else:
                found = (None, ZERO)
            if found is None:
                applied = self._run(promotion, state)
                found = (applied, ZERO if applied is None else worth(applied, self.ctx))
            self.cache[key] = found
        return found

    def _run(self, promotion: Promotion, state: Pool) -> Applied | None:
        """``run`` on ``state``, left as it was: a (non-stacking) run on the resolver's pool
        takes from the state itself and the lines it took from are put back (their very units and
        amounts: ``Basket.undo``), rather than the run taking from a copy of every line."""
        if promotion.stacks or not isinstance(state, Basket) or state.undo is not None:
            return self.run(promotion, _copy(state), self.ctx)
        log: list[tuple[int, Decimal | None, Decimal | None]] = []
        state.undo = log
        try:
            return self.run(promotion, state, self.ctx)
        finally:
            state.undo = None
            free, net = state.free, state.net
            for index, units, amount in reversed(log):
                if units is None:
                    free.pop(index, None)
                else:
                    free[index] = units
                if amount is None:
                    net.pop(index, None)
                else:
                    net[index] = amount

    def ceiling(self, promotions: Sequence[Promotion], state: Pool) -> Decimal | None:
        """The most ``promotions`` could still give together from ``state``, whatever their order:
        what the lines they touch with free units still cost (a rule discounts only units it
        takes, and a discount never takes a line below zero) plus
        what each could add as goods outside the basket (``rule.ceiling``). None: unknown."""
        lines: set[int] = set()
        extra = ZERO
        for p in promotions:
            bound = getattr(p.rule, "ceiling", None)
            if not callable(bound):
                return None
            more = bound(state, self.ctx)
            if more is None:
                return None
            extra += more
            lines.update(self.touched[id(p)])
        free, net = state.free, state.net
        return extra + sum((max(net.get(i, ZERO), ZERO) for i in lines if free.get(i, ZERO) > 0), ZERO)


@dataclass
class Plan:
    """The order chosen and the result of each of its promotions on the way (id -> Applied)."""

    order: list[Promotion] = field(default_factory=list)
    known: dict[int, Applied] = field(default_factory=dict)
    value: Decimal = ZERO
