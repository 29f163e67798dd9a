"""Any N units of the promotion's items let the member buy an item, or one of several, at a special price (3c, 3d)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from sasom.promotions.engine.kinds._goods import goods_kind

KIND = goods_kind(
    code="group_pwp",
    family=3,
    trigger="group",
    pwp=True,
    label=_("Any N of a group: purchase with purchase"),
    description=_("Any N units of the promotion's items let the member buy an item, or one of several, at a special price (3c, 3d)."),
    example={"quantity": 2, "offers": ["PANTENE-SHAMPOO"], "offer_price": "1.00"},
)
