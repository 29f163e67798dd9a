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
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sasom.checkout.promo import snapshot_in
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
Reprice = Callable[[list[SaleLine], dict[int, Decimal]], dict[int, Decimal]]


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


def repricer(sale: Sale) -> Reprice | None:
    """The ledger's ``reprice`` for ``sale``, or None when it got no promotion."""
    snapshot = snapshot_of(sale)
    if snapshot is None:
        return None
    pset = promotions_of(snapshot)
    categories = {int(k): frozenset(v) for k, v in (snapshot.get("lines") or {}).items()}
    choices = {str(k): str(v) for k, v in (snapshot.get("choices") or {}).items()}

    def reprice(lines: list[SaleLine], returned: dict[int, Decimal]) -> dict[int, Decimal]:
        kept = []
        for ln in lines:
            qty = ln.quantity - returned.get(ln.line_no, ZERO)
            if qty <= 0:
                continue
            share = qty / ln.quantity
            own = (ln.discount - ln.promotion_discount - ln.member_discount) * share  # the POS's own
            kept.append(Line(index=ln.line_no, sku=ln.sku, brand=ln.brand,
                             categories=categories.get(ln.line_no, frozenset({ln.category} - {""})),
                             quantity=qty, unit_price=ln.unit_price,
                             list_price=ln.list_price if ln.list_price is not None else ln.unit_price,
                             discount=max(ZERO, own)))
        if not kept:
            return {}
        ctx = Context(at=sale.occurred_at, choices=choices,
                      gift_prices={ln.sku: ln.unit_price for ln in lines})
        return resolve(pset, kept, ctx).line_discounts()

    return reprice
