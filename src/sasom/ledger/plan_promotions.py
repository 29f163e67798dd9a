"""The POS promotions on a sale's lines, as the posting plan reads them from the basket's pricing
notes (pure: ``checkout.promo`` writes the notes, ``ledger.plan.line_rows`` stores the sums)."""

from __future__ import annotations

from decimal import Decimal

from sasom.core.money import money

PROMOTION_NOTE = "promotion:"  # a pricing note's kind for a POS promotion: "promotion:<code>"


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
