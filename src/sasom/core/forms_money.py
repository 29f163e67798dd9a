"""Amounts of money typed in the organization's display unit: the field every back-office form
with an amount uses (docs/decisions/0009-currency.md).

The currency of the request is activated once, with the zone and the calendar, by the shop's
context (``core.shopcontext``: ``ShopContextMiddleware`` after the staff context, ``shop_activate``
for the portal, API keys and the worker's jobs); without one (an import, a test) fields read THB's
two places. A THB shop types ``12.50``; an IRR shop whole rial;
a shop showing amounts in toman types toman, at most one decimal (``12,345.6`` toman = 123,456
rial), and the field cleans to the stored amount (rial). A stored amount given as the initial value
is shown back in the same unit, so an edit shows what was typed (``20000``, not ``200000``).
Thousands separators and Persian digits are understood; an amount finer than the unit can store
is refused on its field.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sasom.core.currency import Currency, currency_of, unit_label

_NO_SHOP = Currency()  # THB, two places (frozen)
_ACTIVE: contextvars.ContextVar[Currency] = contextvars.ContextVar("sasom_currency", default=_NO_SHOP)

# digits and separators a person may type: Persian and Arabic digits, Persian separators, spaces
_TO_PLAIN = str.maketrans({**{c: str(i % 10) for i, c in enumerate("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩")},
                           "٫": ".", "٬": None, ",": None, " ": None, "\u00a0": None, "\u202f": None})


def currency_activate(currency: Currency) -> contextvars.Token[Currency]:
    """Make ``currency`` the one money fields show and read (returns the token to reset with)."""
    return _ACTIVE.set(currency)


def currency_deactivate(token: contextvars.Token[Currency]) -> None:
    _ACTIVE.reset(token)


def active_currency() -> Currency:
    return _ACTIVE.get()


@contextmanager
def currency_of_shop(organization: Any) -> Iterator[Currency]:
    """Money fields in ``organization``'s currency for the block (a worker or a test)."""
    currency = currency_of(organization)
    token = currency_activate(currency)
    try:
        yield currency
    finally:
        currency_deactivate(token)


def shown_text(value: Decimal | int | str, currency: Currency) -> str:
    """A stored amount as a money field shows it: the display unit, no grouping; a toman amount
    without a trailing ``.0`` (``20000``, ``12345.6``), other currencies with their places."""
    shown = currency.shown_amount(Decimal(value))
    if currency.toman:
        return format(shown.normalize(), "f") if shown != shown.to_integral_value() else format(shown, ".0f")
    return format(shown, "f")


def typed_amount(raw: Any) -> Decimal | None:
    """What a person typed (``20,000``, ``۲۰٬۰۰۰``, ``12.5``) as a number; None when it is none."""
    try:
        value = Decimal(str(raw).translate(_TO_PLAIN).strip())
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


class ShopMoneyInput(forms.TextInput):
    """A left-to-right text box for an amount (a number box would refuse ``20,000`` and Persian
    digits); the bounds are the field's to check, in the stored unit, so none is drawn."""

    input_type = "text"

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        for key in ("min", "max", "step"):
            widget_attrs.pop(key, None)
        widget_attrs.setdefault("inputmode", "decimal")
        widget_attrs.setdefault("dir", "ltr")
        widget_attrs.setdefault("data-unit", active_currency().unit_code())
        return context


