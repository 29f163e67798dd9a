"""The organization's own settings: name, currency, time zone, calendar, member code pattern, phone region."""

from __future__ import annotations

import datetime as dt
import string
import zoneinfo
from typing import Any

import phonenumbers
from django.conf import settings
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext as _

from sasom.core.audit import Actor, audit_record, snapshot
from sasom.core.currency import MINOR_UNITS, has_sales
from sasom.core.errors import DomainError
from sasom.organizations.errors import (  # noqa: F401  (codes live in errors.py)
    CALENDAR_INVALID,
    CODE_PATTERN_INVALID,
    CURRENCY_INVALID,
    CURRENCY_LOCKED,
    LANGUAGE_INVALID,
    PHONE_REGION_INVALID,
    TIME_ZONE_INVALID,
    TOMAN_NOT_IRR,
)
from sasom.organizations.models import Branch, Calendar, Organization, Sequence

from ._common import audit_change as _audit_change

__all__ = [
    "CALENDAR_INVALID",
    "CURRENCY_INVALID",
    "CURRENCY_LOCKED",
    "TOMAN_NOT_IRR",
    "LANGUAGE_INVALID",
    "TIME_ZONE_INVALID",
    "CODE_PATTERN_INVALID",
    "PHONE_REGION_INVALID",
    "MEMBER_CODE_SEQUENCE",
    "CODE_PATTERN_FIELDS",
    "ORGANIZATION_FIELDS",
    "code_pattern_check",
    "code_pattern_format",
    "member_code_preview",
    "organization_update",
]


MEMBER_CODE_SEQUENCE = "member_code"  # the counter sasom.members.services bumps (a test holds them equal)
CODE_PATTERN_FIELDS = frozenset({"seq", "yy", "yyyy", "mm", "branch"})
ORGANIZATION_FIELDS = [
    "name",
    "currency",
    "time_zone",
    "language",
    "member_code_pattern",
    "phone_region",
    "calendar",
    "periods_follow_calendar",
    "persian_digits",
    "amounts_in_toman",
    "sales_since",
]


def code_pattern_check(pattern: str) -> None:
    """A member code pattern is a Python format string using only the known fields, with {seq}."""
    try:
        fields = {f for _, f, _, _ in string.Formatter().parse(pattern) if f is not None}
    except ValueError as exc:
        raise DomainError(CODE_PATTERN_INVALID, _("The pattern has unbalanced braces."), field="member_code_pattern") from exc
    if "seq" not in fields:
        raise DomainError(CODE_PATTERN_INVALID, _("The pattern must contain {seq}."), field="member_code_pattern")
    unknown = fields - CODE_PATTERN_FIELDS
    if unknown:
        raise DomainError(
            CODE_PATTERN_INVALID,
            _("Unknown field in the pattern: %(names)s.") % {"names": ", ".join(sorted(unknown))},
            field="member_code_pattern",
        )
    try:
        sample = code_pattern_format(pattern, seq=1)
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise DomainError(CODE_PATTERN_INVALID, _("The pattern cannot be formatted."), field="member_code_pattern") from exc
    if not sample or len(sample) > 40:
        raise DomainError(CODE_PATTERN_INVALID, _("Codes made by this pattern are too long."), field="member_code_pattern")


def code_pattern_format(pattern: str, *, seq: int, branch: str = "B1", on: Any = None) -> str:
    from django.utils import timezone

    today = on or timezone.localdate()
    return pattern.format(
        seq=seq, yy=f"{today.year % 100:02d}", yyyy=f"{today.year}", mm=f"{today.month:02d}", branch=branch
    )


def member_code_preview(organization: Organization, pattern: str | None = None) -> str:
    """The code the next member would get (the counter is not bumped)."""
    current = (
        Sequence.objects.filter(organization=organization, name=MEMBER_CODE_SEQUENCE)
        .values_list("value", flat=True)
        .first()
        or 0
    )
    branch = (
        Branch.objects.filter(organization=organization, is_active=True)
        .order_by("code")
        .values_list("code", flat=True)
        .first()
    )
    return code_pattern_format(pattern or organization.member_code_pattern, seq=current + 1, branch=branch or "")


