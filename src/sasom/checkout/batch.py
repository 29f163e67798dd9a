"""Day-end batches at the checkout: a chunk of documents posted in document order, set-based
where it can be.

Runs of plain documents go to the ledger's bulk writer (one statement per table for the run);
a member with a referrer (a second account to lock) goes through the ORM writer, between the
runs, so a member's sales are still posted in document order. Both writers persist the same
posting plan (``ledger/plan.py``), so a document stores the same rows whichever way it went.

With a tier ladder, the chunk's members' tiers are read in one query before pricing (kept on the
member objects); the bulk writer moves them set-based and asks for a document to be priced again
when its member's tier moved since (``reprice``), as the till prices after an upgrade.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sasom.checkout.batch_pricing import baskets_priced
from sasom.core.audit import Actor
from sasom.core.errors import DomainError
from sasom.ledger import services as ledger_services
from sasom.ledger.services.bulk import BulkOutcome, BulkSale
from sasom.organizations.models import Organization
from sasom.tiers import bulk as tiers_bulk
from sasom.tiers.selectors import TIER_CODE_READ, ladder_for, tier_code_of

__all__ = ["BulkOutcome", "BulkSale", "sales_commit_batch"]


def sales_commit_batch(*, organization: Organization, items: list[BulkSale], actor: Actor | Any) -> list[BulkOutcome]:
    """One outcome per item, in order: posted (``created``), a replay, or an ``error`` (nothing
    stored for that item). The caller holds the transaction; an ``IntegrityError`` (another run
    posted one of these receipts meanwhile) rolls the chunk back for the caller to retry."""
    outcomes: list[BulkOutcome | None] = [None] * len(items)
    run: list[int] = []
    items = list(items)
    laddered = ladder_for(organization.pk) is not None
    if laddered:
        tiers_bulk.codes_read(organization.pk, (item.member for item in items))
    # checked and priced as the till would (batches' own date window), the chunk's catalog read at once
    for i, priced in enumerate(baskets_priced(organization=organization, items=items)):
        if isinstance(priced, DomainError):
            outcomes[i] = BulkOutcome(error=priced)
        else:
            member = items[i].member
            items[i] = dataclasses.replace(
                items[i], basket=priced, sent=items[i].basket,
                priced_tier=getattr(member, TIER_CODE_READ, None) if laddered and member is not None else None)

    def reprice(item: BulkSale) -> Any:
        """The document priced again with its member's tier as it is now (on the member object)."""
        assert item.sent is not None
        return baskets_priced(organization=organization, items=[dataclasses.replace(item, basket=item.sent)])[0]

    def flush() -> None:
        if run:
            posted = ledger_services.sales_post_bulk(organization=organization, items=[items[i] for i in run],
                                                     actor=actor, reprice=reprice if laddered else None)
            for i, outcome in zip(run, posted, strict=True):
                outcomes[i] = outcome
            run.clear()

    for i, item in enumerate(items):
        if outcomes[i] is not None:  # refused by the pricing
            continue
        if not ledger_services.needs_single_post(item):
            run.append(i)
            continue
        flush()
        try:
            if laddered and item.member is not None:  # read again: an earlier posting may have moved it
                now = tier_code_of(organization_id=organization.pk, member_id=item.member.pk)
                tiers_bulk.codes_set([item.member], {item.member.pk: now})
                if now != item.priced_tier:
                    again = reprice(item)
                    if isinstance(again, DomainError):
                        raise again
                    item = items[i] = dataclasses.replace(item, basket=again, priced_tier=now)
            result = ledger_services.sale_post(
                organization=organization, branch=item.branch, terminal=item.terminal, receipt_id=item.receipt_id,
                basket=item.basket, member=item.member, actor=actor,
            )
            outcomes[i] = BulkOutcome(sale_id=result.sale.pk, created=result.created,
                                      points_earned=result.points_earned)
        except DomainError as exc:
            outcomes[i] = BulkOutcome(error=exc)
    flush()
    return [o for o in outcomes if o is not None]
