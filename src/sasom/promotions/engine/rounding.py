"""Money rounding for the engine's hot paths: ``core.money.money``'s one rule (half up to the
currency's minor unit) for a ``Decimal``, without ``money``'s check for a ``Fraction`` (every
discount of every trial is rounded: docs/performance.md, B8)."""

from __future__ import annotations

from sasom.core.money import money_of_decimal

# ``core.money.money(value, places)`` for a ``Decimal``, digit for digit (exponent included: a
# hypothesis test holds the two equal, ``test_engine_arithmetic``). It was computed here in minor
# units (the value shifted, plus a half, cut, shifted back: four operations, about 0.44 us); the
# one ``quantize`` is about 0.14 us.
rounded = money_of_decimal
