"""The resolver: which promotions a basket gets, and on which units.

1. The index finds the promotions the basket's lines can touch; their conditions are checked
   (``conditions.py``); a promotion none of whose items is in the basket is dropped.
2. Units: each unit of a line serves at most one promotion unless that promotion ``stacks``.
   Non-stacking promotions run first, in ``priority`` mode by priority then code (each takes
   what it can of the units left), in ``best`` mode in the order that gives the customer the
   most (``search.py``). Stacking promotions run after them, in priority order, on every unit
   and on what each line still costs.
3. Choices: a rule offering a choice (of gift or of PWP item) returns a :class:`Choice`; when
   ``Context.choices[code]`` names one of its options, the chosen SKU is given (``goods.give``:
   in the basket first, else a :class:`Gift`) and the choice is gone; otherwise the result
   carries the Choice and no gift.
4. Hints: every promotion whose conditions are met may say how far the basket is from its next
   step, seen with its own units given back.

The same inputs give the same result whatever the order of the lines (lines are taken by their
index; rules sort units by SKU then line).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from operator import attrgetter

from sasom.core.currency import amounts_in
from sasom.promotions.engine.conditions import conditions_met
from sasom.promotions.engine.goods import give
from sasom.promotions.engine.index import candidates
from sasom.promotions.engine.kinds._goods import chosen_text
from sasom.promotions.engine.search import order_key, search
from sasom.promotions.engine.takes import Takes
from sasom.promotions.engine.types import (
    MODE_BEST,
    ZERO,
    Applied,
    Context,
    Hint,
    Line,
    Pool,
    Promotion,
    PromotionSet,
    Result,
    Take,
    make_applied,
    take,
)
from sasom.promotions.engine.units import Basket, Call

_by_index = attrgetter("index")


def fresh_pool(lines: Sequence[Line]) -> Basket:
    """The basket before any promotion: every unit free, every line at its own amount (one pass:
    ``max(quantity, 0)``, ``max(amount, 0)`` and ``units.own_value``)."""
    ordered = tuple(sorted(lines, key=_by_index))
    free: dict[int, Decimal] = {}
    net: dict[int, Decimal] = {}
    own: dict[int, Decimal] = {}
    for ln in ordered:
        i, quantity = ln.index, ln.quantity
        amount = quantity * ln.unit_price - ln.discount
        free[i] = ZERO if ZERO > quantity else quantity
        net[i] = ZERO if ZERO > amount else amount
        if quantity <= ZERO:
            own[i] = ZERO
        else:
            value = amount / quantity
            own[i] = value if value > ZERO else ZERO
    return Basket(ordered, free, net, Call(ordered, own))


def applicable(pset: PromotionSet, pool: Basket, ctx: Context) -> list[Promotion]:
    """The promotions the basket can touch whose conditions are met, in priority order."""
    out = []
    for position in candidates(pset, pool.lines):
        promotion = pset.promotions[position]
        if not conditions_met(promotion.conditions, ctx, promotion.id):
            continue
        if pool.lines_of(promotion.rule.items()):
            out.append(promotion)
    out.sort(key=order_key)
    return out


def run(promotion: Promotion, pool: Pool, ctx: Context) -> Applied | None:
    """Apply one promotion to ``pool`` (changed in place) and say what it did, or None."""
    stacks = promotion.stacks
    view = _every_unit(pool) if stacks else pool
    draft = promotion.rule.apply(view, ctx, promotion.conditions.per_bill_limit)
    if draft is None or draft.times <= 0:
        return None
    takes, ordered = _taken(view, draft.takes, consume=not stacks)
    gifts = draft.gifts
    explanation = draft.explanation
    choice = draft.choice
    if choice is not None:
        chosen = ctx.choices.get(promotion.code, "")
        if chosen in choice.options:
            extra = Takes(view.places)
            gift, note = give(view, ctx, extra, chosen, int(choice.quantity), choice.unit_price)
            takes += _taken(view, extra.build(view.net), consume=not stacks)[0]
            ordered = False  # (merged below if two takes fell on one line)
            gifts = (*gifts, gift) if gift is not None else tuple(gifts)
            explanation = chosen_text(explanation, chosen, note)
            choice = None
        else:
            choice = replace(choice, promotion=promotion.code)
    return make_applied(promotion.id, promotion.code, promotion.name, promotion.kind, draft.times,
                        tuple(takes) if ordered else _merged(takes), tuple(gifts), choice, explanation,
                        promotion.message, stacks)


def _replay(pool: Pool, applied: Applied) -> None:
    for t in applied.takes:
        pool.free[t.index] -= t.units
        pool.net[t.index] -= t.discount


def _every_unit(pool: Pool) -> Pool:
    """The view of a stacking promotion: every unit, on what each line still costs (no one takes
    a unit from it: the units are the call's own, made once)."""
    if isinstance(pool, Basket):
        call = pool.call
        every = call.every_unit
        if every is None:
            every = call.every_unit = {ln.index: ln.quantity for ln in pool.lines}
        view = Basket(pool.lines, every, pool.net, call)
        view.once = True
        return view
    return Pool(pool.lines, {ln.index: ln.quantity for ln in pool.lines}, pool.net)


def _taken(pool: Pool, takes: Sequence[Take], *, consume: bool) -> tuple[list[Take], bool]:
    """The takes as the pool allows them (units no more than are free, a discount never above
    what the line still costs), taken from the pool; and whether they are one a line in line
    order (the rules' usual answer: then they need no merging)."""
    out: list[Take] = []
    free_of, net_of = pool.free, pool.net
    undo = pool.undo if isinstance(pool, Basket) else None
    ordered, last = True, None
    for t in takes:
        i = t.index
        had_free, had_net = free_of.get(i), net_of.get(i)  # (None: no such line; kept for ``undo``)
        free = ZERO if had_free is None else had_free
        net = ZERO if had_net is None else had_net
        units, discount = t.units, t.discount
        if units > free or discount > net or discount < ZERO:
            units = min(units, free)
            discount = max(ZERO, min(discount, net))
            t = take(i, units, discount)
        if units <= ZERO and discount <= ZERO:
            continue
        if ordered and last is not None and i <= last:
            ordered = False
        last = i
        if undo is not None:
            undo.append((i, had_free, had_net))
        if consume:
            free_of[i] = free - units
        net_of[i] = net - discount
        out.append(t)
    return out, ordered


def _merged(takes: Sequence[Take]) -> tuple[Take, ...]:
    indexes = [t.index for t in takes]
    if indexes == sorted(set(indexes)):
        return tuple(takes)  # one take per line, in line order already (the usual case)
    by_line: dict[int, tuple[Decimal, Decimal]] = {}
    for t in takes:
        units, discount = by_line.get(t.index, (ZERO, ZERO))
        by_line[t.index] = (units + t.units, discount + t.discount)
    return tuple(Take(i, u, d) for i, (u, d) in sorted(by_line.items()))


def resolve(pset: PromotionSet, lines: Sequence[Line], ctx: Context, *, hints: bool = True) -> Result:
    """The promotions ``lines`` get in ``ctx``. ``hints=False`` (a commit, which shows none)
    skips the hints; everything else is the same. Texts the rules write name amounts with the
    lines' currency places (``Pool.places``)."""
    pool = fresh_pool(lines)
    with amounts_in(pool.places):
        return _resolve(pset, pool, ctx, hints=hints)


def _resolve(pset: PromotionSet, pool: Basket, ctx: Context, *, hints: bool) -> Result:
    promotions = applicable(pset, pool, ctx)
    plain = [p for p in promotions if not p.stacks]
    known: dict[int, Applied] = {}
    if pset.mode == MODE_BEST and len(plain) > 1:
        plan = search(plain, pool, ctx, run)
        plain, known = plan.order, plan.known
    applied: list[Applied] = []
    for promotion in plain + [p for p in promotions if p.stacks]:
        result = known.get(id(promotion))
        if result is not None:  # the search ran it on these very units: take what it took
            _replay(pool, result)
        else:
            result = run(promotion, pool, ctx)
        if result is not None:
            applied.append(result)
    return Result(applied=tuple(applied), hints=next_steps(promotions, applied, pool, ctx) if hints else ())


def next_steps(promotions: Sequence[Promotion], applied: Sequence[Applied], pool: Pool, ctx: Context) -> tuple[Hint, ...]:
    """Each promotion's hint, seen with the units it took itself given back (on ``pool`` itself,
    put back as it was after each hint, the very units and amounts, from one copy of the two
    dictionaries: no copy of the pool, nor a list of what each line had, per promotion). A
    stacking promotion is seen as it runs (:func:`run`): every unit of the basket, whoever took
    it, on what each line still costs, its own discount given back. The rule is told the per-bill
    limit, as ``apply`` is: one time more than the bill allows is no next step."""
    took = {a.promotion_id: a for a in applied}
    free, net = pool.free, pool.net
    had_free, had_net = dict(free), dict(net)
    out = []
    for promotion in promotions:
        mine = took.get(promotion.id)
        view = _every_unit(pool) if promotion.stacks else pool  # (shares ``net`` with ``pool``)
        limit = promotion.conditions.per_bill_limit
        if mine is None or not mine.takes or (mine.stacks and not _hint_reads_amounts(promotion)):
            found = promotion.rule.hint(view, ctx, limit)  # (a stacking promotion gives back amounts only)
        else:
            stacks, takes = mine.stacks, mine.takes
            try:
                for t in takes:
                    i = t.index
                    if not stacks:
                        free[i] += t.units
                    net[i] += t.discount
                found = promotion.rule.hint(view, ctx, limit)
            finally:
                if len(takes) > 8:  # (a stacking promotion gives back amounts only)
                    if not stacks:
                        free.update(had_free)
                    net.update(had_net)
                else:  # a few lines: those lines
                    for t in takes:
                        i = t.index
                        free[i], net[i] = had_free[i], had_net[i]
        if found is not None:
            out.append(Hint(promotion.code, promotion.name, found.missing_units, found.missing_amount, found.reward))
    return tuple(out)


def _hint_reads_amounts(promotion: Promotion) -> bool:
    reads = getattr(promotion.rule, "hint_reads_amounts", None)
    return bool(reads()) if callable(reads) else True
