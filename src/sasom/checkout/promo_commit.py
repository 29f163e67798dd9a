"""The POS promotions at commit (docs/promotions.md, "At the till").

* A promoted sale carries its promotions' uses in the snapshot note (``with_snapshot``; what a
  return needs to reprice the remainder, and the ``PromotionUse`` rows the writer stores with the
  sale: ``ledger.plan_promotions``). Every writer stores them in the sale's own transaction.
* On PostgreSQL a plain promoted sale takes the one-call fast path: ``sasom_sale_post2`` locks the
  limited promotions (budget or per-member limit) in id order before the account, checks the
  counts under those locks, and when one ran out since the basket was priced it writes nothing
  and answers ``refused``: the sale then takes the path below, exactly as if it had raced there.
* Otherwise, a basket priced with a promotion that carries a budget or a per-member limit is
  priced again inside the commit's transaction, after the limited promotions the basket can touch
  are locked (``promotions.uses``, id order): the counts read under the lock decide. A promotion
  whose budget the last concurrent sale took is then not applicable, and the sale is **posted
  without it** (the answer's lines say so; a quote is a promise of nothing) rather than refused.
* The promotions' definitions as they were are stored on the sale (the same snapshot note, see
  ``checkout.promo.snapshot_note``) so a return can reprice the remainder.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from sasom.checkout import promo
from sasom.checkout.pricing import Priced
from sasom.earning import engine


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
                               terms=till.terms, pset=till.pset)
    return dataclasses.replace(till.basket, pricing=(*till.basket.pricing, note))
