"""One item bought in quantity: a percent off every unit by quantity band (1-2 none, 3-6 2 %, 7-10 3 %)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from sasom.promotions.engine.kinds._steps import PERCENT, step_kind

KIND = step_kind(
    code="qty_percent",
    family=1,
    per_sku=True,
    mode=PERCENT,
    label=_("Percent off by quantity"),
    description=_("One item bought in quantity: a percent off every unit by quantity band (1-2 none, 3-6 2 %, 7-10 3 %)."),
    band_help=_("From how many units of the item, and the percent off."),
    example={"bands": [{"from": 3, "value": "2"}, {"from": 7, "value": "3"}]},
)
