"""The promotion's items reaching an amount give a free item, or a choice of free items (4a, 4b)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from sasom.promotions.engine.kinds._goods import goods_kind

KIND = goods_kind(
    code="value_gift",
    family=4,
    trigger="value",
    pwp=False,
    label=_("Group value reached: free item"),
    description=_("The promotion's items reaching an amount give a free item, or a choice of free items (4a, 4b)."),
    example={"threshold": "295.00", "gifts": ["PANTENE-100ML"], "gift_quantity": 1},
)
