"""5d. Assorted items, the lowest pack price: flavours mix to fill packs at the cheapest pack
price, the units left over at the lowest unit price (5 plain + 2 sweet milk: one 6-pack at 60 +
one box at 6 = 66)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from sasom.promotions.engine.kinds import _summaries as summaries
from sasom.promotions.engine.kinds._common import Params
from sasom.promotions.engine.kinds._packs import PackRule
from sasom.promotions.engine.kinds._params import clean_params
from sasom.promotions.engine.types import ItemSet, ParamSpec, PromoKind

PARAMS = (
    ParamSpec("pack_size", "int", _("Units in a pack")),
    ParamSpec("pack_price", "money", _("Pack price")),
    ParamSpec("unit_price", "money", _("Price of a unit left over")),
)


def clean(raw: Params) -> dict[str, Any]:
    return clean_params(PARAMS, raw)


def build(params: Params, items: ItemSet) -> PackRule:
    return PackRule(items, int(params["pack_size"]), Decimal(params["pack_price"]), Decimal(params["unit_price"]))


def explain(params: Params) -> str:
    return summaries.packs(params, rest_at_unit_price=True)


KIND = PromoKind(
    code="bin_pack_lowest",
    family=5,
    label=_("Assorted packs: lowest pack price"),
    description=_("Assorted items fill packs at the lowest pack price; the rest at the lowest unit price (60 + 6 = 66) (5d)."),
    params=PARAMS,
    uses_items=True,
    clean=clean,
    build=build,
    explain=explain,
    example={"pack_size": 6, "pack_price": "60.00", "unit_price": "6.00"},
)