class ShopMoneyField(forms.DecimalField):
    """An amount of money typed and shown in the organization's display unit, cleaned to the
    stored amount (``Decimal``, the currency's places: rial for a toman shop, × 10). Refused on
    its field: no number, more decimals than the display unit has (``12,345.67`` toman; ``12.5``
    rial; ``1.234`` baht), and, unless the form says otherwise, a negative amount. ``min_value``
    and ``max_value`` are in the stored unit (the column's)."""

    widget = ShopMoneyInput
    default_error_messages = {
        "invalid": _("Enter an amount, e.g. %(example)s."),
        "too_fine": _("An amount in %(unit)s has at most %(places)s decimal places."),
        "too_fine_whole": _("An amount in %(unit)s is a whole number."),
    }

    def __init__(self, *, min_value: Any = Decimal(0), max_value: Any = None, max_digits: int | None = None,
                 decimal_places: int | None = None, **kwargs: Any) -> None:
        if max_value is None and max_digits is not None:
            # the column's own largest amount (a rial column holds more than the forms' default bound)
            places = decimal_places or 0
            max_value = Decimal(10) ** (max_digits - places) - Decimal(1).scaleb(-places)
        super().__init__(min_value=min_value, max_value=max_value, max_digits=max_digits,
                         decimal_places=decimal_places, **kwargs)

    def prepare_value(self, value: Any) -> Any:
        # a stored amount (an initial value) in the display unit; what was typed stays as typed
        if isinstance(value, Decimal | int) and not isinstance(value, bool):
            return shown_text(value, active_currency())
        return value

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if value in self.empty_values:
            return None
        currency = active_currency()
        if isinstance(value, Decimal | int) and not isinstance(value, bool):
            return currency.round(value)  # already a stored amount (a form given one in code)
        shown = typed_amount(value)
        if shown is None:
            example = "20,000" if currency.toman else ("20000" if currency.places == 0 else "25.50")
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid", params={"example": example})
        if not currency.fits_shown(shown):
            unit = unit_label(currency)
            if currency.shown_places == 0:
                raise forms.ValidationError(self.error_messages["too_fine_whole"], code="too_fine",
                                            params={"unit": unit})
            raise forms.ValidationError(self.error_messages["too_fine"], code="too_fine",
                                        params={"unit": unit, "places": currency.shown_places})
        # THB and rial as typed (``25`` stays ``25``); toman × 10, exactly (it fits a rial)
        return currency.stored(shown) if currency.toman else shown

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            return self.to_python(data) != (None if initial in self.empty_values else Decimal(initial))
        except (forms.ValidationError, InvalidOperation, TypeError, ValueError):
            return True


# --- amounts typed inside free text (spend steps, basket lines, a spend ladder, promotion rows) ---

_ONE_AMOUNT = ShopMoneyField(min_value=None)


def amount_typed(raw: Any) -> Decimal:
    """One amount typed inside a free-text box, read as ``ShopMoneyField`` reads its box (the
    request's display unit; ``20,000`` toman = ``200000`` rial, exactly) and returned as stored.
    Raises ``forms.ValidationError`` (code ``invalid`` or ``too_fine``) for the caller to name the
    line or cell; whether a negative amount is allowed is the caller's to say."""
    amount = _ONE_AMOUNT.to_python(str(raw).strip())
    if amount is None:
        raise forms.ValidationError(_ONE_AMOUNT.error_messages["required"], code="required")
    return amount


def amount_error(exc: forms.ValidationError) -> str:
    """The message of :func:`amount_typed`'s refusal, formatted, to put after a line's number."""
    return " ".join(str(m) for m in exc.messages)


def amount_shown(value: Any) -> str:
    """A stored amount written back into a free-text box: in the display unit for a toman shop
    (``200000`` rial → ``20000``); other shops as stored, unchanged; a value that is no amount, as
    it is."""
    currency = active_currency()
    if value in (None, "") or not currency.toman:
        return "" if value is None else str(value)
    try:
        return shown_text(Decimal(str(value)), currency)
    except (ArithmeticError, ValueError):
        return str(value)


def split_columns(line: str) -> list[str]:
    """The columns of one line of comma-separated free text (a basket line, a ladder's tier). A
    line with a semicolon is split on semicolons instead, so an amount in it may carry thousands
    separators (``LIP01; BEAUTY; ; 1; 20,000; 0``); a line without one reads as it always has."""
    return [p.strip() for p in line.split(";" if ";" in line else ",")]
