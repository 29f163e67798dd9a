"""Best for the customer: the order of the non-stacking promotions that gives the most.

Promotions that can touch no line in common are independent: they are partitioned first
(union-find over the lines each can touch, gifts included) and each group is searched alone.
A group of up to ``EXHAUSTIVE`` promotions is searched exhaustively (depth first over the orders,
a promotion that does not apply is dropped from the rest of that branch: fewer units never make
it apply), with branch and bound: a branch stops when what it has plus the most the promotions
left could still give (``ceiling``) cannot beat the best order found. A larger group is ordered
greedily (the promotion worth most on the units left, again and again), or the priority order
itself when that is worth more (the greedy skips a trial whose bound cannot win its round, and
the priority order stops once its bound cannot beat the greedy's choice: ``_greedy``,
``_in_order``). Worth = the discount given, plus for a choice not yet made its
best option. Ties go to the priority order, so "best" is never worse than "priority" for the
customer.

Every trial goes through :class:`Trials`: a promotion's result depends only on the lines it reads
(its items and its gifts), so a trial on the same units and amounts of those lines is answered
from the cache, whichever branch asks (the orders of promotions over different lines meet the
same states again and again). The search hands the resolver the results of the order it chose
(:class:`Plan`), so the chosen order is not run a second time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from operator import attrgetter, itemgetter
from typing import cast

from sasom.promotions.engine.trials import (  # noqa: F401  (the search's names, as before)
    Plan,
    Runner,
    Trials,
    advance,
    touched_lines,
    worth,
)
from sasom.promotions.engine.types import ZERO, Applied, Context, Pool, Promotion
from sasom.promotions.engine.units import Basket

EXHAUSTIVE = 6


# (priority, code, id): the priority order (a key made in C, not a call a promotion)
order_key: Callable[[Promotion], tuple[int, str, int]] = attrgetter("priority", "code", "id")


def partition(promotions: Sequence[Promotion], pool: Pool,
              touched: dict[int, frozenset[int]] | None = None) -> list[list[Promotion]]:
    """The promotions in groups that share no line (each group in priority order, the groups in
    the priority order of their first): each promotion in turn joins the groups whose lines it
    touches, merging them (set operations on whole groups, not a union-find step a line)."""
    touched = touched if touched is not None else touched_lines(promotions, pool)
    widest = max((touched[id(p)] for p in promotions), key=len, default=frozenset())
    if promotions and all(touched[id(p)] and touched[id(p)] <= widest for p in promotions):
        return [list(promotions)]  # one touches every line the others touch (a bill-wide promotion): one group
    groups: list[tuple[set[int], list[int]]] = []  # (the lines, the positions of the members)
    for i, promotion in enumerate(promotions):
        lines = touched[id(promotion)]
        joined: tuple[set[int], list[int]] | None = None
        kept = []
        for group in groups:
            if group[0].isdisjoint(lines):
                kept.append(group)
            elif joined is None:
                joined = group
                group[0].update(lines)
                group[1].append(i)
            else:
                joined[0].update(group[0])
                joined[1].extend(group[1])
        if joined is None:
            kept.append((set(lines), [i]))
        else:
            kept.append(joined)
        groups = kept
    ordered = sorted((sorted(positions) for _, positions in groups), key=itemgetter(0))
    return sorted(([promotions[k] for k in positions] for positions in ordered), key=lambda g: order_key(g[0]))


def exhaustive(group: Sequence[Promotion], pool: Pool, ctx: Context, run: Runner, *,
               trials: Trials | None = None, prune: bool = True) -> Plan:
    """Every order of ``group``, depth first in priority order (so the first order met is the
    priority order, and among orders worth the same the first met wins). With ``prune`` a branch
    whose value plus the ceiling of the promotions still able cannot beat the best found is not
    walked: it could at most tie, and a tie met later never replaces the best."""
    trials = trials if trials is not None else Trials(group, pool, ctx, run)
    best = Plan(value=Decimal(-1))

    def walk(state: Pool, rest: list[Promotion], plan: Plan) -> None:
        nonlocal best
        if prune and rest and best.value >= 0:
            ceiling = trials.ceiling(rest, state)
            if ceiling is not None and plan.value + ceiling <= best.value:
                return
        able = []
        for promotion in rest:
            applied, gain = trials.result(promotion, state)
            if applied is not None:
                able.append((promotion, applied, gain))
        if not able:
            if plan.value > best.value:
                best = plan
            return
        still = [p for p, _, _ in able]
        for promotion, applied, gain in able:
            walk(advance(state, applied), [p for p in still if p is not promotion],
                 Plan([*plan.order, promotion], {**plan.known, id(promotion): applied}, plan.value + gain))

    walk(pool, list(group), Plan())
    return best


def in_order(order: Sequence[Promotion], pool: Pool, trials: Trials) -> Plan:
    """The promotions run in ``order``, each on what the ones before it left."""
    found = _in_order(order, pool, trials, None)
    assert found is not None
    return found


def _in_order(order: Sequence[Promotion], pool: Pool, trials: Trials,
              beat: tuple[Decimal, list[Decimal | None]] | None) -> Plan | None:
    """:func:`in_order`; with ``beat`` (a value and a bound on each promotion's worth on any state
    the order reaches), None as soon as what the order has plus the bounds of the promotions
    still to run is no more than the value: the order cannot be worth more."""
    state = pool
    plan = Plan()
    # the bounds are known from the position after the last unknown one on (found once: a
    # ``None in`` over ``Decimal`` values asks the numbers ABCs at each comparison)
    known_from = 1 + max((k for k, b in enumerate(beat[1]) if b is None), default=-1) if beat is not None else 0
    for position, promotion in enumerate(order):
        if beat is not None and position >= known_from:
            rest = beat[1][position:]
            if plan.value + sum(cast(list[Decimal], rest), ZERO) <= beat[0]:
                return None
        applied, gain = trials.result(promotion, state)
        if applied is not None:
            plan.order.append(promotion)
            plan.known[id(promotion)] = applied
            plan.value += gain
            # a copy of the search's first state once, then changed in place (as the greedy's)
            state = advance(state, applied) if state is pool else _advanced(state, applied)
    return plan


def value_of(order: Sequence[Promotion], pool: Pool, ctx: Context, run: Runner) -> Decimal:
    return in_order(order, pool, Trials(order, pool, ctx, run)).value


def greedy(group: Sequence[Promotion], pool: Pool, ctx: Context, run: Runner, *,
           trials: Trials | None = None, lazy: bool = True) -> Plan:
    """The greedy order, or the priority order when that is worth more (greedy can lose).
    ``lazy=False`` tries every promotion whose lines changed again each round, with no bound
    and no early stop (the same choice, more rule runs: the tests compare the two)."""
    trials = trials if trials is not None else Trials(group, pool, ctx, run)
    fresh: dict[int, Decimal | None] = {}
    chosen = _greedy(group, pool, trials, lazy=lazy, fresh=fresh)
    beat = (chosen.value, [fresh.get(id(p)) for p in group]) if lazy else None
    priority = _in_order(group, pool, trials, beat)
    return chosen if priority is None or chosen.value >= priority.value else priority


def _greedy(group: Sequence[Promotion], pool: Pool, trials: Trials, *, lazy: bool = True,
            fresh: dict[int, Decimal | None] | None = None) -> Plan:
    """Again and again, the promotion worth most on the units left (a promotion whose lines did
    not change is answered by the trials' cache). A promotion with a bound on its worth is not
    tried while the bound is below the best trial of the round: it cannot be the one chosen (ties
    go to the earlier in priority order, so an earlier one is tried at an equal bound). Bounds:
    with ``lazy``, a rule that can say cheaply how much it is worth at most
    (``rule.worth_at_most``: the bill-wide discount 4e, the goods kinds 2a-2d, 3a-3d, 4a-4d), taken
    again only when it no longer rules the promotion out (units and amounts only go down as the
    order grows, so a bound taken in an earlier round still holds; not twice in one round); and a rule
    whose worth only shrinks as units are taken (``rule.shrinks``, no per-bill limit): its worth
    in the round it was last tried, plus one minor unit a line it reads (the rounding of each
    line may move by less than that either way). Both are exact: a promotion passed over could
    not have been chosen.

    ``fresh`` (id -> bound) receives a bound on each promotion's worth on any state made from
    ``pool`` by taking units, for the priority order it is compared with: its ``worth_at_most``
    on ``pool``, or for a shrinking rule its worth on ``pool`` (the first round tries it there)
    plus the rounding's slack; None: unknown."""
    state = pool
    rest = list(group)
    plan = Plan()
    bounds: dict[int, Decimal | None] = {}
    known: dict[int, tuple[Applied | None, Decimal]] = {}  # this round's trials, kept while their lines do not change
    was: dict[int, Decimal] = {}  # a shrinking promotion's worth when last tried, plus the rounding's slack
    shrinking = {id(p) for p in group if lazy and p.conditions.per_bill_limit is None and _shrinks(p)}
    ulp = Decimal(1).scaleb(-pool.places)
    read, result, ctx = trials.read, trials.result, trials.ctx

    def tried(promotion: Promotion, pid: int) -> tuple[Applied | None, Decimal]:
        """A trial on this round's state (not known yet)."""
        found = known[pid] = result(promotion, state)
        if pid in shrinking:
            was[pid] = found[1] + ulp * len(read[pid])
            if fresh is not None and state is pool and fresh.get(pid) is None:
                fresh[pid] = was[pid]  # (tried on the search's pool: the first round)
        return found

    taken_in: dict[int, int] = {}  # the round each bound was taken in (not taken twice on one state)
    counted = frozenset().union(*(trials.counted[id(p)] for p in group))
    rounds = 0
    while rest:
        rounds += 1
        if lazy and rounds > 1:  # no unit left on any line the group counts (a bill-wide promotion
            free = state.free  # took them all): no trial could apply (``Trials.result``), the order is complete
            for i in counted:
                if free.get(i, ZERO) > ZERO:
                    break
            else:
                break
        top: tuple[int, Promotion, Applied, Decimal] | None = None
        able: list[tuple[int, Promotion]] = []
        later: list[tuple[int, Promotion, Decimal, bool]] = []
        for position, promotion in enumerate(rest):
            pid = id(promotion)
            if pid in bounds:
                bound = bounds[pid]
            else:
                bound = bounds[pid] = _worth_at_most(promotion, state, ctx) if lazy else None
                taken_in[pid] = rounds
                if fresh is not None and state is pool:  # the first round: on the search's pool
                    fresh[pid] = bound
            if bound is not None:
                later.append((position, promotion, bound, True))
                continue
            found = known.get(pid)
            if found is None:
                if pid in was:  # its lines changed since it was tried
                    later.append((position, promotion, was[pid], False))
                    continue
                found = tried(promotion, pid)
            applied, gain = found
            if applied is None:
                continue
            able.append((position, promotion))
            if top is None or gain > top[3]:
                top = (position, promotion, applied, gain)
        if len(later) > 1:
            later.sort(key=_later_order)
        for position, promotion, bound, cheap in later:
            pid = id(promotion)
            if cheap and taken_in[pid] != rounds and not _beaten(bound, position, top):
                bound = bounds[pid] = _worth_at_most(promotion, state, ctx)
                taken_in[pid] = rounds
            if bound is not None and _beaten(bound, position, top):
                able.append((position, promotion))  # not tried this round; still in the race
                continue
            found = known.get(pid)
            applied, gain = found if found is not None else tried(promotion, pid)
            if applied is None:
                continue
            able.append((position, promotion))
            if top is None or gain > top[3] or (gain == top[3] and position < top[0]):
                top = (position, promotion, applied, gain)
        if top is None:
            break
        _, promotion, applied, gain = top
        plan.order.append(promotion)
        plan.known[id(promotion)] = applied
        plan.value += gain
        # the next state: a copy of the search's first state once, then changed in place (no
        # earlier state of the greedy is read again); a trial whose lines the chosen promotion
        # did not take from is answered as before (the trials' key would not change either)
        state = advance(state, applied) if state is pool else _advanced(state, applied)
        lines = trials.lines_taken(applied)
        able.sort(key=_position)
        rest = [p for _, p in able if p is not promotion]
        for p in rest:
            if not lines.isdisjoint(read[id(p)]):
                known.pop(id(p), None)
    return plan


_position = itemgetter(0)


def _later_order(entry: tuple[int, Promotion, Decimal, bool]) -> tuple[Decimal, int]:
    return (-entry[2], entry[0])


def _shrinks(promotion: Promotion) -> bool:
    shrinks = getattr(promotion.rule, "shrinks", None)
    return bool(shrinks()) if callable(shrinks) else False


def _advanced(state: Pool, applied: Applied) -> Pool:
    """:func:`advance` on ``state`` itself (a state of the search no one reads again)."""
    free, net = state.free, state.net
    for t in applied.takes:
        free[t.index] -= t.units
        net[t.index] -= t.discount
    if isinstance(state, Basket):
        state.trail = (*state.trail, applied)
    return state


def _beaten(bound: Decimal, position: int, top: tuple[int, Promotion, Applied, Decimal] | None) -> bool:
    return top is not None and (bound < top[3] or (bound == top[3] and position > top[0]))


def _worth_at_most(promotion: Promotion, state: Pool, ctx: Context) -> Decimal | None:
    bound = getattr(promotion.rule, "worth_at_most", None)
    return bound(state, ctx) if callable(bound) else None


def search(promotions: Sequence[Promotion], pool: Pool, ctx: Context, run: Runner, *,
           prune: bool = True, lazy: bool = True) -> Plan:
    """The non-stacking ``promotions`` (in priority order) in the order best for the customer,
    with the results of the searched groups (a promotion alone in its group is left to run)."""
    touched = touched_lines(promotions, pool)
    trials = Trials(promotions, pool, ctx, run, touched)
    plan = Plan()
    for group in partition(promotions, pool, touched):
        if len(group) == 1:
            plan.order += group
            continue
        if len(group) <= EXHAUSTIVE:
            found = exhaustive(group, pool, ctx, run, trials=trials, prune=prune)
        else:
            found = greedy(group, pool, ctx, run, trials=trials, lazy=lazy)
        plan.order += found.order
        plan.known.update(found.known)
        plan.value += found.value
    return plan
