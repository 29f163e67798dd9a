"""Returning part of a sale that got POS promotions (DOMAIN.md 10; docs/promotions.md, "At the
till"): the remainder is repriced with the promotions **as they were at the sale** — the
definitions stored on the sale by the commit (``checkout.promo.snapshot_note``), not today's —
and the ledger refunds the difference (``ledger.services.returns``).

The engine runs on what is kept of every line (gift lines included: a gift the remainder still
earns is found in the basket and stays free; one it no longer earns is charged at its list
price), with the sale's time and choices. The conditions (member, branch, dates, limits) held at
the sale and are not asked again; the per-bill limit is kept. A return's refund is what the sale
kept before less what the remainder costs now, never below zero: returning an item that unlocked a
free one takes the free one's value back.

The member and birthday discounts of the remainder are taken again on what it costs after its
promotions (with the member's terms stored with the sale), not kept as a share of the sale's: a
line that lost its promotion costs more, so its member discount grows with it (and a line left
out as "already discounted" may now have one); under the minimum bill it has none. A sale
committed before the terms were stored keeps the proportional share.

A promotion the remainder no longer gets gives its use back (``promotions.uses.uses_reverse``
for that promotion, under the same locks as a void): its per-member count and its budget count
the sale no more. A promotion the remainder still gets keeps its use (its discount on the use row
stays as at the sale: the refund is in the return), or counts it again when an earlier return gave
it back.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sasom.checkout.promo import snapshot_in
from sasom.core.currency import places_of
from sasom.core.money import money
from sasom.earning.selectors import ruleset_for
from sasom.ledger.models import Sale, SaleLine
from sasom.promotions.engine.index import promotion_set
from sasom.promotions.engine.kinds import KINDS
from sasom.promotions.engine.resolver import resolve
from sasom.promotions.engine.types import (
    Conditions,
    Context,
    ItemSet,
    Line,
    Promotion,
    PromotionSet,
)

ZERO = Decimal("0")


def snapshot_of(sale: Sale) -> dict[str, Any] | None:
    return snapshot_in(sale.explanation.get("pricing", []) if isinstance(sale.explanation, dict) else [])


def promotions_of(snapshot: dict[str, Any]) -> PromotionSet:
    """The snapshot's promotions compiled again (a kind the engine no longer knows is skipped)."""
    out = []
    for row in snapshot.get("promotions", []):
        kind = KINDS.get(row["kind"])
        if kind is None:
            continue
        items = ItemSet(skus=frozenset(row.get("item_skus") or ()), categories=frozenset(row.get("item_categories") or ()),
                        brands=frozenset(row.get("item_brands") or ()),
                        exclude_skus=frozenset(row.get("exclude_skus") or ()))
        out.append(Promotion(
            id=row["pk"], code=row["code"], name=row["name"], kind=row["kind"],
            rule=kind.build(kind.clean(row.get("params") or {}), items),
            conditions=Conditions(per_bill_limit=row.get("per_bill_limit")), priority=row.get("priority", 100),
            stacks=bool(row.get("stacks")), message=row.get("message") or "",
        ))
    return promotion_set(str(snapshot.get("mode", "best")), out)


class Repricer:
    """The ledger's ``reprice`` for one promoted sale. After a call, ``remaining`` holds the ids of
    the promotions the remainder still gets (the checkout gives back the uses of the others)."""

    def __init__(self, sale: Sale, snapshot: dict[str, Any]) -> None:
        self.sale = sale
        self.pset = promotions_of(snapshot)
        self.categories = {int(k): frozenset(v) for k, v in (snapshot.get("lines") or {}).items()}
        self.choices = {str(k): str(v) for k, v in (snapshot.get("choices") or {}).items()}
        self.member = snapshot.get("member") or None
        self.places = places_of(ruleset_for(sale.organization_id).currency)  # the currency's minor unit
        self.remaining: frozenset[int] | None = None

    def __call__(self, lines: list[SaleLine], returned: dict[int, Decimal]) -> dict[int, Decimal]:
        """Line number -> what the line's promotions change on the quantity kept: their discount on
        it, plus (when the sale's member terms are known) the member discount taken again on what
        the repriced remainder costs less the share the ledger keeps (``_member_change``)."""
        kept: list[Line] = []
        by_no = {ln.line_no: ln for ln in lines}
        for ln in lines:
            qty = ln.quantity - returned.get(ln.line_no, ZERO)
            if qty <= 0:
                continue
            share = qty / ln.quantity
            own = (ln.discount - ln.promotion_discount - ln.member_discount) * share  # the POS's own
            kept.append(Line(index=ln.line_no, sku=ln.sku, brand=ln.brand,
                             categories=self.categories.get(ln.line_no, frozenset({ln.category} - {""})),
                             quantity=qty, unit_price=ln.unit_price,
                             list_price=ln.list_price if ln.list_price is not None else ln.unit_price,
                             discount=max(ZERO, own), places=self.places))
        if not kept:
            self.remaining = frozenset()
            return {}
        ctx = Context(at=self.sale.occurred_at, choices=self.choices,
                      gift_prices={ln.sku: ln.unit_price for ln in lines})
        result = resolve(self.pset, kept, ctx, hints=False)
        self.remaining = frozenset(a.promotion_id for a in result.applied)
        promoted = result.line_discounts()
        if self.member is None:
            return promoted
        return _member_change(self.member, kept, promoted, by_no, self.places)


def _member_change(terms: dict[str, Any], kept: list[Line], promoted: dict[int, Decimal],
                   by_no: dict[int, SaleLine], places: int = 2) -> dict[int, Decimal]:
    """The member and birthday discounts taken again on the repriced remainder, as at the till
    (``catalog.pricing``: a percent of what each line costs after its promotions, on the lines
    that may have one, not on discounted lines when the shop says so, only from the minimum
    bill), returned as the change the ledger must add to its own proportional line discount
    (``ledger.services.returns``: the kept share of the line's other discounts, rounded)."""
    percent, birthday = Decimal(terms["percent"]), Decimal(terms["birthday"])
    eligible = set(terms.get("lines") or ())
    before = {ln.index: ln.amount - promoted.get(ln.index, ZERO) for ln in kept}
    gross = sum(before.values(), ZERO)
    out: dict[int, Decimal] = {}
    for ln in kept:
        sold = by_no[ln.index]
        promotion = promoted.get(ln.index, ZERO)
        base = before[ln.index]
        member = bday = ZERO
        skipped = bool(terms.get("skip_discounted")) and (ln.discount > 0 or promotion > 0)
        if ln.index in eligible and not skipped and base > 0 and gross >= Decimal(terms["min_bill"]):
            member = min(money(base * percent / 100, places), base)
            bday = min(money(base * birthday / 100, places), base - member)
        share = ln.quantity / sold.quantity
        ledger_keeps = money((sold.discount - sold.promotion_discount) * share, places)
        out[ln.index] = money(ln.discount, places) + promotion + member + bday - ledger_keeps
    return out


def repricer(sale: Sale) -> Repricer | None:
    """The ledger's ``reprice`` for ``sale``, or None when it got no promotion."""
    snapshot = snapshot_of(sale)
    if snapshot is None:
        return None
    return Repricer(sale, snapshot)
