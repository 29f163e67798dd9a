"""A fixed mix of items complete lets the member buy an item, or one of several, at a special price (2c, 2d)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from sasom.promotions.engine.kinds._goods import goods_kind

KIND = goods_kind(
    code="mix_pwp",
    family=2,
    trigger="mix",
    pwp=True,
    label=_("Set complete: purchase with purchase"),
    description=_("A fixed mix of items complete lets the member buy an item, or one of several, at a special price (2c, 2d)."),
    example={"mix": [{"sku": "COKE", "quantity": 1}, {"sku": "SPRITE", "quantity": 1}], "offers": ["FANTA-RED"], "offer_price": "1.00"},
)
