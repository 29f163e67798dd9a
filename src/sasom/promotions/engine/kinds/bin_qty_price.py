"""Assorted items sold at one price: a unit price by how many are bought together (90; 3 for 80 each; 6 for 70 each)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from sasom.promotions.engine.kinds._steps import PRICE, step_kind

KIND = step_kind(
    code="bin_qty_price",
    family=5,
    per_sku=False,
    mode=PRICE,
    label=_("One-price bin: price by quantity"),
    description=_("Assorted items sold at one price: a unit price by how many are bought together (90; 3 for 80 each; 6 for 70 each)."),
    band_help=_("From how many units of the bin, and the price of each."),
    example={"bands": [{"from": 1, "value": "90.00"}, {"from": 3, "value": "80.00"}, {"from": 6, "value": "70.00"}]},
)
