"""One item bought in quantity: a lower unit price by quantity band (10 / 9 / 8 THB)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from sasom.promotions.engine.kinds._steps import PRICE, step_kind

KIND = step_kind(
    code="qty_price",
    family=1,
    per_sku=True,
    mode=PRICE,
    label=_("Unit price by quantity"),
    description=_("One item bought in quantity: a lower unit price by quantity band (10 / 9 / 8 THB)."),
    band_help=_("From how many units of the item, and the price of each."),
    example={"bands": [{"from": 3, "value": "9.00"}, {"from": 7, "value": "8.00"}]},
)
