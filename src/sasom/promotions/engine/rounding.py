"""Money rounding counted in minor units: ``core.money.money``'s one rule (half up to the
currency's minor unit), without its general checks, for the engine's hot paths (every discount
of every trial is rounded: docs/performance.md, B8)."""

from __future__ import annotations

from decimal import Decimal

from sasom.core.money import money
from sasom.promotions.engine.types import ZERO

HALF = Decimal("0.5")
ONE = Decimal(1)
EXACT_BELOW = Decimal("1E20")  # a value of the context's 28 digits below it keeps 8 digits below the point


def rounded(value: Decimal, places: int) -> Decimal:
    """``core.money.money(value, places)`` (half up to the minor unit), counted in minor units:
    the value shifted by ``places`` digits (exact), plus a half, cut to a whole number, shifted
    back. Exact for an amount from 0 to 10^20 of at most the context's 28 digits (every result of
    the engine's arithmetic); any other value goes to ``money`` itself. A hypothesis test holds
    the two equal (``test_engine_arithmetic``)."""
    if ZERO <= value < EXACT_BELOW:
        return ((value.scaleb(places) + HALF) // ONE).scaleb(-places)
    return money(value, places)
