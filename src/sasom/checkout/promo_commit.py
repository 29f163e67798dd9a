"""The POS promotions at commit (docs/promotions.md, "At the till").

* A basket priced with a promotion that carries a budget or a per-member limit is priced again
  inside the commit's transaction, after the limited promotions the basket can touch are locked
  (``promotions.uses``, id order): the counts read under the lock decide. A promotion whose budget
  the last concurrent sale took is then not applicable, and the sale is **posted without it** (the
  answer's lines say so; a quote is a promise of nothing) rather than refused.
* A sale that got promotions never takes the PostgreSQL fast path: it posts with the ORM writer in
  the transaction that writes its ``PromotionUse`` rows and moves ``Promotion.uses``.
* The promotions' definitions as they were are stored on the sale (a pricing note, see
  ``checkout.promo.snapshot_note``) so a return can reprice the remainder.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from sasom.checkout import promo
from sasom.checkout.pricing import Priced
from sasom.earning import engine
from sasom.ledger.models import Sale
from sasom.members.models import Member
from sasom.promotions.uses import uses_record


def needs_lock(till: Priced) -> bool:
    """Whether a promotion that applied carries a budget or a per-member limit."""
    if not till.promoted or till.pset is None or till.promotions is None:
        return False
    applied = {a.promotion_id for a in till.promotions.applied}
    return any(p.id in applied and (p.conditions.budget is not None or p.conditions.per_member_limit is not None)
               for p in till.pset.promotions)


def with_snapshot(organization_id: int, till: Priced, choices: Mapping[str, str] | None) -> engine.Basket:
    """The basket to post: with the promotions' snapshot when any applied."""
    if not till.promoted or till.promotions is None or till.priced is None or till.pset is None:
        return till.basket
    note = promo.snapshot_note(organization_id, till.pset.mode, till.promotions, till.priced.lines, choices or {},
                               terms=till.terms)
    return dataclasses.replace(till.basket, pricing=(*till.basket.pricing, note))


def uses_of_sale(sale: Sale, member: Member | None, till: Priced) -> None:
    """The sale's ``PromotionUse`` rows and the promotions' counts (in the commit's transaction)."""
    if not till.promoted or till.promotions is None:
        return
    uses_record(organization_id=sale.organization_id, sale_id=sale.pk, member_id=member.pk if member else None,
                occurred_at=sale.occurred_at, applied=till.promotions.applied)
