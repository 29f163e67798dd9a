"""A member's points over the JSON API: balance and explained history (the sales themselves are
the checkout's: ``checkout/api.py``)."""

from __future__ import annotations

from typing import Literal, cast

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from pydantic import StrictBool, StrictInt

from sasom.core.audit import Actor
from sasom.core.errors import E_INVALID_INPUT, DomainError
from sasom.core.schemas import StrictIn
from sasom.integrations.auth import api_auth, api_require
from sasom.ledger.api_schemas import (
    BalanceOut,
    EntriesOut,
    EntriesQuery,
    EntryOut,
    awards_out,
    balance_out,
)
from sasom.ledger.models import ExpiryPolicy, LedgerSettings, ShortfallPolicy
from sasom.ledger.policy import ledger_settings_for
from sasom.ledger.selectors import account_of, entries_for
from sasom.ledger.services import ledger_settings_update
from sasom.members.selectors import member_by_code
from sasom.organizations.models import Organization

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



# ------------------------------------------------------------------------------ points policy

Expiry = Literal["never", "days", "end_of_month", "end_of_quarter", "end_of_year"]
Shortfall = Literal["debt", "cap"]


class PolicyOut(Schema):
    expiry_policy: Expiry = Field(..., description="; ".join(f"{v}: {label}" for v, label in ExpiryPolicy.choices))
    expiry_n: int = Field(..., description="days for 'days'; months for the end-of-period policies")
    pending_days: int = Field(..., description="earned points become spendable after this many days (0: at once)")
    allow_same_sale_spend: bool
    return_shortfall: Shortfall = Field(..., description="; ".join(f"{v}: {label}" for v, label in ShortfallPolicy.choices))

    @staticmethod
    def of(row: LedgerSettings) -> PolicyOut:
        return PolicyOut(expiry_policy=cast(Expiry, row.expiry_policy), expiry_n=row.expiry_n,
                         pending_days=row.pending_days, allow_same_sale_spend=row.allow_same_sale_spend,
                         return_shortfall=cast(Shortfall, row.return_shortfall))


class PolicyPatch(StrictIn):
    expiry_policy: Expiry | None = None
    expiry_n: StrictInt | None = Field(None, ge=0, le=1200)
    pending_days: StrictInt | None = Field(None, ge=0, le=365)
    allow_same_sale_spend: StrictBool | None = None
    return_shortfall: Shortfall | None = None


@router.get("/points/policy", response=PolicyOut, summary="The points policy: expiry, pending days, returns")
def policy_read(request: HttpRequest) -> PolicyOut:
    principal = api_require(request, "points.settings")
    return PolicyOut.of(ledger_settings_for_id(principal.organization_id))


@router.patch("/points/policy", response=PolicyOut,
              summary="Change the points policy (applies to points credited from now on; audited)")
def policy_update(request: HttpRequest, body: PolicyPatch) -> PolicyOut:
    principal = api_require(request, "points.settings")
    current = ledger_settings_for_id(principal.organization_id)
    try:
        row = ledger_settings_update(organization=current.organization, actor=Actor.from_request(request),
                                     **body.model_dump(exclude_unset=True, exclude_none=True))
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise DomainError(E_INVALID_INPUT, " ".join(messages), field=field, status=422) from None
    return PolicyOut.of(row)


def ledger_settings_for_id(organization_id: int) -> LedgerSettings:
    return ledger_settings_for(Organization.objects.get(pk=organization_id))
