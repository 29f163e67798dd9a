"""A fixed mix of items complete gives a free item, or a choice of free items (2a, 2b)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from sasom.promotions.engine.kinds._goods import goods_kind

KIND = goods_kind(
    code="mix_gift",
    family=2,
    trigger="mix",
    pwp=False,
    label=_("Set complete: free item"),
    description=_("A fixed mix of items complete gives a free item, or a choice of free items (2a, 2b)."),
    example={"mix": [{"sku": "COKE", "quantity": 1}, {"sku": "SPRITE", "quantity": 1}], "gifts": ["FANTA"], "gift_quantity": 1},
)
