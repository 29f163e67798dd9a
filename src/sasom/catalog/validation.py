"""Checks the catalog's services share: codes, prices, pack sizes, active dates.

Each returns the clean value or raises ``DomainError`` naming the field, before anything is stored.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from sasom.core.currency import input_places
from sasom.core.errors import DomainError
from sasom.core.money import is_cents, money

from .errors import (
    ACTIVE_DATES_INVALID,
    BARCODE_INVALID,
    CODE_INVALID,
    NAME_REQUIRED,
    PACK_SIZE_INVALID,
    PRICE_INVALID,
)

# The largest price a ``DecimalField(max_digits=12, decimal_places=2)`` holds, plus one cent.
PRICE_LIMIT = Decimal("10000000000")
PACK_LIMIT = Decimal("10000000")
PACK_PLACES = 3
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-/]*$")
_BARCODE = re.compile(r"^[!-~]+$")  # printable ASCII, no space


def as_decimal(value: Decimal | int | str, *, field: str, code: str) -> Decimal:
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise DomainError(code, _("Give a decimal number."), field=field) from None
    if not number.is_finite():
        raise DomainError(code, _("Give a decimal number."), field=field)
    return number


def clean_price(value: Decimal | int | str, *, field: str = "base_price") -> Decimal:
    """A money amount: at least zero, at most two decimals, below 10 000 000 000."""
    price = as_decimal(value, field=field, code=PRICE_INVALID)
    if price < 0:
        raise DomainError(PRICE_INVALID, _("A price cannot be negative."), field=field)
    if price >= PRICE_LIMIT:  # first: rounding a number of 28 digits or more to cents raises
        raise DomainError(PRICE_INVALID, _("This price is too large."), field=field)
    places = input_places()  # the organization's minor unit (its service sets it: core.currency.amounts_in)
    if not is_cents(price, places):
        raise DomainError(PRICE_INVALID, _("A price has at most two decimals.") if places
                          else _("A price is a whole amount, without decimals."), field=field)
    return money(price, places)


def clean_pack_size(value: Decimal | int | str, *, field: str = "pack_size") -> Decimal:
    """How many units a pack holds: above zero, at most three decimals (1.5 kg packs exist)."""
    size = as_decimal(value, field=field, code=PACK_SIZE_INVALID)
    if size <= 0:
        raise DomainError(PACK_SIZE_INVALID, _("A pack holds more than nothing."), field=field)
    exponent = size.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -PACK_PLACES:
        raise DomainError(PACK_SIZE_INVALID, _("A pack size has at most three decimals."), field=field)
    if size >= PACK_LIMIT:
        raise DomainError(PACK_SIZE_INVALID, _("This pack size is too large."), field=field)
    return size


def clean_active_dates(active_from: dt.date | None, active_to: dt.date | None) -> None:
    if active_from is not None and active_to is not None and active_to < active_from:
        raise DomainError(ACTIVE_DATES_INVALID, _("The product cannot stop before it starts."), field="active_to")


def clean_code(value: str, *, field: str = "code", code: str = CODE_INVALID, max_length: int = 40) -> str:
    """A code people type and systems exchange: letters, digits and ``_ . - /``."""
    text = (value or "").strip()
    if not text or len(text) > max_length or not _CODE.match(text):
        raise DomainError(code, _("Use 1 to %(n)d letters, digits or _ . - /.") % {"n": max_length}, field=field)
    return text


def clean_barcode(value: str, *, field: str = "barcodes") -> str:
    text = (value or "").strip()
    if not text or len(text) > 64 or not _BARCODE.match(text):
        raise DomainError(BARCODE_INVALID, _("A barcode is 1 to 64 printable characters without spaces: %(code)s")
                          % {"code": text[:64]}, field=field)
    return text


def clean_name(value: str, *, field: str, max_length: int, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise DomainError(NAME_REQUIRED, _("Give a name."), field=field)
    if len(text) > max_length:
        raise DomainError(NAME_REQUIRED, _("At most %(n)d characters.") % {"n": max_length}, field=field)
    return text
