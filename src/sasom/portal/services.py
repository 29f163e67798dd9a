"""Writes of the member portal: one-time login codes, a member's own consents and data export.

Login (docs/portal.md): the member types a phone number; :func:`login_code_request` writes a
:class:`~sasom.portal.models.LoginCode` row *whatever the phone*, and only when the phone belongs
to a member who may log in does it send a 6-digit code by SMS. The answer is the same either way,
so the portal never tells whether a phone is a member's. :func:`login_code_verify` checks the code
(5 minutes, 5 wrong tries per code) and returns the member.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import TypeGuard

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sasom.core.audit import Actor
from sasom.core.errors import DomainError, NotFound
from sasom.core.models import AuditEvent
from sasom.members import privacy
from sasom.members.models import Consent, Member
from sasom.members.registry import ErasureSubject
from sasom.members.selectors import member_lookup
from sasom.members.services import consent_record
from sasom.members.validation import normalize_phone
from sasom.notifications.models import Channel
from sasom.notifications.services import message_send
from sasom.organizations.models import Organization
from sasom.portal.errors import (  # noqa: F401  (codes live in errors.py)
    E_CODE_EXPIRED,
    E_CODE_LOCKED,
    E_CODE_WRONG,
    E_MEMBER_REFUSED,
    E_PURPOSE,
    E_RESEND_TOO_SOON,
    E_TOO_MANY_CODES,
)

from .models import LoginCode

# Who may log in: not a suspended, closed or anonymized member. An expired card still shows its
# points (the member may renew at the counter).
LOGIN_STATUSES = frozenset({Member.Status.ACTIVE, Member.Status.EXPIRED})
CODE_DIGITS = 6
PURPOSE_LOGIN = "portal_login"


def member_may_log_in(member: Member | None) -> TypeGuard[Member]:
    return member is not None and member.status in LOGIN_STATUSES


def portal_actor(member: Member, ip: str | None = None) -> Actor:
    """The member acting on their own data, as the audit trail records it (by code, no name)."""
    return Actor(kind=AuditEvent.ActorKind.SYSTEM, label=f"portal:{member.code}", ip=ip)


def _code_hash(salt: str, code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"portal-login:{salt}:{code}".encode(), hashlib.sha256).hexdigest()


def _wait_message(seconds: int) -> str:
    return ngettext("Please wait %(n)d second before asking for another code.",
                    "Please wait %(n)d seconds before asking for another code.", seconds) % {"n": seconds}


def login_code_request(*, organization: Organization, phone: str, ip: str | None, now: dt.datetime | None = None) -> LoginCode:
    """Record a request for a code to ``phone`` and, if it is an eligible member's, send one.

    Refuses (429) a second request for the same phone within ``PORTAL_RESEND_SECONDS``, and more
    than ``PORTAL_CODES_PER_PHONE_HOUR`` per phone or ``PORTAL_CODES_PER_IP_HOUR`` per client address
    in an hour; every request counts, whether or not the phone is a member's.
    """
    e164 = normalize_phone(phone, organization.phone_region or "TH")
    now = now or timezone.now()
    hour_ago = now - dt.timedelta(hours=1)
    with transaction.atomic():
        recent = LoginCode.objects.filter(organization=organization, phone=e164, created_at__gt=hour_ago)
        last_at = recent.order_by("-created_at").values_list("created_at", flat=True).first()
        if last_at is not None:
            wait = settings.PORTAL_RESEND_SECONDS - int((now - last_at).total_seconds())
            if wait > 0:
                raise DomainError(E_RESEND_TOO_SOON, _wait_message(wait), field="phone", status=429)
        if recent.count() >= settings.PORTAL_CODES_PER_PHONE_HOUR:
            raise DomainError(E_TOO_MANY_CODES, _("Too many codes for this phone. Try again in an hour."),
                              field="phone", status=429)
        if ip and LoginCode.objects.filter(ip=ip, created_at__gt=hour_ago).count() >= settings.PORTAL_CODES_PER_IP_HOUR:
            raise DomainError(E_TOO_MANY_CODES, _("Too many codes asked from this device. Try again in an hour."),
                              field="phone", status=429)
        member = member_lookup(organization.pk, phone=e164)
        eligible = member if member_may_log_in(member) else None
        code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
        salt = secrets.token_hex(16)
        # Only the newest code of a phone is good: older ones end now.
        recent.filter(used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
        row = LoginCode.objects.create(
            organization=organization, phone=e164, member=eligible, salt=salt,
            code_hash=_code_hash(salt, code) if eligible else "", ip=ip or None, created_at=now,
            expires_at=now + dt.timedelta(seconds=settings.PORTAL_CODE_TTL_SECONDS),
        )
        if eligible is not None:
            minutes = max(settings.PORTAL_CODE_TTL_SECONDS // 60, 1)
            # the member's own language of messages when they chose one (Persian, English, Thai)
            with translation.override(eligible.language or organization.language or "th"):
                body = _("%(shop)s: your login code is %(code)s (valid %(minutes)d minutes). Never give it to anyone.") % {
                    "shop": organization.name, "code": code, "minutes": minutes}
            message_send(organization_id=organization.pk, channel=Channel.SMS, recipient=e164, purpose=PURPOSE_LOGIN,
                         body=body, secrets=[code])
    return row


@dataclass(frozen=True)
class _Outcome:
    member_id: int | None = None
    error: DomainError | None = None


def login_code_verify(*, organization: Organization, code_id: int, code: str, now: dt.datetime | None = None) -> Member:
    """The member whose code this is, or a refusal: wrong (a try used), expired, or locked after
    ``PORTAL_CODE_MAX_TRIES`` wrong tries. A code works once."""
    now = now or timezone.now()
    code = (code or "").strip()
    with transaction.atomic():
        outcome = _check_code(organization, code_id, code, now)
    if outcome.error is not None:
        raise outcome.error
    member = None
    if outcome.member_id is not None:  # set whenever there is no error
        member = Member.objects.select_related("member_type").filter(organization=organization, pk=outcome.member_id).first()
    if not member_may_log_in(member):
        raise DomainError(E_MEMBER_REFUSED, _("This membership cannot log in. Please ask at the counter."), status=403)
    return member


def _check_code(organization: Organization, code_id: int, code: str, now: dt.datetime) -> _Outcome:
    row = LoginCode.objects.select_for_update().filter(organization=organization, pk=code_id).first()
    max_tries = settings.PORTAL_CODE_MAX_TRIES
    if row is None or row.used_at is not None or now >= row.expires_at:
        return _Outcome(error=DomainError(E_CODE_EXPIRED, _("This code has expired. Ask for a new one."), field="code"))
    if row.wrong_tries >= max_tries:
        return _Outcome(error=DomainError(E_CODE_LOCKED, _("Too many wrong tries. Ask for a new code."),
                                          field="code", status=429))
    right = bool(row.code_hash) and len(code) == CODE_DIGITS and hmac.compare_digest(row.code_hash, _code_hash(row.salt, code))
    if not right:
        LoginCode.objects.filter(pk=row.pk).update(wrong_tries=F("wrong_tries") + 1)
        left = max_tries - row.wrong_tries - 1
        if left <= 0:
            return _Outcome(error=DomainError(E_CODE_LOCKED, _("Too many wrong tries. Ask for a new code."),
                                              field="code", status=429))
        return _Outcome(error=DomainError(E_CODE_WRONG, ngettext(
            "The code is not right. %(n)d try left.", "The code is not right. %(n)d tries left.", left) % {"n": left},
            field="code"))
    LoginCode.objects.filter(pk=row.pk).update(used_at=now)
    return _Outcome(member_id=row.member_id)


CONSENT_PURPOSES = (Consent.Purpose.MARKETING, Consent.Purpose.PROFILING)


@transaction.atomic
def portal_consent_set(*, member: Member, purpose: str, granted: bool, ip: str | None = None) -> bool:
    """The member gives or withdraws a consent from the portal; recorded (channel web) only when it
    changes. Returns whether it changed."""
    if purpose not in CONSENT_PURPOSES:
        raise DomainError(E_PURPOSE, _("Unknown consent."), field="purpose")
    latest = Consent.objects.filter(organization_id=member.organization_id, member=member, purpose=purpose).first()
    current = latest.granted if latest is not None else (member.marketing_consent if purpose == Consent.Purpose.MARKETING else False)
    if current == granted:
        return False
    consent_record(member=member, purpose=purpose, granted=granted, channel=Consent.Channel.WEB,
                   actor=portal_actor(member, ip))
    return True


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    content_type: str
    filename: str


def portal_data_export(*, member: Member, fmt: str, ip: str | None = None) -> ExportFile:
    """The member's own data (PDPA), as JSON or a zip of CSVs; the download is audited."""
    if not member_may_log_in(member):
        raise NotFound("member_not_found", "No member.")
    fmt = "csv" if fmt == "csv" else "json"
    data = privacy.member_data_export(member)
    privacy.member_export_audit(member=member, actor=portal_actor(member, ip), fmt=fmt)
    if fmt == "csv":
        return ExportFile(privacy.export_as_csv_zip(data), "application/zip", f"member-{member.code}.zip")
    return ExportFile(privacy.export_as_json(data), "application/json; charset=utf-8", f"member-{member.code}.json")


def login_codes_purge(*, now: dt.datetime | None = None, keep_hours: int = 24) -> int:
    """Delete login codes older than ``keep_hours`` (the hourly caps read only the last hour).
    Run daily; returns how many rows went."""
    before = (now or timezone.now()) - dt.timedelta(hours=max(keep_hours, 1))
    deleted, _by_model = LoginCode.objects.filter(created_at__lt=before).delete()
    return deleted


def login_codes_forget(*, organization_id: int, phone: str | None, member_id: int) -> int:
    """PDPA erasure: delete the member's login codes (they name the phone). Returns how many."""
    which = Q(member_id=member_id)
    if phone:
        which |= Q(phone=phone)
    deleted, _by_model = LoginCode.objects.filter(which, organization_id=organization_id).delete()
    return deleted


def member_erase(subject: ErasureSubject) -> None:
    """The eraser this app registers (``members.registry``): the member's login codes."""
    login_codes_forget(organization_id=subject.organization_id, phone=subject.phone, member_id=subject.member_id)
