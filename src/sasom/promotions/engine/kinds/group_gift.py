"""Any N units of the promotion's items give a free item, or a choice of free items (3a, 3b)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from sasom.promotions.engine.kinds._goods import goods_kind

KIND = goods_kind(
    code="group_gift",
    family=3,
    trigger="group",
    pwp=False,
    label=_("Any N of a group: free item"),
    description=_("Any N units of the promotion's items give a free item, or a choice of free items (3a, 3b)."),
    example={"quantity": 2, "gifts": ["PANTENE-SHAMPOO"], "gift_quantity": 1},
)
