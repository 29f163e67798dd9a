"""The promotion kinds: one module per kind, registered in one explicit dict (its order is the
order of the kind menus, seed 001's families in order). Each module declares one
:class:`PromoKind` named ``KIND`` (``bill_message`` declares the three message kinds, one per
trigger): label, description, parameters, ``clean``, ``build``, ``explain``, ``example``; its rule
carries ``apply`` and ``hint``. docs/promotions.md, "Kinds".
"""

from __future__ import annotations

from sasom.promotions.engine.kinds import (
    bill_message,
    bin_pack_lowest,
    bin_pack_progressive,
    bin_qty_free,
    bin_qty_percent,
    bin_qty_price,
    group_cheapest_free,
    group_fixed_total,
    group_gift,
    group_percent,
    group_pwp,
    group_step_percent,
    mix_gift,
    mix_pwp,
    mix_set_price,
    qty_free,
    qty_percent,
    qty_price,
    value_discount,
    value_gift,
    value_pwp,
)
from sasom.promotions.engine.types import PromoKind

KINDS: dict[str, PromoKind] = {
    kind.code: kind
    for kind in (
        qty_free.KIND,  # 1a
        qty_percent.KIND,  # 1b
        qty_price.KIND,  # 1c
        mix_gift.KIND,  # 2a, 2b
        mix_pwp.KIND,  # 2c, 2d
        mix_set_price.KIND,  # 2e
        bill_message.MIX,  # 2f
        group_gift.KIND,  # 3a, 3b
        group_pwp.KIND,  # 3c, 3d
        group_percent.KIND,  # 3e
        group_fixed_total.KIND,  # 3f
        group_cheapest_free.KIND,  # 3g
        group_step_percent.KIND,  # 3h
        bill_message.GROUP,  # 3i
        value_gift.KIND,  # 4a, 4b
        value_pwp.KIND,  # 4c, 4d
        value_discount.KIND,  # 4e
        bill_message.VALUE,  # 4f
        bin_qty_price.KIND,  # 5a
        bin_qty_percent.KIND,  # 5b
        bin_qty_free.KIND,  # 5c
        bin_pack_lowest.KIND,  # 5d
        bin_pack_progressive.KIND,  # 5e
    )
}

# Seed 001's variants (issue 14's list) -> the kind that prices each. A "choice" variant is its
# kind with several SKUs to choose from; a "message" variant prints the promotion's message.
VARIANTS: dict[str, str] = {
    "1a": "qty_free", "1b": "qty_percent", "1c": "qty_price",
    "2a": "mix_gift", "2b": "mix_gift", "2c": "mix_pwp", "2d": "mix_pwp", "2e": "mix_set_price",
    "2f": "mix_message",
    "3a": "group_gift", "3b": "group_gift", "3c": "group_pwp", "3d": "group_pwp", "3e": "group_percent",
    "3f": "group_fixed_total", "3g": "group_cheapest_free", "3h": "group_step_percent", "3i": "group_message",
    "4a": "value_gift", "4b": "value_gift", "4c": "value_pwp", "4d": "value_pwp", "4e": "value_discount",
    "4f": "value_message",
    "5a": "bin_qty_price", "5b": "bin_qty_percent", "5c": "bin_qty_free", "5d": "bin_pack_lowest",
    "5e": "bin_pack_progressive",
}


def kind_choices() -> list[tuple[str, object]]:
    """``(code, label)`` of every kind, for choice fields (labels stay lazy)."""
    return [(code, kind.label) for code, kind in KINDS.items()]


__all__ = ["KINDS", "VARIANTS", "kind_choices"]
