"""Best for the customer: the order of the non-stacking promotions that gives the most.

Promotions that can touch no line in common are independent: they are partitioned first
(union-find over the lines each can touch, gifts included) and each group is searched alone.
A group of up to ``EXHAUSTIVE`` promotions is searched exhaustively (depth first over the orders,
a promotion that does not apply is dropped from the rest of that branch: fewer units never make
it apply); a larger group is ordered greedily (the promotion worth most on the units left, again
and again), or the priority order itself when that is worth more. Worth = the discount given,
plus for a choice not yet made its best option. Ties go to the priority order, so "best" is never
worse than "priority" for the customer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

from sasom.promotions.engine.types import ZERO, Applied, Context, Line, Pool, Promotion
from sasom.promotions.engine.units import Basket

EXHAUSTIVE = 6

Runner = Callable[[Promotion, Pool, Context], Applied | None]


def order_key(promotion: Promotion) -> tuple[int, str, int]:
    return (promotion.priority, promotion.code, promotion.id)


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


def partition(promotions: Sequence[Promotion], pool: Pool,
              touched: dict[int, frozenset[int]] | None = None) -> list[list[Promotion]]:
    """The promotions in groups that share no line (each group in priority order)."""
    touched = touched if touched is not None else touched_lines(promotions, pool)
    parent = list(range(len(promotions)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_on: dict[int, int] = {}
    for i, promotion in enumerate(promotions):
        for index in touched[id(promotion)]:
            j = first_on.setdefault(index, i)
            if j != i:
                a, b = root(i), root(j)
                if a != b:
                    parent[a] = b
    groups: dict[int, list[Promotion]] = {}
    for i, promotion in enumerate(promotions):
        groups.setdefault(root(i), []).append(promotion)
    return sorted(groups.values(), key=lambda g: order_key(g[0]))


def _copy(pool: Pool) -> Pool:
    if isinstance(pool, Basket):
        return pool.copy()
    return Pool(pool.lines, dict(pool.free), dict(pool.net))


def exhaustive(group: Sequence[Promotion], pool: Pool, ctx: Context, run: Runner) -> list[Promotion]:
    best: tuple[Decimal, list[Promotion]] = (Decimal(-1), [])

    def walk(state: Pool, rest: list[Promotion], order: list[Promotion], value: Decimal) -> None:
        nonlocal best
        able = []
        for promotion in rest:
            trial = _copy(state)
            applied = run(promotion, trial, ctx)
            if applied is not None:
                able.append((promotion, trial, worth(applied, ctx)))
        if not able:
            if value > best[0]:
                best = (value, order)
            return
        still = [p for p, _, _ in able]
        for promotion, trial, gain in able:
            walk(trial, [p for p in still if p is not promotion], [*order, promotion], value + gain)

    walk(pool, list(group), [], ZERO)
    return best[1]


def value_of(order: Sequence[Promotion], pool: Pool, ctx: Context, run: Runner) -> Decimal:
    state = _copy(pool)
    total = ZERO
    for promotion in order:
        applied = run(promotion, state, ctx)
        if applied is not None:
            total += worth(applied, ctx)
    return total


def greedy(group: Sequence[Promotion], pool: Pool, ctx: Context, run: Runner,
           touched: dict[int, frozenset[int]] | None = None) -> list[Promotion]:
    """The greedy order, or the priority order when that is worth more (greedy can lose)."""
    order = _greedy(group, pool, ctx, run, touched if touched is not None else touched_lines(group, pool))
    if value_of(order, pool, ctx, run) >= value_of(group, pool, ctx, run):
        return order
    return list(group)


def _greedy(group: Sequence[Promotion], pool: Pool, ctx: Context, run: Runner,
            touched: dict[int, frozenset[int]]) -> list[Promotion]:
    """Again and again, the promotion worth most on the units left. A promotion's worth is
    computed again only when the one just chosen changed a line it can touch."""
    state = _copy(pool)
    rest = list(group)
    order: list[Promotion] = []
    known: dict[int, Decimal | None] = {}
    while rest:
        for promotion in rest:
            if id(promotion) not in known:
                applied = run(promotion, _copy(state), ctx)
                known[id(promotion)] = None if applied is None else worth(applied, ctx)
        able = [p for p in rest if known[id(p)] is not None]
        if not able:
            break
        top = able[0]
        for promotion in able[1:]:
            if (known[id(promotion)] or ZERO) > (known[id(top)] or ZERO):
                top = promotion
        chosen = run(top, state, ctx)
        order.append(top)
        changed = {t.index for t in chosen.takes} if chosen is not None else set()
        rest = [p for p in able if p is not top]
        for promotion in rest:
            if touched[id(promotion)] & changed:
                del known[id(promotion)]
    return order


def search(promotions: Sequence[Promotion], pool: Pool, ctx: Context, run: Runner) -> list[Promotion]:
    """The non-stacking ``promotions`` (in priority order) in the order best for the customer."""
    touched = touched_lines(promotions, pool)
    order: list[Promotion] = []
    for group in partition(promotions, pool, touched):
        if len(group) == 1:
            order += group
        elif len(group) <= EXHAUSTIVE:
            order += exhaustive(group, pool, ctx, run)
        else:
            order += greedy(group, pool, ctx, run, touched)
    return order
