"""Checks shared by registration, editing, the API and the CSV import.

Each check returns :class:`DomainError` values naming the field, so a form can show every problem
at once and a service can refuse with the first one.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from sasom.core.errors import Conflict, DomainError
from sasom.members.errors import (  # noqa: F401  (codes live in errors.py)
    CARD_TAKEN,
    CODE_INVALID,
    CODE_TAKEN,
    CUSTOM_INVALID,
    DATE_IMPOSSIBLE,
    EMAIL_INVALID,
    PHONE_INVALID,
    PHONE_TAKEN,
    TAGS_INVALID,
    WRONG_ORGANIZATION,
)

from .models import Card, CustomField, Member, MemberCodeChange

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")


def normalize_phone(raw: str, region: str = "TH") -> str:
    """``081-234-5678`` and ``+66 81 234 5678`` both become ``+66812345678`` (E.164)."""
    text = (raw or "").strip()
    if not text:
        raise DomainError(PHONE_INVALID, _("Enter a phone number."), field="phone")
    try:
        number = phonenumbers.parse(text, region or "TH")
    except phonenumbers.NumberParseException:
        raise DomainError(PHONE_INVALID, _("This is not a phone number."), field="phone") from None
    if not phonenumbers.is_valid_number(number):
        raise DomainError(PHONE_INVALID, _("This phone number is not valid."), field="phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def try_normalize_phone(raw: str, region: str = "TH") -> str | None:
    try:
        return normalize_phone(raw, region)
    except DomainError:
        return None


@functools.lru_cache(maxsize=65536)
def phone_e164(raw: str, region: str) -> str | None:
    """``try_normalize_phone``, kept per process: a pure function of its two arguments whose parse
    (``phonenumbers``) cost about 0.5 ms of a sale's 17 under cProfile and a quarter of a day-end
    batch's member resolution; a till and a day's file name the same regulars again and again.
    Bounded, least recently used dropped."""
    return try_normalize_phone(raw, region)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later; the 31st becomes the last day of a shorter month."""
    total = day.year * 12 + (day.month - 1) + months
    year, month = divmod(total, 12)
    month += 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def parse_date(text: str) -> dt.date:
    """ISO ``2026-03-31`` or Thai ``31/03/2569``; a year above 2400 is Buddhist era (minus 543)."""
    text = (text or "").strip()
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    if m:
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    else:
        m = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
        if not m:
            raise ValueError(text)
        day, month, year = int(m[1]), int(m[2]), int(m[3])
    if year > 2400:
        year -= 543
    return dt.date(year, month, day)


def clean_custom_values(
    definitions: Iterable[CustomField], raw: Mapping[str, Any]
) -> tuple[dict[str, Any], list[DomainError]]:
    """Values for the organization's custom fields, converted by kind (dates as ISO text)."""
    values: dict[str, Any] = {}
    errors: list[DomainError] = []
    for d in definitions:
        field = f"custom_{d.key}"
        value = raw.get(d.key)
        text = "" if value is None else str(value).strip()
        if not text:
            if d.required:
                errors.append(DomainError(CUSTOM_INVALID, _("This field is required."), field=field))
            continue
        if d.kind == CustomField.Kind.NUMBER:
            try:
                values[d.key] = str(Decimal(text.replace(",", "")))
            except InvalidOperation:
                errors.append(DomainError(CUSTOM_INVALID, _("Enter a number."), field=field))
        elif d.kind == CustomField.Kind.DATE:
            try:
                values[d.key] = parse_date(text).isoformat()
            except ValueError:
                errors.append(DomainError(CUSTOM_INVALID, _("Enter a valid date."), field=field))
        elif d.kind == CustomField.Kind.CHOICE:
            if text not in (d.choices or []):
                errors.append(
                    DomainError(
                        CUSTOM_INVALID,
                        _("Choose one of: %(choices)s.") % {"choices": ", ".join(map(str, d.choices or []))},
                        field=field,
                    )
                )
            else:
                values[d.key] = text
        else:
            values[d.key] = text[:500]
    return values, errors


