"""How the sale's use cases find the member a POS names (``checkout.services``): by phone, card
or member code, each part checked against the others, and the fast path's first read retried once
on a connection that died while idle."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.db import InterfaceError, OperationalError, connection

from sasom.checkout.errors import MEMBER_AMBIGUOUS, MEMBER_NOT_FOUND
from sasom.core.errors import DomainError, NotFound
from sasom.ledger.models import PointAccount
from sasom.ledger.selectors import account_of
from sasom.ledger.services.fastpost import member_with_account
from sasom.members.models import Member
from sasom.members.selectors import member_lookup
from sasom.members.validation import phone_e164

__all__ = ["MemberRef", "first_read", "member_and_account", "member_find"]

_T = TypeVar("_T")


@dataclass(frozen=True)
class MemberRef:
    """How a POS names the member: a phone, a card number, or the member code."""

    phone: str | None = None
    card: str | None = None
    code: str | None = None

    def __bool__(self) -> bool:
        return bool(self.phone or self.card or self.code)


def member_find(organization_id: int, ref: MemberRef | None, *, region: str | None = None) -> Member | None:
    """The member a reference names; None for no reference, 404 ``member_not_found`` for no match.
    A reference naming the member twice (a phone and a card, say) must name the same member: 400
    ``member_ambiguous`` otherwise, and ``member_not_found`` for any part that matches nobody."""
    if ref is None or not ref:
        return None
    parts = [(name, value) for name, value in (("phone", ref.phone), ("card", ref.card), ("code", ref.code)) if value]
    found: Member | None = None
    for name, value in parts:
        member = member_lookup(organization_id, phone=value if name == "phone" else None,
                               card=value if name == "card" else None, code=value if name == "code" else None,
                               region=region)
        if member is None:
            raise NotFound(MEMBER_NOT_FOUND, "No member matches.", field=f"member.{name}")
        if found is not None and member.pk != found.pk:
            raise DomainError(MEMBER_AMBIGUOUS, "The phone, card and code name different members.",
                              field=f"member.{name}")
        found = member
    return found


def member_and_account(organization_id: int, ref: MemberRef | None, region: str
                        ) -> tuple[Member | None, PointAccount | None]:
    """:func:`member_find` and the member's account, in ``member_lookup``'s order (phone, card,
    current code): a phone or a code is one query bringing the member, its type, the
    organization's points settings and the account. A card, or a former member code, takes
    ``member_lookup``'s way and reads the account after."""
    if ref is None or not ref:
        return None, None
    if sum(1 for v in (ref.phone, ref.card, ref.code) if v) > 1:
        named = member_find(organization_id, ref, region=region)  # each part checked against the others
        return named, account_of(named) if named is not None else None
    if ref.phone:
        e164 = phone_e164(ref.phone, region)
        found = member_with_account(organization_id, phone=e164) if e164 else None
        if found is not None:
            return found
    if ref.code and not ref.card:
        found = member_with_account(organization_id, code=ref.code.strip())
        if found is not None:
            return found
    member = member_find(organization_id, ref, region=region)
    assert member is not None  # a reference is given: member_find found the member or raised
    return member, account_of(member)


def first_read(read: Callable[[], _T]) -> _T:
    """``read()``, the first statement of a sale on the fast path, again once on a new connection
    when the kept one died while idle (settings: no health check before each request). Outside a
    transaction only, so nothing can have been half done."""
    try:
        return read()
    except (InterfaceError, OperationalError):
        if connection.in_atomic_block:
            raise
        connection.close()
        return read()
