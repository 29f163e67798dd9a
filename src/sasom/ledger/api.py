"""A member's points over the JSON API: balance and explained history (the sales themselves are
the checkout's: ``checkout/api.py``)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router

from sasom.integrations.auth import api_auth, api_require
from sasom.ledger.api_schemas import (
    BalanceOut,
    EntriesOut,
    EntriesQuery,
    EntryOut,
    awards_out,
    balance_out,
)
from sasom.ledger.selectors import account_of, entries_for
from sasom.members.selectors import member_by_code

router = Router(tags=["sales and points"], auth=api_auth)


@router.get("/members/{code}/balance", response=BalanceOut, summary="A member's points: spendable, pending, expiring next")
def member_balance(request: HttpRequest, code: str) -> BalanceOut:
    principal = api_require(request, "points.view")
    return balance_out(member_by_code(principal.organization_id, code))


@router.get("/members/{code}/entries", response=EntriesOut, summary="A member's points history, newest first, explained")
def member_entries(request: HttpRequest, code: str, q: Query[EntriesQuery]) -> EntriesOut:
    principal = api_require(request, "points.view")
    account = account_of(member_by_code(principal.organization_id, code))
    if account is None:
        return EntriesOut(count=0, page=1, pages=1, items=[])
    page = entries_for(account, q.page, per_page=q.per_page)
    items = [
        EntryOut(
            id=e.pk, kind=e.kind, points=e.sign * e.amount, occurred_at=e.occurred_at,
            receipt_id=e.sale.receipt_id if e.sale_id else None, branch=e.branch.code if e.branch_id else None,
            reason=e.reason, awards=awards_out((e.explanation or {}).get("awards", []), beneficiary=None),
        )
        for e in page.object_list
    ]
    return EntriesOut(count=page.paginator.count, page=page.number, pages=page.paginator.num_pages, items=items)

