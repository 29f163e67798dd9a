"""Member cards: issue one, replace a lost or worn one on the same member and account."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sasom.core.audit import Actor, audit_record
from sasom.core.errors import Conflict, DomainError
from sasom.members.errors import CARD_NOT_ACTIVE  # noqa: F401  (codes live in errors.py)

from ..models import Card, Member
from ..validation import CARD_TAKEN
from .common import _ensure_not_anonymized, _save_guarded


@transaction.atomic
def card_issue(*, member: Member, number: str, actor: Actor, today: dt.date | None = None, replaces: Card | None = None) -> Card:
    number = number.strip()
    if not number:
        raise DomainError("member.card_required", _("Enter a card number."), field="card_number")
    if Card.objects.filter(organization_id=member.organization_id, number=number).exists():
        raise Conflict(CARD_TAKEN, _("This card number is already in use."), field="card_number")
    card = Card(
        organization_id=member.organization_id, member=member, number=number,
        issued_on=today or timezone.localdate(), replaces=replaces,
    )
    _save_guarded(card, force_insert=True)
    audit_record(
        organization_id=member.organization_id, actor=actor, action="card.issue", obj=card,
        object_repr=f"{member.code} / {number}",
        changes={"member_id": [None, member.pk], "number": [None, number], "replaces": [None, replaces.number if replaces else None]},
    )
    return card


@transaction.atomic
def card_replace(*, card: Card, new_number: str, actor: Actor, lost: bool = True, today: dt.date | None = None, reason: str = "") -> Card:
    """Close ``card`` (lost or replaced) and issue ``new_number`` on the same member and account."""
    card = Card.objects.select_for_update().select_related("member").get(pk=card.pk)
    _ensure_not_anonymized(card.member)
    if card.status != Card.Status.ACTIVE:
        raise DomainError(CARD_NOT_ACTIVE, _("Only an active card can be replaced."), field="card")
    today = today or timezone.localdate()
    new_status = Card.Status.LOST if lost else Card.Status.REPLACED
    card.status = new_status
    card.closed_on = today
    card.save(update_fields=["status", "closed_on"])
    audit_record(
        organization_id=card.organization_id, actor=actor, action="card.close", obj=card,
        object_repr=f"{card.member.code} / {card.number}", changes={"status": [Card.Status.ACTIVE, new_status]}, reason=reason,
    )
    return card_issue(member=card.member, number=new_number, actor=actor, today=today, replaces=card)


__all__ = [
    "CARD_NOT_ACTIVE",
    "card_issue",
    "card_replace",
]
