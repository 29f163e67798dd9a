"""Money: ``Decimal`` amounts in the currency's smallest unit, one rounding rule.

Every amount Sasom stores or shows is rounded by :func:`money`: two places, half up (0.005 ->
0.01). Points are integers and never pass through here.

One named exception: an amount *given in exchange* for something the member holds (the money a
number of points buys, the money off of a percent coupon) is cut down to the cent by
:func:`money_floor`, so the shop never gives more than the points or the coupon are worth. It is
a limit, not a second rounding rule (docs/decisions/0002-money.md).

No other module calls ``Decimal.quantize``: a test greps the source tree for it.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def money(value: Decimal | Fraction | int | str) -> Decimal:
    """The one money rounding rule: two places, half up."""
    if isinstance(value, Fraction):
        # integers only (the engine calls this per award): cents = floor(|n| * 100 / d + 1/2)
        n, d = value.numerator, value.denominator
        cents = (abs(n) * 200 + d) // (2 * d)
        return Decimal(-cents if n < 0 else cents).scaleb(-2)
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def money_floor(value: Decimal | int | str) -> Decimal:
    """``value`` cut down to the cent (toward zero): the limit on money given for points or by a
    percent coupon, never more than they are worth."""
    return Decimal(value).quantize(CENT, rounding=ROUND_DOWN)


def is_cents(value: Decimal) -> bool:
    """True when ``value`` has at most two decimals (an amount a form or an API may accept)."""
    if not value.is_finite():
        return False
    try:
        return value == value.quantize(CENT)
    except InvalidOperation:  # more digits than the context holds: a whole number, or no amount at all
        return value == value.to_integral_value()


def money_text(value: Decimal) -> str:
    """An amount as plain text with two decimals (``"12.50"``), for stored parameters."""
    return str(money(value))
