"""3f. Any N of a group for a fixed total (3 x 35 -> 100): per full chunk of N units (dearest
first) the discount is what they cost minus the total, spread over them in proportion; a total
above what they cost gives nothing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from sasom.promotions.engine.kinds import _summaries as summaries
from sasom.promotions.engine.kinds._chunks import Chunk, ChunkRule
from sasom.promotions.engine.kinds._common import Params, gettext_noop, money_str, said
from sasom.promotions.engine.kinds._params import clean_params
from sasom.promotions.engine.takes import Takes
from sasom.promotions.engine.types import ZERO, ItemSet, ParamSpec, PromoKind

PARAMS = (
    ParamSpec("quantity", "int", _("Units to buy"), _("Any units of the promotion's items.")),
    ParamSpec("total", "money", _("Total for the units")),
)


def build(params: Params, items: ItemSet) -> ChunkRule:
    total = Decimal(params["total"])

    def reward(takes: Takes, chunk: Chunk) -> None:
        cost = sum((r.value * n for r, n in chunk), ZERO)
        takes.spread(chunk, max(ZERO, cost - total))

    return ChunkRule(items, int(params["quantity"]), reward, said(gettext_noop("%(total)s together"), {"total": money_str(total)}))


def clean(raw: Params) -> dict[str, Any]:
    return clean_params(PARAMS, raw)


def explain(params: Params) -> str:
    return summaries.any_fixed_total(params)


KIND = PromoKind(
    code="group_fixed_total",
    family=3,
    label=_("Any N of a group for a fixed total"),
    description=_("Any N units of the promotion's items for one total price (3 x 35 THB for 100 THB) (3f)."),
    params=PARAMS,
    uses_items=True,
    clean=clean,
    build=build,
    explain=explain,
    example={"quantity": 3, "total": "100.00"},
)
