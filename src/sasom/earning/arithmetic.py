"""The arithmetic every rule shares (decided in docs/points.md).

* money is rounded in one place, :func:`sasom.core.money.money` (2 places, half up); everything
  before it is exact (``Fraction``), so no float ever touches a point;
* points are floored once per bill (default) or once per line (``EarnPolicy.rounding = "line"``);
* award modes: ``multiply`` "x m" makes the matched base points m times as large (the award adds
  base × (m − 1)); ``extra_times`` "extra x m" adds base × m on top of the base; ``fixed`` adds points.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from typing import Protocol

from sasom.core.money import money

ZERO = Decimal("0")


class Mode:
    MULTIPLY = "multiply"  # "x m": total m × base, the award is base × (m − 1)
    EXTRA_TIMES = "extra_times"  # "extra x m": the award is base × m on top of the base
    FIXED = "fixed"  # "+ P points"


class Rounding:
    BILL = "bill"
    LINE = "line"


# per currency's places: the quantum of its minor unit (1, 0.1, 0.01, ...) and the format of an amount
_QUANTUM = {places: Decimal(1).scaleb(-places) for places in range(0, 5)}
_MONEY_FORMAT = {places: f",.{places}f" for places in range(0, 5)}


def fmt_money(value: Decimal, places: int = 2) -> str:
    """An amount in an explanation, with the currency's decimals (``Bill.places``): ``1,000.00``
    THB, ``1,172,839`` IRR. Explanations keep the stored currency (rial, not toman): screens
    convert at display (``earning.explain.explanation_in``; docs/decisions/0009-currency.md).

    An amount already at exactly ``places`` decimals (the bill's nets, rounded once by ``money``)
    is formatted as it is: ``money`` would give it back digit for digit."""
    spec = _MONEY_FORMAT.get(places)
    if spec is not None and isinstance(value, Decimal) and value.same_quantum(_QUANTUM[places]):
        return format(value, spec)
    return f"{money(value, places):,.{places}f}"


def fmt_points(value: Fraction | int) -> str:
    # an int or a Fraction carries its lowest terms (numerator, denominator): no new Fraction needed
    if value.denominator == 1:
        return f"{value.numerator:,}"
    shown = money(Fraction(value))
    return f"{shown:,.2f}".rstrip("0").rstrip(".")


_DECIMAL_TEXT: dict[Decimal, str] = {}


def fmt_decimal(value: Decimal) -> str:
    """``value`` as plain text without trailing zeros (``2``, ``1.5``); a rule's constants
    (multipliers, per amounts, percents) are remembered: they repeat on every bill."""
    text = _DECIMAL_TEXT.get(value)
    if text is None:
        text = format(value.normalize(), "f")
        if not value.is_zero():  # 0 and -0 are equal keys with different texts
            if len(_DECIMAL_TEXT) > 10_000:
                _DECIMAL_TEXT.clear()
            _DECIMAL_TEXT[value] = text
    return text


def floor_product(a: Fraction | int, b: Fraction | int) -> int:
    """``math.floor(a * b)`` in integers, without building the product as a ``Fraction`` (the
    engine floors points per award)."""
    return (a.numerator * b.numerator) // (a.denominator * b.denominator)



class Rate(Protocol):
    """A base rate: every ``per_amount`` money earns ``points``."""

    @property
    def points(self) -> int: ...

    @property
    def per_amount(self) -> Decimal: ...


_RATES: dict[tuple[int, Decimal], Fraction] = {}


def rate_of(rule: Rate) -> Fraction:
    """``rule.rate``, remembered per (points, per_amount)."""
    key = (rule.points, rule.per_amount)
    rate = _RATES.get(key)
    if rate is None:
        rate = _RATES[key] = Fraction(rule.points) / Fraction(rule.per_amount)
    return rate


@lru_cache(maxsize=10_000)
def fraction_of(value: Decimal) -> Fraction:
    """``Fraction(value)``, remembered (rule constants repeat across baskets)."""
    return Fraction(value)


@lru_cache(maxsize=10_000)
def _less_one(value: Decimal) -> Fraction:
    """``Fraction(value) - 1``, remembered (a multiplier's award is base × (m − 1))."""
    return fraction_of(value) - 1


@dataclass(frozen=True, slots=True)
class Boost:
    """How a promotion rewards: ``multiply`` / ``extra_times`` (``value`` = m) or ``fixed`` points."""

    mode: str
    value: Decimal

    def label(self) -> str:
        if self.mode == Mode.MULTIPLY:
            return f"x{fmt_decimal(self.value)}"
        if self.mode == Mode.EXTRA_TIMES:
            return f"extra x{fmt_decimal(self.value)}"
        return f"+{int(self.value)} pts"

    def apply(self, base: Fraction | int) -> tuple[int, str]:
        """Award points on ``base`` points, and the arithmetic in words."""
        if self.mode == Mode.MULTIPLY:
            points = floor_product(base, _less_one(self.value))
            return points, f"{fmt_points(base)} base pts × ({fmt_decimal(self.value)} − 1) = {points} pts"
        if self.mode == Mode.EXTRA_TIMES:
            points = floor_product(base, fraction_of(self.value))
            return points, f"{fmt_points(base)} base pts × {fmt_decimal(self.value)} extra = {points} pts"
        points = int(self.value)
        return points, f"+{points} pts"

    @property
    def multiplier(self) -> Decimal | None:
        return None if self.mode == Mode.FIXED else self.value
