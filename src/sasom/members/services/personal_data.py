"""Personal data: consents given or withdrawn, and PDPA erasure (anonymizing a member)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from sasom.core.audit import Actor, audit_record

from ..models import Card, Consent, Member
from ..registry import ErasureSubject, erasers_run
from .common import _locked


@transaction.atomic
def consent_record(
    *, member: Member, purpose: str, granted: bool, channel: str, actor: Actor, at: dt.datetime | None = None,
    audited: bool = True,
) -> Consent:
    """Record a consent given or withdrawn; the member's marketing flag follows the latest one."""
    consent = Consent.objects.create(
        organization_id=member.organization_id, member=member, purpose=purpose, granted=granted,
        channel=channel, at=at or timezone.now(), recorded_by=actor.label[:200],
    )
    if purpose == Consent.Purpose.MARKETING and member.marketing_consent != granted:
        Member.objects.filter(pk=member.pk).update(marketing_consent=granted)
        member.marketing_consent = granted
    if audited:
        audit_record(
            organization_id=member.organization_id, actor=actor, action="member.consent", obj=member,
            object_repr=member.code, changes={f"consent.{purpose}": [None, granted], "channel": [None, channel]},
        )
    return consent


ANONYMIZED_VALUES: dict[str, Any] = {
    "phone": None, "title": "", "first_name": "", "last_name": "", "gender": "", "birth_on": None,
    "marital_status": "", "occupation": "", "email": "", "line_id": "", "address_line": "", "moo": "",
    "soi": "", "road": "", "subdistrict": "", "district": "", "province": "", "postcode": "",
    "tags": [], "custom": {}, "marketing_consent": False,
}


@transaction.atomic
def member_anonymize(*, member: Member, actor: Actor, reason: str = "", now: dt.datetime | None = None) -> Member:
    """PDPA erasure: blank personal data, drop card numbers, keep the code and every ledger link.

    The member row stays (points entries point at it), so balances and reports still add up.
    Cards are deleted because a card number identifies a person; consents are kept as proof of
    what was agreed, with nothing personal in them.
    """
    member = _locked(member)
    if member.status == Member.Status.ANONYMIZED:
        return member
    now = now or timezone.now()
    subject = ErasureSubject(organization_id=member.organization_id, member_id=member.pk,
                             phone=member.phone or "", email=member.email or "")
    changed = [k for k, v in ANONYMIZED_VALUES.items() if getattr(member, k) != v]
    for k, v in ANONYMIZED_VALUES.items():
        setattr(member, k, v)
    old_status = member.status
    member.status = Member.Status.ANONYMIZED
    member.anonymized_at = now
    member.save()
    cards = Card.objects.filter(member=member).delete()[0]
    # the phone and e-mail kept outside the member row (sent messages, portal login codes)
    erasers_run(subject)
    changes: dict[str, Any] = {k: ["(erased)", ""] for k in changed}
    changes["status"] = [old_status, Member.Status.ANONYMIZED]
    changes["cards_removed"] = [cards, 0]
    audit_record(
        organization_id=member.organization_id, actor=actor, action="member.anonymize", obj=member,
        object_repr=member.code, changes=changes, reason=reason,
    )
    return member


__all__ = [
    "consent_record",
    "member_anonymize",
]
