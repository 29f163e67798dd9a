"""Two-step login (TOTP authenticator apps) for owners and administrators.

Enrollment is two steps: :func:`totp_enroll_begin` makes an unconfirmed device whose secret the
person scans as a QR code; :func:`totp_enroll_confirm` checks one code from the app and confirms
it. From then on the back office asks for a code once per session. Removing the device needs a
valid code, so a borrowed, logged-in session alone cannot switch the second step off.

A wrong code is counted by django-otp's throttling on the device row. That count must survive the
refusal, so the code is checked *before* the atomic block that changes anything (a refusal raised
inside the block would roll the count back and allow unlimited guessing).
"""

from __future__ import annotations

from base64 import b32encode
from urllib.parse import quote, urlencode

import segno
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from sasom.core.audit import Actor, audit_record
from sasom.core.errors import Conflict, DomainError, Forbidden
from sasom.organizations.errors import (  # noqa: F401  (codes live in errors.py)
    TOTP_ALREADY_ENROLLED,
    TOTP_CODE_INVALID,
    TOTP_NOT_ENROLLED,
    TOTP_NOT_STARTED,
    TOTP_ROLE_NOT_ALLOWED,
)
from sasom.organizations.models import Role, Staff

TOTP_ROLES = frozenset({Role.OWNER, Role.ADMIN})
DEVICE_NAME = "authenticator"
ISSUER = "Sasom"


def _ensure_role(staff: Staff) -> None:
    if staff.role not in TOTP_ROLES:
        raise Forbidden(TOTP_ROLE_NOT_ALLOWED, _("Two-step login is for owners and administrators."))


def totp_device(staff: Staff, *, confirmed: bool) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user_id=staff.user_id, confirmed=confirmed).order_by("-id").first()


def totp_secret(device: TOTPDevice) -> str:
    """The secret in base32, for typing into an app by hand."""
    return b32encode(device.bin_key).decode().rstrip("=")


def totp_uri(device: TOTPDevice, staff: Staff) -> str:
    """The ``otpauth://`` URI an authenticator app reads from the QR code."""
    issuer = f"{ISSUER} {staff.organization.code}".replace(":", "")  # ASCII keeps the QR code small
    label = f"{issuer}:{staff.user.get_username()}"
    params = urlencode(
        {"secret": totp_secret(device), "algorithm": "SHA1", "digits": device.digits, "period": device.step}
    )
    return f"otpauth://totp/{quote(label)}?{params}&issuer={quote(issuer)}"


def totp_qr_svg(uri: str) -> str:
    """The URI as an inline SVG QR code (no image request, no third-party QR service)."""
    return segno.make(uri, error="m").svg_inline(
        scale=5, border=2, dark="#1f2933", light="#ffffff", omitsize=True, title="QR"
    )


@transaction.atomic
def totp_enroll_begin(*, staff: Staff, actor: Actor) -> TOTPDevice:
    """Start (or restart) enrollment: a fresh secret replaces any unconfirmed one."""
    _ensure_role(staff)
    if totp_device(staff, confirmed=True) is not None:
        raise Conflict(TOTP_ALREADY_ENROLLED, _("An authenticator app is already set up; remove it first."))
    TOTPDevice.objects.filter(user_id=staff.user_id, confirmed=False).delete()
    return TOTPDevice.objects.create(user_id=staff.user_id, name=DEVICE_NAME, confirmed=False)


def _verify(device: TOTPDevice, token: str) -> None:
    token = (token or "").strip().replace(" ", "")
    if not (token.isdigit() and len(token) == device.digits) or not device.verify_token(token):
        raise DomainError(TOTP_CODE_INVALID, _("That code is not valid. Check the time on your phone and try again."), field="token")


def totp_enroll_confirm(*, staff: Staff, actor: Actor, token: str) -> TOTPDevice:
    _ensure_role(staff)
    device = totp_device(staff, confirmed=False)
    if device is None:
        raise DomainError(TOTP_NOT_STARTED, _("Start the setup again."))
    _verify(device, token)
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit_record(
            organization_id=staff.organization_id,
            actor=actor,
            action="staff.totp_enroll",
            obj=staff,
            changes={"totp": [False, True]},
        )
    return device


def totp_remove(*, staff: Staff, actor: Actor, token: str) -> None:
    _ensure_role(staff)
    device = totp_device(staff, confirmed=True)
    if device is None:
        raise DomainError(TOTP_NOT_ENROLLED, _("No authenticator app is set up."))
    _verify(device, token)
    with transaction.atomic():
        TOTPDevice.objects.filter(user_id=staff.user_id).delete()
        audit_record(
            organization_id=staff.organization_id,
            actor=actor,
            action="staff.totp_remove",
            obj=staff,
            changes={"totp": [True, False]},
        )