@transaction.atomic
def organization_update(
    *,
    organization: Organization,
    actor: Actor,
    name: str,
    currency: str,
    time_zone: str,
    member_code_pattern: str,
    phone_region: str,
    calendar: str,
    sales_since: dt.date | None,
    periods_follow_calendar: bool = True,
    persian_digits: bool = False,
    amounts_in_toman: bool = False,
    language: str | None = None,
    logo: Any = None,
) -> Organization:
    """The organization's settings. The currency decides every amount's minor unit
    (``core.currency``); it cannot change once the organization has a sale (its stored amounts
    are in that currency: docs/decisions/0009-currency.md). Toman is a display unit of IRR only.
    ``logo``: a picture already re-encoded (``core.uploads.PictureField``) to store, False to take
    the logo away, None or the stored file to keep it."""
    currency = currency.strip().upper()
    if currency not in MINOR_UNITS:
        raise DomainError(CURRENCY_INVALID, _("Choose one of the currencies Sasom offers: %(codes)s.")
                          % {"codes": ", ".join(MINOR_UNITS)}, field="currency")
    if amounts_in_toman and currency != "IRR":
        raise DomainError(TOMAN_NOT_IRR, _("Toman is a display unit of the Iranian rial (IRR) only."),
                          field="amounts_in_toman")
    time_zone = time_zone.strip()
    if time_zone not in zoneinfo.available_timezones():
        raise DomainError(TIME_ZONE_INVALID, _("Unknown time zone; use a name such as Asia/Bangkok."), field="time_zone")
    member_code_pattern = member_code_pattern.strip()
    code_pattern_check(member_code_pattern)
    phone_region = phone_region.strip().upper()
    if phone_region not in phonenumbers.SUPPORTED_REGIONS:
        raise DomainError(PHONE_REGION_INVALID, _("Use a two-letter country code such as TH."), field="phone_region")
    if calendar not in Calendar.values:
        raise DomainError(CALENDAR_INVALID, _("Choose Gregorian, Thai Buddhist era or Jalali."), field="calendar")
    if language is not None and language not in dict(settings.LANGUAGES):
        raise DomainError(LANGUAGE_INVALID, _("Choose one of the languages Sasom speaks."), field="language")
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    if currency != organization.currency and has_sales(organization.pk):
        raise DomainError(CURRENCY_LOCKED, _("The currency cannot change once the organization has sales: "
                                             "their amounts are in %(code)s.") % {"code": organization.currency},
                          field="currency")
    before = snapshot(organization, ORGANIZATION_FIELDS)
    if language is not None:
        organization.language = language
    organization.name = name.strip()
    organization.currency = currency
    organization.time_zone = time_zone
    organization.member_code_pattern = member_code_pattern
    organization.phone_region = phone_region
    organization.calendar = calendar
    organization.periods_follow_calendar = periods_follow_calendar
    organization.persian_digits = persian_digits
    organization.amounts_in_toman = amounts_in_toman
    organization.sales_since = sales_since
    organization.save(update_fields=ORGANIZATION_FIELDS)
    _audit_change(organization.id, actor, "organization.update", organization, before, ORGANIZATION_FIELDS)
    if logo is False or (logo is not None and not isinstance(logo, FieldFile)):
        _logo_set(organization, actor, None if logo is False else logo)
    return organization


def _logo_set(organization: Organization, actor: Actor, picture: Any | None) -> None:
    before = organization.logo.name if organization.logo else ""
    if picture is None:
        organization.logo = None  # a FileField takes None to clear
    else:
        organization.logo.save(picture.name, picture, save=False)
    organization.save(update_fields=["logo"])
    audit_record(organization_id=organization.id, actor=actor, action="organization.logo", obj=organization,
                 changes={"logo": [before, organization.logo.name if organization.logo else ""]})