def member_check(
    *,
    organization_id: int,
    data: Mapping[str, Any],
    member: Member | None = None,
    card_number: str = "",
    today: dt.date | None = None,
) -> list[DomainError]:
    """Every problem with ``data`` (model field names) for a new member or for ``member``.

    ``data["phone"]`` must already be E.164. Uniqueness is checked against stored members, cards
    and former member codes (an old code keeps finding its member, so nobody else may take it).
    """
    today = today or dt.date.today()
    errors: list[DomainError] = []
    own_id = member.pk if member else None

    phone = data.get("phone")
    if phone:
        taken = Member.objects.filter(organization_id=organization_id, phone=phone)
        if own_id is not None:
            taken = taken.exclude(pk=own_id)
        if taken.exists():
            errors.append(Conflict(PHONE_TAKEN, _("Another member already has this phone number."), field="phone"))

    code = (data.get("code") or "").strip()
    if code:
        errors.extend(code_check(organization_id=organization_id, code=code, member=member))

    if card_number:
        if Card.objects.filter(organization_id=organization_id, number=card_number).exists():
            errors.append(Conflict(CARD_TAKEN, _("This card number is already in use."), field="card_number"))

    errors.extend(date_problems(data, today))
    errors.extend(text_problems(data))
    for name in ("member_type", "home_branch", "referred_by"):
        obj = data.get(name)
        if obj is not None and obj.organization_id != organization_id:
            errors.append(DomainError(WRONG_ORGANIZATION, _("Not found in this organization."), field=name))
    referred_by = data.get("referred_by")
    if referred_by is not None and own_id is not None and referred_by.pk == own_id:
        errors.append(DomainError(WRONG_ORGANIZATION, _("A member cannot refer themselves."), field="referred_by"))
    return errors


MAX_TAGS = 50
MAX_TAG_LENGTH = 40


def text_problems(data: Mapping[str, Any]) -> list[DomainError]:
    """An e-mail that is not an address; tags too many or too long (the forms cut a tag at 40
    characters; the API and imports are told)."""
    errors: list[DomainError] = []
    email = (data.get("email") or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors.append(DomainError(EMAIL_INVALID, _("Enter a valid e-mail address."), field="email"))
    tags = data.get("tags") or []
    if len(tags) > MAX_TAGS or any(not isinstance(t, str) or len(t) > MAX_TAG_LENGTH for t in tags):
        errors.append(DomainError(TAGS_INVALID, _("At most %(n)s tags of at most %(len)s characters each.")
                                  % {"n": MAX_TAGS, "len": MAX_TAG_LENGTH}, field="tags"))
    return errors


def date_problems(data: Mapping[str, Any], today: dt.date) -> list[DomainError]:
    """Impossible dates: born in the future, joined in the future, expiring before joining."""
    errors: list[DomainError] = []
    birth_on = data.get("birth_on")
    if birth_on and (birth_on > today or birth_on.year < 1900):
        errors.append(DomainError(DATE_IMPOSSIBLE, _("The birth date is impossible."), field="birth_on"))
    joined_on = data.get("joined_on")
    if joined_on and joined_on > today + dt.timedelta(days=1):
        errors.append(DomainError(DATE_IMPOSSIBLE, _("The join date is in the future."), field="joined_on"))
    expires_on = data.get("expires_on")
    if expires_on and joined_on and expires_on < joined_on:
        errors.append(DomainError(DATE_IMPOSSIBLE, _("The card cannot expire before the member joined."), field="expires_on"))
    return errors


def code_check(*, organization_id: int, code: str, member: Member | None = None) -> list[DomainError]:
    own_id = member.pk if member else None
    if not CODE_RE.match(code) or len(code) > 40:
        return [DomainError(CODE_INVALID, _("Use letters, digits and . _ / - only (at most 40)."), field="code")]
    taken = Member.objects.filter(organization_id=organization_id, code=code)
    former = MemberCodeChange.objects.filter(organization_id=organization_id, old_code=code)
    if own_id is not None:
        taken, former = taken.exclude(pk=own_id), former.exclude(member_id=own_id)
    if taken.exists():
        return [Conflict(CODE_TAKEN, _("Another member already has this code."), field="code")]
    if former.exists():
        return [Conflict(CODE_TAKEN, _("This code belonged to another member before."), field="code")]
    return []
