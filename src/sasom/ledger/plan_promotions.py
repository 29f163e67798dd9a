"""The POS promotions on a sale, as the posting plan reads them from the basket's pricing notes
(pure: ``checkout.promo`` writes the notes, ``ledger.plan`` stores the sums and the uses).

* Per line: the notes of kind ``promotion:<code>`` (:func:`line_promotions`).
* Per sale: the promotions' snapshot note (kind :data:`SNAPSHOT`, line 0, what a return reprices
  with) also carries the promotions' *uses* (:func:`promotion_uses`): one per promotion applied,
  with its times, discount and units. Every writer persists them with the sale: one
  ``PromotionUse`` row each and the promotion's ``uses`` count moved by one (the ORM and bulk
  writers through the hook the promotions app registers, ``ledger.services.promotion_uses``; the
  PostgreSQL function itself, which also checks budgets and per-member limits under the
  promotions' row locks and refuses a sale whose promotion ran out).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal

from sasom.core.money import money

PROMOTION_NOTE = "promotion:"  # a pricing note's kind for a POS promotion: "promotion:<code>"
SNAPSHOT = "promotions_snapshot"  # the bill-level pricing note of the promotions as they were (not shown)


@dataclass(frozen=True, slots=True)
class PromotionTake:
    """A promotion applied on the sale: the ``PromotionUse`` row a writer stores (but for the
    sale's id, member and time, which are the sale's)."""

    promotion_id: int
    times: int
    discount: Decimal
    units: Decimal


def line_promotions(pricing: tuple[tuple[int, str, str, str], ...]) -> dict[int, tuple[Decimal, str]]:
    """Line number -> (the promotions' discount on it, their codes space-separated), from the
    basket's pricing notes of kind ``promotion:<code>`` (``checkout.promo`` writes them)."""
    out: dict[int, tuple[Decimal, str]] = {}
    for line_no, kind, amount, _reason in pricing:
        if not line_no or not kind.startswith(PROMOTION_NOTE):
            continue
        code = kind[len(PROMOTION_NOTE):]
        total, codes = out.get(line_no, (Decimal("0"), ""))
        joined = codes if code in codes.split() else f"{codes} {code}".strip()
        out[line_no] = (total + money(Decimal(amount or "0")), joined)
    return out


def promotion_uses(pricing: tuple[tuple[int, str, str, str], ...]) -> tuple[PromotionTake, ...]:
    """The promotions' uses in the snapshot note, in promotion id order (the order the writers
    lock and count them in); none without a snapshot."""
    for row in pricing:
        if len(row) == 4 and row[1] == SNAPSHOT:
            data = json.loads(row[3])
            uses = data.get("uses", []) if isinstance(data, dict) else []
            return tuple(sorted(
                (PromotionTake(promotion_id=int(pk), times=int(times), discount=money(Decimal(discount)),
                               units=Decimal(units)) for pk, times, discount, units in uses),
                key=lambda t: t.promotion_id))
    return ()
