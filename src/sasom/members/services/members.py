"""Writes for members, their cards, codes, consents and types. Every change is audited.

Personal data never reaches the audit trail: member changes name personal fields but not values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from sasom.core.audit import Actor, audit_record, diff, snapshot
from sasom.core.errors import Conflict, DomainError
from sasom.core.events import MEMBER_CREATED, MEMBER_UPDATED, event_record
from sasom.core.models import AuditEvent
from sasom.organizations.models import Branch, Organization, Sequence

from ..models import Card, Consent, Member, MemberCodeChange, MemberType
from ..registry import ErasureSubject, erasers_run
from ..validation import (
    CARD_TAKEN,
    CODE_TAKEN,
    PHONE_TAKEN,
    add_months,
    code_check,
    member_check,
)

CODE_PATTERN_INVALID = "member.code_pattern_invalid"
CARD_NOT_ACTIVE = "member.card_not_active"
MEMBER_ANONYMIZED = "member.anonymized"

MEMBER_CODE_SEQUENCE = "member_code"

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
    "home_branch", "joined_on", "expires_on",
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


def _raise_first(errors: list[DomainError]) -> None:
    if errors:
        raise errors[0]


def expiry_for(member_type: MemberType, start: dt.date) -> dt.date | None:
    if not member_type.card_validity_months:
        return None
    return add_months(start, member_type.card_validity_months)


def format_member_code(pattern: str, *, seq: int, on: dt.date, branch: Branch | None) -> str:
    try:
        return pattern.format(
            seq=seq, yy=f"{on.year % 100:02d}", yyyy=f"{on.year:04d}", mm=f"{on.month:02d}",
            branch=branch.code if branch else "",
        )
    except (KeyError, IndexError, ValueError):
        raise DomainError(
            CODE_PATTERN_INVALID, _("The organization's member code pattern is not valid."), field="code"
        ) from None


def sequence_take(*, organization_id: int, name: str, count: int = 1) -> int:
    """Reserve ``count`` numbers; returns the first. The row is locked, then bumped with F()."""
    Sequence.objects.get_or_create(organization_id=organization_id, name=name)
    seq = Sequence.objects.select_for_update().get(organization_id=organization_id, name=name)
    Sequence.objects.filter(pk=seq.pk).update(value=F("value") + count)
    seq.refresh_from_db(fields=["value"])
    return seq.value - count + 1


@transaction.atomic
def member_code_next(*, organization: Organization, on: dt.date, branch: Branch | None = None) -> str:
    """The next free code from the organization's pattern (skips codes typed by staff)."""
    for _attempt in range(50):
        seq = sequence_take(organization_id=organization.pk, name=MEMBER_CODE_SEQUENCE)
        code = format_member_code(organization.member_code_pattern, seq=seq, on=on, branch=branch)
        if not code_check(organization_id=organization.pk, code=code):
            return code
    raise Conflict(CODE_TAKEN, _("Could not find a free member code; check the code pattern."), field="code")


@transaction.atomic
def member_codes_reserve(
    *, organization: Organization, wanted: list[tuple[dt.date, Branch | None]], also_taken: set[str] | None = None
) -> list[str]:
    """Free codes for many new members at once (the import): one sequence bump for the lot.

    ``wanted`` gives each member's join date and home branch (the pattern may use them);
    ``also_taken`` holds codes typed elsewhere in the same batch.
    """
    if not wanted:
        return []
    pattern = organization.member_code_pattern
    first = sequence_take(organization_id=organization.pk, name=MEMBER_CODE_SEQUENCE, count=len(wanted))
    codes = [format_member_code(pattern, seq=first + i, on=on, branch=b) for i, (on, b) in enumerate(wanted)]
    taken = set(also_taken or ()) | _codes_taken(organization.pk, codes)
    out: list[str] = []
    for code, (on, branch) in zip(codes, wanted, strict=True):
        if code in taken:
            code = member_code_next(organization=organization, on=on, branch=branch)
            while code in taken:
                code = member_code_next(organization=organization, on=on, branch=branch)
        taken.add(code)
        out.append(code)
    return out


def _codes_taken(organization_id: int, codes: list[str]) -> set[str]:
    found: set[str] = set()
    for i in range(0, len(codes), 1000):
        part = codes[i : i + 1000]
        found |= set(Member.objects.filter(organization_id=organization_id, code__in=part).values_list("code", flat=True))
        found |= set(
            MemberCodeChange.objects.filter(organization_id=organization_id, old_code__in=part).values_list("old_code", flat=True)
        )
    return found


def _save_guarded(obj: Any, **kwargs: Any) -> None:
    """Save; a unique clash that slipped past the checks (two counters at once) names its field."""
    try:
        with transaction.atomic():
            obj.save(**kwargs)
    except IntegrityError as exc:
        text = str(exc).lower()
        if "unique" not in text and "duplicate" not in text:
            raise
        if "phone" in text:
            raise Conflict(PHONE_TAKEN, _("Another member already has this phone number."), field="phone") from None
        if "number" in text or "card" in text:
            raise Conflict(CARD_TAKEN, _("This card number is already in use."), field="card_number") from None
        raise Conflict(CODE_TAKEN, _("Another member already has this code."), field="code") from None


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


def _ensure_not_anonymized(member: Member) -> None:
    if member.status == Member.Status.ANONYMIZED:
        raise DomainError(MEMBER_ANONYMIZED, _("This member's data was erased; it cannot be changed."))


def _locked(member: Member) -> Member:
    return Member.objects.select_for_update().get(pk=member.pk)


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
    "member_codes_reserve",
    "CODE_PATTERN_INVALID",
    "CARD_NOT_ACTIVE",
    "MEMBER_ANONYMIZED",
    "MEMBER_CODE_SEQUENCE",
    "PERSONAL_FIELDS",
    "EDITABLE_FIELDS",
    "AUDITED_FIELDS",
    "_member_audit",
    "audit_bulk",
    "_raise_first",
    "expiry_for",
    "format_member_code",
    "sequence_take",
    "member_code_next",
    "_save_guarded",
    "member_register",
    "_default_member_type",
    "_ensure_not_anonymized",
    "_locked",
    "member_update",
    "_current",
    "member_code_change",
    "member_change_type",
    "member_set_status",
    "card_issue",
    "card_replace",
    "consent_record",
    "member_anonymize",
]
