"""5e. Assorted items, progressive pack price: flavours mix to fill packs at the pack price, the
units left over at their own price (5 plain + 2 sweet milk: one 6-pack at 60 + one box at 12 =
72)."""

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
)


def clean(raw: Params) -> dict[str, Any]:
    return clean_params(PARAMS, raw)


def build(params: Params, items: ItemSet) -> PackRule:
    return PackRule(items, int(params["pack_size"]), Decimal(params["pack_price"]), None)


def explain(params: Params) -> str:
    return summaries.packs(params, rest_at_unit_price=False)


KIND = PromoKind(
    code="bin_pack_progressive",
    family=5,
    label=_("Assorted packs: progressive pack price"),
    description=_("Assorted items fill packs at the pack price; the rest at their own price (60 + 12 = 72) (5e)."),
    params=PARAMS,
    uses_items=True,
    clean=clean,
    build=build,
    explain=explain,
    example={"pack_size": 6, "pack_price": "60.00"},
)
