"""Where the ORM and bulk writers store a plan's POS promotion uses (``SalePlan.promotion_uses``).

The ``PromotionUse`` table and the promotions' counts belong to ``promotions``, a higher layer:
it registers the writer from its ``AppConfig.ready()`` (docs/architecture.md, "Layers and the
event stream"); the PostgreSQL function writes the same rows itself (``ledger/sql/sale_post.sql``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sasom.ledger.plan import SalePlan
from sasom.ledger.plan_promotions import PromotionTake


@dataclass(frozen=True, slots=True)
class SaleUses:
    """One posted sale's promotion uses, as the registered writer stores them."""

    organization_id: int
    sale_id: int
    member_id: int | None
    occurred_at: dt.datetime
    uses: tuple[PromotionTake, ...]


UsesWriter = Callable[[Sequence[SaleUses]], None]
_WRITERS: list[UsesWriter] = []


def uses_writer_register(writer: UsesWriter) -> None:
    """The promotions app's writer (once; a second registration of the same function is ignored)."""
    if writer not in _WRITERS:
        _WRITERS.append(writer)


def uses_write(posted: Sequence[tuple[SalePlan, int]]) -> None:
    """Store the uses of ``posted`` ((plan, sale id) of sales just inserted) in the caller's
    transaction. A plan with uses and no registered writer is a configuration error."""
    todo = [SaleUses(organization_id=plan.sale.organization_id, sale_id=sale_id, member_id=plan.sale.member_id,
                     occurred_at=plan.sale.occurred_at, uses=plan.promotion_uses)
            for plan, sale_id in posted if plan.promotion_uses]
    if not todo:
        return
    if not _WRITERS:
        raise RuntimeError("a sale with promotion uses, and no writer registered (promotions app not installed)")
    for writer in _WRITERS:
        writer(todo)
