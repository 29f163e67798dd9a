"""The rewards app's only door to the points ledger.

Everything here calls the ledger's own services; no rewards code writes ledger tables. Keeping
the calls in one module means a change of the ledger's signatures is one edit.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from sasom.core.audit import Actor
from sasom.core.errors import DomainError
from sasom.ledger import services
from sasom.ledger.locking import lock_account_for_member
from sasom.ledger.models import Entry, PointAccount
from sasom.ledger.services.points import points_spend
from sasom.members.models import Member
from sasom.organizations.models import Branch


def lock_account(member: Member) -> Any:
    """Lock (creating if needed) the member's point account. Always the first lock a service takes."""
    return lock_account_for_member(organization_id=member.organization_id, member_id=member.pk)


def spendable_of(member: Member) -> int:
    """The member's spendable balance, read without locking (screens, previews)."""
    return (
        PointAccount.objects.filter(organization_id=member.organization_id, member=member)
        .values_list("spendable", flat=True)
        .first()
        or 0
    )


def spend(
    account: Any,
    *,
    points: int,
    actor: Actor,
    source_type: str,
    source_id: str,
    branch: Branch | None = None,
    reason: str = "",
    as_payment: bool = False,
) -> int:
    """Spend ``points`` (soonest-expiring lots first) on the locked ``account``; the entry's id.

    ``as_payment``: points used as money on a bill (ledger kind "purchase"), else a redemption.
    """
    entry = points_spend(
        account=account,
        points=points,
        kind=Entry.Kind.PURCHASE if as_payment else Entry.Kind.REDEEM,
        actor=actor,
        source_type=source_type,
        source_id=source_id,
        branch=branch,
        reason=reason,
    )
    return entry.pk


def give_back(
    account: Any, *, entry_id: int | None, points: int | None, actor: Actor, source_type: str, source_id: str, reason: str
) -> int:
    """Return ``points`` (all when None) of spend entry ``entry_id`` as new lots keeping the
    original lots' expiry; the returning entry's id. No entry id (none stored) finds no entry:
    the ledger's not-found refusal."""
    points_spend_reverse = _ledger_service("points_spend_reverse")

    entry = points_spend_reverse(
        account=account,
        entry_id=entry_id,
        points=points,
        actor=actor,
        source_type=source_type,
        source_id=source_id,
        reason=reason,
    )
    return entry.pk


def buy(
    account: Any, *, points: int, actor: Actor, payment_reference: str, source_type: str, source_id: str,
    branch: Branch | None = None,
) -> int:
    """Credit ``points`` bought for money; the entry's id."""
    points_buy = _ledger_service("points_buy")

    entry = points_buy(
        account=account,
        points=points,
        actor=actor,
        payment_reference=payment_reference,
        source_type=source_type,
        source_id=source_id,
        branch=branch,
    )
    return entry.pk


def take_back(account: Any, *, entry_id: int | None, actor: Actor, source_type: str, source_id: str, reason: str) -> int:
    """Reverse credit entry ``entry_id`` (a points purchase whose sale was voided), drawing first
    from the lot it opened; the reversing entry's id. No entry id: the ledger's not-found refusal."""
    points_credit_reverse = _ledger_service("points_credit_reverse")

    entry = points_credit_reverse(
        account=account, entry_id=entry_id, actor=actor, source_type=source_type, source_id=source_id, reason=reason
    )
    return entry.pk


LEDGER_UNAVAILABLE = "ledger_unavailable"


def _ledger_service(name: str) -> Any:
    """A ledger service, or a clean refusal (never a 500) while the ledger does not offer it yet."""
    found = getattr(services, name, None)
    if found is None:
        raise DomainError(LEDGER_UNAVAILABLE, _("This operation is not available yet."), status=503)
    return found
