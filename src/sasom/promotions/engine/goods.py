"""Free and purchase-with-purchase goods (DOMAIN.md 10).

A promotion that gives ``quantity`` units of a SKU at ``price`` each (0 = free) first looks in the
basket: units of that SKU still free there are the gift, discounted on their own line down to
``price`` (the member has already picked them up); a unit that already costs no more than
``price`` is not taken as the gift. What the basket does not hold is a
:class:`Gift`: the checkout adds it as a line at its list price (``Context.gift_prices``) with the
discount that brings it to ``price`` (never a price-0 line). A gift SKU whose list price is not
known is skipped, and the explanation says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sasom.promotions.engine.takes import Takes
from sasom.promotions.engine.types import ZERO, Context, Gift, Line, Pool
from sasom.promotions.engine.units import Basket, unit_value


@dataclass(frozen=True, slots=True)
class GiftNote:
    """What :func:`give` did (the kinds say it in words: ``kinds._goods.gift_note``)."""

    sku: str
    in_basket: int  # units of the basket taken as the gift
    left: int  # units not in the basket: a gift line, or skipped when its price is not known
    known: bool  # the list price of ``sku`` is known (``Context.gift_prices``)


def give(pool: Pool, ctx: Context, takes: Takes, sku: str, quantity: int, price: Decimal) -> tuple[Gift | None, GiftNote]:
    """Give ``quantity`` units of ``sku`` at ``price``: in the basket first (into ``takes``), the
    rest as a gift. Returns the gift (or None) and what was done."""
    left = quantity
    if isinstance(pool, Basket):
        mine: Sequence[Line] = pool.by_sku.get(sku, ())  # the lines of ``sku``, in line order
    else:
        mine = sorted((ln for ln in pool.lines if ln.sku == sku), key=lambda ln: ln.index)
    for line in mine:
        if left <= 0:
            break
        free = int(pool.free.get(line.index, ZERO) - takes.units.get(line.index, ZERO))
        n = min(free, left)
        if n <= 0:
            continue
        value = unit_value(pool, line)
        if value <= price:  # already as cheap as the offer: not the gift, the gift comes on its own line
            continue
        takes.add(line.index, n, (value - price) * n)
        left -= n
    in_basket = quantity - left
    list_price = ctx.gift_prices.get(sku)
    note = GiftNote(sku, in_basket, max(left, 0), list_price is not None)
    if left <= 0 or list_price is None:
        return None, note
    return Gift(sku, Decimal(left), min(price, list_price), list_price), note
