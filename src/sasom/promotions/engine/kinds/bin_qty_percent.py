"""Assorted items sold at one price: a percent off by how many are bought together (3: 5 %, 6: 10 %)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from sasom.promotions.engine.kinds._steps import PERCENT, step_kind

KIND = step_kind(
    code="bin_qty_percent",
    family=5,
    per_sku=False,
    mode=PERCENT,
    label=_("One-price bin: percent off by quantity"),
    description=_("Assorted items sold at one price: a percent off by how many are bought together (3: 5 %, 6: 10 %)."),
    band_help=_("From how many units of the bin, and the percent off."),
    example={"bands": [{"from": 3, "value": "5"}, {"from": 6, "value": "10"}]},
)
