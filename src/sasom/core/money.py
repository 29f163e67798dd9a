"""Money: ``Decimal`` amounts in the currency's own unit, one rounding rule.

Every amount Sasom stores or shows is rounded by :func:`money`: to the currency's minor unit
(``places``: 2 for THB, 0 for IRR; ``core.currency`` holds the table), half up (0.005 -> 0.01 in
THB, 0.5 -> 1 rial in IRR). Points are integers and never pass through here.

One named exception: an amount *given in exchange* for something the member holds (the money a
number of points buys, the money off of a percent coupon) is cut down to the minor unit by
:func:`money_floor`, so the shop never gives more than the points or the coupon are worth. It is
a limit, not a second rounding rule (docs/decisions/0002-money.md, 0009-currency.md).

No other module calls ``Decimal.quantize``: a test greps the source tree for it.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
DEFAULT_PLACES = 2

_STEPS = {places: Decimal(1).scaleb(-places) for places in range(0, 5)}


def _step(places: int) -> Decimal:
    step = _STEPS.get(places)
    if step is None:
        raise ValueError(f"a currency has 0 to 4 decimal places, not {places}")
    return step


def money(value: Decimal | Fraction | int | str, places: int = DEFAULT_PLACES) -> Decimal:
    """The one money rounding rule: to ``places`` decimals (the currency's minor unit), half up."""
    if isinstance(value, Fraction):
        # integers only (the engine calls this per award): units = floor(|n| * 10^p / d + 1/2)
        n, d = value.numerator, value.denominator
        units = (abs(n) * 2 * 10**places + d) // (2 * d)
        return Decimal(-units if n < 0 else units).scaleb(-places)
    return Decimal(value).quantize(_step(places), rounding=ROUND_HALF_UP)


def money_of_decimal(value: Decimal, places: int = DEFAULT_PLACES) -> Decimal:
    """:func:`money` for a ``Decimal`` (the same rule, the same digits): without ``money``'s check
    for a ``Fraction`` (an abstract-class check that costs more than the rounding itself), for
    the hot paths that round hundreds of amounts a call (the promotions engine: B8)."""
    step = _STEPS.get(places)
    return value.quantize(_step(places) if step is None else step, ROUND_HALF_UP)


def money_floor(value: Decimal | int | str, places: int = DEFAULT_PLACES) -> Decimal:
    """``value`` cut down to the minor unit (toward zero): the limit on money given for points or
    by a percent coupon, never more than they are worth."""
    return Decimal(value).quantize(_step(places), rounding=ROUND_DOWN)


def is_cents(value: Decimal, places: int = DEFAULT_PLACES) -> bool:
    """True when ``value`` fits the currency's minor unit: at most ``places`` decimals (two for
    THB, none for IRR): an amount a form or an API may accept."""
    if not value.is_finite():
        return False
    try:
        return value == value.quantize(_step(places))
    except InvalidOperation:  # more digits than the context holds: a whole number, or no amount at all
        return value == value.to_integral_value()


def money_text(value: Decimal, places: int = DEFAULT_PLACES) -> str:
    """An amount as plain text with the currency's decimals (``"12.50"``; ``"12345"`` in IRR),
    for stored parameters."""
    return str(money(value, places))
