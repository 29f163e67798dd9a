"""Money rounding for the engine's hot paths: ``core.money.money``'s one rule (half up to the
currency's minor unit); a ``Decimal`` takes its first branch, one ``quantize`` (every discount of
every trial is rounded: docs/performance.md, B8)."""

from __future__ import annotations

from sasom.core.money import money

# It was computed here in minor units (the value shifted, plus a half, cut, shifted back: four
# operations, about 0.44 us); ``money``'s branch for a ``Decimal`` is about 0.2 us.
rounded = money
