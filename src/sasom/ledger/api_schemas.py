"""The ledger's API schemas: balances, awards, entries (the checkout's answers reuse them)."""

from __future__ import annotations

import datetime as dt
from typing import Any, overload

from ninja import Field, Schema
from pydantic import BaseModel

from sasom.ledger.models import PointAccount
from sasom.ledger.selectors import Balance, account_of, balance_of
from sasom.members.models import Member


class _Lean(BaseModel):
    """The schemas of the sale commit (the hot path): plain pydantic models. django-ninja's
    ``Schema`` adds a Python-level wrap validator to every nested object (for reading ORM objects,
    which these never are); the OpenAPI schema is the same."""



class SaleAwardOut(_Lean):
    rule: str
    rule_name: str
    kind: str
    points: int
    explanation: str
    beneficiary: str


class ExpiryOut(_Lean):
    on: dt.date
    points: int


class BalanceOut(_Lean):
    spendable: int
    pending: int
    lifetime_earned: int
    debt: int
    next_expiry: ExpiryOut | None



class EntryOut(Schema):
    id: int
    kind: str
    points: int = Field(..., description="signed: positive adds to the balance")
    occurred_at: dt.datetime
    receipt_id: str | None
    branch: str | None
    reason: str
    awards: list[SaleAwardOut]


class EntriesOut(Schema):
    count: int
    page: int
    pages: int
    items: list[EntryOut]


class EntriesQuery(Schema):
    page: int = Field(1, ge=1, le=100000)
    per_page: int = Field(20, ge=1, le=100)




@overload
def balance_out(member: Member, account: PointAccount | None = None,
                known: Balance | None = None) -> BalanceOut: ...
@overload
def balance_out(member: None, account: PointAccount | None = None,
                known: Balance | None = None) -> None: ...
def balance_out(member: Member | None, account: PointAccount | None = None,
                known: Balance | None = None) -> BalanceOut | None:
    """The member's balance; ``account`` (fresh from a post) saves reading it again, ``known``
    (from the fast path, next expiry included) saves every query."""
    if member is None:
        return None
    b = known if known is not None else balance_of(account if account is not None else account_of(member))
    expiry = ExpiryOut(on=b.next_expiry_on, points=b.next_expiry_points) if b.next_expiry_on else None
    return BalanceOut(
        spendable=b.spendable, pending=b.pending, lifetime_earned=b.lifetime_earned, debt=b.debt, next_expiry=expiry
    )


def awards_out(awards: list[dict[str, Any]], beneficiary: str | None = "member") -> list[SaleAwardOut]:
    return [
        SaleAwardOut(
            rule=a.get("rule_code", ""), rule_name=a.get("rule_name", ""), kind=a.get("kind", ""),
            points=a.get("points", 0), explanation=a.get("explanation", ""),
            beneficiary=a.get("beneficiary", "member"),
        )
        for a in awards
        if beneficiary is None or a.get("beneficiary", "member") == beneficiary
    ]
