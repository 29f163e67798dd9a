"""Currencies Sasom offers: their ISO 4217 minor unit, and the toman as a display unit.

An organization's ``currency`` decides how many decimals its amounts have (``places``): THB, USD
and EUR two, IRR none. Every engine gets ``places`` from its compiled per-organization inputs and
rounds with ``core.money.money(value, places)``: one rounding rule, the minor unit a parameter
(docs/decisions/0009-currency.md).

**Toman.** Iranian shops think in toman (1 toman = 10 rial) while the currency, and every stored or
API amount, is the rial. An IRR organization may show amounts in toman (``amounts_in_toman``):
screens, receipts, exports and PDFs divide by ten and forms multiply by ten. A toman amount with
one decimal is a whole number of rial (12,345.6 toman = 123,456 rial), so forms accept one decimal
in toman and nothing finer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import pgettext_lazy

from sasom.core.calendars import persian_digits
from sasom.core.money import is_cents, money

# ISO 4217 minor units of the currencies an organization may choose
MINOR_UNITS: dict[str, int] = {"THB": 2, "USD": 2, "EUR": 2, "IRR": 0}
TOMAN_RIAL = 10  # 1 toman = 10 rial
TOMAN_PLACES = 1  # one decimal of a toman is one rial


def places_of(code: str) -> int:
    """The minor unit (decimal places) of ``code``; two for a code not in the table."""
    return MINOR_UNITS.get((code or "").upper(), 2)


@dataclass(frozen=True, slots=True)
class Currency:
    """A currency and how a shop shows it: ``code`` (ISO 4217), ``places`` (its minor unit) and
    whether amounts are shown and typed in toman (IRR only)."""

    code: str = "THB"
    places: int = 2
    toman: bool = False

    @classmethod
    def of(cls, code: str, *, toman: bool = False) -> Currency:
        code = (code or "THB").upper()
        return cls(code=code, places=places_of(code), toman=toman and code == "IRR")

    def round(self, value: Any) -> Decimal:
        return money(value, self.places)

    def fits(self, value: Decimal) -> bool:
        """``value`` has no more decimals than the minor unit (no decimals in IRR)."""
        return is_cents(value, self.places)

    # the display unit: what screens show and forms take
    @property
    def shown_places(self) -> int:
        return TOMAN_PLACES if self.toman else self.places

    def shown(self, value: Decimal) -> Decimal:
        """A stored amount in the display unit (rial ÷ 10 for a toman shop)."""
        return Decimal(value) / TOMAN_RIAL if self.toman else Decimal(value)

    def shown_amount(self, value: Decimal) -> Decimal:
        """A stored amount in the display unit, to its decimals (exports: 117283.9 toman)."""
        return money(self.shown(value), self.shown_places)

    def stored(self, shown: Decimal) -> Decimal:
        """An amount typed in the display unit as stored (toman × 10 = rial). The caller checks
        :meth:`fits_shown` first."""
        return self.round(shown * TOMAN_RIAL if self.toman else shown)

    def fits_shown(self, shown: Decimal) -> bool:
        return is_cents(shown, self.shown_places)

    def unit_code(self) -> str:
        """The display unit's code: ``TOMAN`` for a toman shop, else the ISO code."""
        return "TOMAN" if self.toman else self.code


def currency_of(organization: Any) -> Currency:
    """The organization's currency (duck-typed: a model row or any object with ``currency`` and
    ``amounts_in_toman``); THB when there is none."""
    if organization is None:
        return Currency()
    return Currency.of(getattr(organization, "currency", "") or "THB",
                       toman=bool(getattr(organization, "amounts_in_toman", False)))


def parse_shown(raw: Any, currency: Currency) -> Decimal | None:
    """A typed amount in the display unit (``"12,345.6"``) as stored money, or None when it is not
    an amount that fits the display unit."""
    try:
        value = Decimal(str(raw).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        return None
    if not value.is_finite() or not currency.fits_shown(value):
        return None
    return currency.stored(value)


def format_amount(value: Decimal | int | None, currency: Currency, *, digits: bool = False, empty: str = "") -> str:
    """A stored amount as a person reads it: in the display unit, grouped by thousands, with the
    unit's decimals (``1,234.50`` THB; ``123,456.7`` toman, the decimal only when it is not zero);
    Persian digits when ``digits``."""
    if value in (None, ""):
        return empty
    assert value is not None
    shown = currency.shown(Decimal(value))
    if currency.toman:
        rounded = money(shown, TOMAN_PLACES)
        text = f"{rounded:,.0f}" if rounded == rounded.to_integral_value() else f"{rounded:,.1f}"
    else:
        text = f"{money(shown, currency.places):,.{currency.places}f}"
    return persian_digits(text) if digits else text


def shop_money(value: Decimal | int | None, organization: Any, *, language: str, empty: str = "") -> str:
    """An amount as the organization's readers see it (the ``shopmoney`` template tag): its display
    unit, and Persian digits when the organization asks for them and the reader reads Persian (as
    ``core.dates.shop_digits`` does for dates)."""
    digits = bool(getattr(organization, "persian_digits", False)) and language.startswith("fa")
    return format_amount(value, currency_of(organization), digits=digits, empty=empty)


UNIT_LABELS = {
    "THB": pgettext_lazy("currency", "THB"),
    "IRR": pgettext_lazy("currency", "IRR"),
    "USD": pgettext_lazy("currency", "USD"),
    "EUR": pgettext_lazy("currency", "EUR"),
    "TOMAN": pgettext_lazy("currency", "toman"),
}


def unit_label(currency: Currency) -> Any:
    """The display unit's name for a reader (``toman`` / ``تومان``)."""
    code = currency.unit_code()
    return UNIT_LABELS.get(code, code)


# Whether an organization has sales is the ledger's to say; core cannot import it (a higher
# layer), so the ledger registers the question when it loads (``ledger.apps``).
_SALES_CHECKS: list[Callable[[int], bool]] = []


def sales_check_register(check: Callable[[int], bool]) -> None:
    if check not in _SALES_CHECKS:
        _SALES_CHECKS.append(check)


def has_sales(organization_id: int) -> bool:
    """True when any registered app says the organization has sales (its currency is then fixed)."""
    return any(check(organization_id) for check in _SALES_CHECKS)


# The minor unit typed amounts must fit while a service validates an organization's input (rule
# parameters, prices): the validators are shared by forms, the API and imports and take no
# organization, so the service states the places around them with :func:`amounts_in`.
_INPUT_PLACES: ContextVar[int] = ContextVar("sasom_input_places", default=2)


def input_places() -> int:
    """The minor unit of the organization whose input is being validated (2 outside :func:`amounts_in`)."""
    return _INPUT_PLACES.get()


@contextmanager
def amounts_in(places: int) -> Iterator[None]:
    token = _INPUT_PLACES.set(places)
    try:
        yield
    finally:
        _INPUT_PLACES.reset(token)
