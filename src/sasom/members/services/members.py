"""Writes for members: register, update, change code, type or status. Every change is audited.
Codes, cards, consents and erasure live in :mod:`.codes`, :mod:`.cards` and :mod:`.personal_data`.

Personal data never reaches the audit trail: member changes name personal fields but not values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sasom.core.audit import Actor, audit_record, diff, snapshot
from sasom.core.errors import DomainError
from sasom.core.events import MEMBER_CREATED, MEMBER_UPDATED, event_record
from sasom.core.models import AuditEvent
from sasom.organizations.models import Organization

from ..models import Consent, Member, MemberCodeChange, MemberType
from ..validation import add_months, code_check, member_check
from .cards import card_issue
from .codes import member_code_next
from .common import _ensure_not_anonymized, _locked, _raise_first, _save_guarded
from .personal_data import consent_record

PERSONAL_FIELDS = frozenset(
    {
        "phone", "title", "first_name", "last_name", "gender", "birth_on", "marital_status",
        "occupation", "email", "line_id", "address_line", "moo", "soi", "road", "subdistrict",
        "district", "province", "postcode", "tags", "custom",
    }
)


EDITABLE_FIELDS = (
    "phone", "title", "first_name", "last_name", "gender", "birth_on", "marital_status",
    "occupation", "email", "line_id", "address_line", "moo", "soi", "road", "subdistrict",
    "district", "province", "postcode", "tags", "custom", "erp_debtor_code", "referred_by",
    "home_branch", "joined_on", "expires_on", "language",
)


AUDITED_FIELDS = [
    *(f if f not in ("referred_by", "home_branch") else f + "_id" for f in EDITABLE_FIELDS),
    "code", "member_type_id", "status", "marketing_consent",
]


def _member_audit(member: Member, actor: Actor, action: str, changes: dict[str, Any], reason: str = "") -> None:
    audit_record(
        organization_id=member.organization_id,
        actor=actor,
        action=action,
        obj=member,
        object_repr=member.code,
        changes=changes,
        reason=reason,
        redact=PERSONAL_FIELDS,
    )
    _announce(member, action, changes)


def _announce(member: Member, action: str, changes: dict[str, Any]) -> None:
    """member.created / member.updated events: the code and what changed (field names only; a
    webhook subscriber reads the profile through the API with its own key)."""
    event_record(
        organization_id=member.organization_id,
        kind=MEMBER_CREATED if action == "member.register" else MEMBER_UPDATED,
        payload=lambda: {
            "member": member.code, "status": member.status, "member_type_id": member.member_type_id,
            "action": action, "fields": sorted(changes),
        },
    )


def audit_bulk(
    *,
    organization_id: int,
    actor: Actor,
    action: str,
    members: Iterable[tuple[int, str, dict[str, Any]]],
    reason: str = "",
) -> int:
    """One audit event per member (id, code, changes) in one INSERT per thousand rows.

    Bulk tools touch up to every member of an organization; ``audit_record`` row by row would
    cost one round trip each.
    """
    rows = [
        AuditEvent(
            organization_id=organization_id,
            actor_kind=actor.kind,
            actor_user_id=actor.user_id,
            actor_label=actor.label[:200],
            ip=actor.ip,
            action=action,
            object_type="members.member",
            object_id=str(member_id),
            object_repr=code[:200],
            changes={k: v for k, v in changes.items() if k not in PERSONAL_FIELDS},
            reason=reason,
        )
        for member_id, code, changes in members
    ]
    AuditEvent.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def expiry_for(member_type: MemberType, start: dt.date) -> dt.date | None:
    if not member_type.card_validity_months:
        return None
    return add_months(start, member_type.card_validity_months)


@transaction.atomic
def member_register(
    *,
    organization: Organization,
    actor: Actor,
    data: Mapping[str, Any],
    card_number: str = "",
    consent_channel: str = Consent.Channel.COUNTER,
    today: dt.date | None = None,
) -> Member:
    """Register a member. ``data`` holds model field names with clean values (phone in E.164).

    Without a typed code one comes from the organization's pattern; without an expiry date the
    card runs for the member type's validity from the join date.
    """
    today = today or timezone.localdate()
    values = {k: v for k, v in data.items() if k in EDITABLE_FIELDS or k in ("code", "member_type", "marketing_consent")}
    values.setdefault("joined_on", today)
    if not values.get("joined_on"):
        values["joined_on"] = today
    if values.get("member_type") is None:
        values["member_type"] = _default_member_type(organization.pk)
    _raise_first(member_check(organization_id=organization.pk, data=values, card_number=card_number, today=today))
    if not values.get("code"):
        values["code"] = member_code_next(organization=organization, on=values["joined_on"], branch=values.get("home_branch"))
    if not values.get("expires_on"):
        values["expires_on"] = expiry_for(values["member_type"], values["joined_on"])
    values["phone"] = values.get("phone") or None
    member = Member(organization=organization, **values)
    _save_guarded(member, force_insert=True)
    _member_audit(member, actor, "member.register", diff({}, snapshot(member, AUDITED_FIELDS)))
    if card_number:
        card_issue(member=member, number=card_number, actor=actor, today=today)
    if member.marketing_consent:
        consent_record(member=member, purpose=Consent.Purpose.MARKETING, granted=True, channel=consent_channel, actor=actor)
    return member


def _default_member_type(organization_id: int) -> MemberType:
    mt = (
        MemberType.objects.filter(organization_id=organization_id, is_active=True)
        .order_by("-is_default", "sort_order", "code")
        .first()
    )
    if mt is None:
        raise DomainError("member.no_member_type", _("Create a member type first."), field="member_type")
    return mt


@transaction.atomic
def member_update(
    *,
    member: Member,
    actor: Actor,
    data: Mapping[str, Any],
    consent_channel: str = Consent.Channel.COUNTER,
    today: dt.date | None = None,
) -> Member:
    """Change profile fields (not the code, type or status: they have their own actions)."""
    member = _locked(member)
    _ensure_not_anonymized(member)
    values = {k: v for k, v in data.items() if k in EDITABLE_FIELDS}
    if not values.get("joined_on", True):
        del values["joined_on"]
    if "phone" in values:
        values["phone"] = values["phone"] or None
    _raise_first(member_check(organization_id=member.organization_id, data={**_current(member), **values}, member=member, today=today))
    before = snapshot(member, AUDITED_FIELDS)
    for k, v in values.items():
        setattr(member, k, v)
    consent = data.get("marketing_consent")
    consent_changed = consent is not None and bool(consent) != member.marketing_consent
    if consent_changed:
        member.marketing_consent = bool(consent)
    _save_guarded(member)
    changes = diff(before, snapshot(member, AUDITED_FIELDS))
    if changes:
        _member_audit(member, actor, "member.update", changes)
    if consent_changed:
        consent_record(member=member, purpose=Consent.Purpose.MARKETING, granted=bool(consent), channel=consent_channel, actor=actor, audited=False)
    return member


def _current(member: Member) -> dict[str, Any]:
    return {
        "joined_on": member.joined_on, "expires_on": member.expires_on, "birth_on": member.birth_on,
        "member_type": member.member_type, "home_branch": member.home_branch, "referred_by": member.referred_by,
    }


@transaction.atomic
def member_code_change(*, member: Member, new_code: str, actor: Actor, reason: str = "") -> Member:
    """Give a member a new code; the old one is kept in the history and still finds them."""
    member = _locked(member)
    _ensure_not_anonymized(member)
    new_code = new_code.strip()
    if new_code == member.code:
        return member
    _raise_first(code_check(organization_id=member.organization_id, code=new_code, member=member))
    old = member.code
    member.code = new_code
    _save_guarded(member, update_fields=["code", "updated_at"])
    MemberCodeChange.objects.create(
        organization_id=member.organization_id, member=member, old_code=old, new_code=new_code, changed_by_id=actor.user_id
    )
    _member_audit(member, actor, "member.code_change", {"code": [old, new_code]}, reason)
    return member


@transaction.atomic
def member_change_type(
    *, member: Member, member_type: MemberType, actor: Actor, reason: str = "", recompute_expiry: bool = False,
    today: dt.date | None = None,
) -> Member:
    member = _locked(member)
    _ensure_not_anonymized(member)
    if member_type.organization_id != member.organization_id:
        raise DomainError("member.wrong_organization", _("Not found in this organization."), field="member_type")
    before = snapshot(member, ["member_type_id", "expires_on"])
    member.member_type = member_type
    if recompute_expiry:
        member.expires_on = expiry_for(member_type, today or timezone.localdate())
    member.save(update_fields=["member_type", "expires_on", "updated_at"])
    _member_audit(member, actor, "member.change_type", diff(before, snapshot(member, ["member_type_id", "expires_on"])), reason)
    return member


@transaction.atomic
def member_set_status(*, member: Member, status: str, actor: Actor, reason: str = "") -> Member:
    """Suspend, close or reactivate. Anonymizing has its own action and cannot be undone."""
    member = _locked(member)
    _ensure_not_anonymized(member)
    allowed = {Member.Status.ACTIVE, Member.Status.SUSPENDED, Member.Status.CLOSED, Member.Status.EXPIRED}
    if status not in allowed:
        raise DomainError("member.status_invalid", _("Choose a valid status."), field="status")
    old = member.status
    if old != status:
        member.status = status
        member.save(update_fields=["status", "updated_at"])
        _member_audit(member, actor, "member.status", {"status": [old, status]}, reason)
    return member


__all__ = [
    "PERSONAL_FIELDS",
    "EDITABLE_FIELDS",
    "AUDITED_FIELDS",
    "_member_audit",
    "audit_bulk",
    "expiry_for",
    "member_register",
    "_default_member_type",
    "member_update",
    "_current",
    "member_code_change",
    "member_change_type",
    "member_set_status",
]
