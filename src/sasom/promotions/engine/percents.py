"""A percent off every counted unit in one pass (``group_percent``, ``value_discount``: the
promotions that touch every line of a basket), each line's take kept for the call."""

from __future__ import annotations

from decimal import Decimal

from sasom.promotions.engine.rounding import rounded
from sasom.promotions.engine.takes import HUNDRED, Takes
from sasom.promotions.engine.types import ZERO, ItemSet, Pool, Take, take
from sasom.promotions.engine.units import Basket, runs


def percent_takes(pool: Pool, items: ItemSet, percent: Decimal, *, whole_units: bool) -> tuple[Take, ...]:
    """``Takes.percent_off(runs(pool, items), percent, whole_units=...)`` then ``build(pool.net)``,
    in one pass and with the same arithmetic. A line's take depends only on its own free units and
    amounts, so on the resolver's pool it is kept for the call: a line that a later trial did not
    change is not priced again (the bill-wide percent, tried in several states by the search).

    A line's discount is ``n * value * share`` with ``share = percent / 100``: the same number as
    ``n * value * percent / 100`` (the product rounded to the context's digits, then divided
    exactly), one division a call rather than one a line. Rounding to significant digits does
    not depend on the exponent, so ``(x * p) / 100`` and ``x * (p / 100)`` round alike whenever
    ``p / 100`` is exact (a percent of at most the context's digits; a longer one takes the
    three steps): ``test_a_percent_as_a_hundredth_prices_as_the_percent_divided``."""
    share = percent / HUNDRED
    if not isinstance(pool, Basket) or share * HUNDRED != percent:  # (a percent of more digits than the context's: rare)
        takes = Takes(pool.places)
        takes.percent_off(runs(pool, items), percent, whole_units=whole_units)
        return takes.build(pool.net)
    own, free_of, net_of, places = pool.own, pool.free, pool.net, pool.places
    out: list[Take] = []
    if pool.once:  # a stacking promotion's view, run once a call: no line of it is priced again
        wholes = pool.call.wholes
        append = out.append
        for line in pool.lines_in_order(items):  # each line: ``runs``' unit value, ``percent_off``'s discount, ``build``'s rounding and cap
            i = line.index
            free = free_of.get(i, ZERO)
            if free <= ZERO:
                continue
            value, net = own[i], net_of.get(i, ZERO)
            if net < value * free:
                value = net / free if net > ZERO else ZERO
            if whole_units:
                n = wholes.get(free)
                if n is None:
                    n = wholes[free] = Decimal(int(free))
                if not n:
                    continue
            else:
                n = free
            d = rounded(n * value * share, places)
            if d < ZERO:
                d = ZERO
            elif d > net:
                d = net if net > ZERO else ZERO
            append(take(i, n, d))
        return tuple(out)
    # each line's last take at this percent, with the very units and amount it was priced on: a
    # line whose units and amount are the same objects (a trial puts back what it took, and the
    # greedy's later states change only what they take) is not priced again
    known = pool.call.percents.get((percent, whole_units, places))
    if known is None:
        known = pool.call.percents[(percent, whole_units, places)] = {}
    wholes = pool.call.wholes
    for line in pool.lines_in_order(items):
        i = line.index
        free = free_of.get(i, ZERO)
        if free <= ZERO:
            continue
        net = net_of.get(i, ZERO)
        last = known.get(i)
        if last is not None and last[0] is free and last[1] is net:
            priced = last[2]
        else:  # (as above)
            priced = None
            value = own[i]
            if net < value * free:
                value = net / free if net > ZERO else ZERO
            if whole_units:
                n = wholes.get(free)
                if n is None:
                    n = wholes[free] = Decimal(int(free))
            else:
                n = free
            if n:
                d = rounded(n * value * share, places)
                if d < ZERO:
                    d = ZERO
                elif d > net:
                    d = net if net > ZERO else ZERO
                priced = take(i, n, d)
            known[i] = (free, net, priced)
        if priced is not None:
            out.append(priced)
    return tuple(out)
