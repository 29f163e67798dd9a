"""3g. Any N of a group: the cheapest of the N free (buy 3 AIIZ, the cheapest of the 3 is free).
Units dearest first in chunks of N; the last (cheapest) unit of each full chunk is free."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from sasom.promotions.engine.kinds import _summaries as summaries
from sasom.promotions.engine.kinds._chunks import Chunk, ChunkRule
from sasom.promotions.engine.kinds._common import Params
from sasom.promotions.engine.kinds._params import clean_params
from sasom.promotions.engine.takes import Takes
from sasom.promotions.engine.types import ItemSet, ParamSpec, PromoKind

PARAMS = (ParamSpec("quantity", "int", _("Units to buy"), _("Any units of the promotion's items.")),)


def reward(takes: Takes, chunk: Chunk) -> None:
    for r, n in chunk[:-1]:
        takes.add(r.index, n)
    last, n = chunk[-1]
    takes.add(last.index, n, last.value)  # n - 1 paid units of the cheapest run, and one free


def build(params: Params, items: ItemSet) -> ChunkRule:
    return ChunkRule(items, int(params["quantity"]), reward, _("the cheapest free"))


def clean(raw: Params) -> dict[str, Any]:
    return clean_params(PARAMS, raw)


def explain(params: Params) -> str:
    return summaries.any_cheapest_free(params)


KIND = PromoKind(
    code="group_cheapest_free",
    family=3,
    label=_("Any N of a group: the cheapest free"),
    description=_("Any N units of the promotion's items: the cheapest of them is free (3g)."),
    params=PARAMS,
    uses_items=True,
    clean=clean,
    build=build,
    explain=explain,
    example={"quantity": 3},
)
