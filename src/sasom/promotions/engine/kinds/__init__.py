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


def kind_choices() -> list[tuple[str, object]]:
    """``(code, label)`` of every kind, for choice fields (labels stay lazy)."""
    return [(code, kind.label) for code, kind in KINDS.items()]


__all__ = ["KINDS", "kind_choices"]
