"""The promotion's items reaching an amount let the member buy an item, or one of several, at a special price (4c, 4d)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from sasom.promotions.engine.kinds._goods import goods_kind

KIND = goods_kind(
    code="value_pwp",
    family=4,
    trigger="value",
    pwp=True,
    label=_("Group value reached: purchase with purchase"),
    description=_("The promotion's items reaching an amount let the member buy an item, or one of several, at a special price (4c, 4d)."),
    example={"threshold": "295.00", "offers": ["PANTENE-100ML"], "offer_price": "1.00"},
)
