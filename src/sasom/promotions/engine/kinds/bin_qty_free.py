"""5c. One-price bin, free items by quantity (3 get 1 free, 6 get 2).

Every unit of the bin counts together (3 shirts + 1 more = 1 free; the hint says "add 1 more" at
3). The units are taken dearest first in chunks of a step (3 + 1); the free ones are each chunk's
cheapest, as in 3g, so a cheaper unit added to the bin never frees less than before
(``qty_free.bin_free``). Steps as in 1a (``qty_free``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from sasom.promotions.engine.kinds import _summaries as summaries
from sasom.promotions.engine.kinds._common import Params, steps_of
from sasom.promotions.engine.kinds.qty_free import PARAMS, build_bin, clean
from sasom.promotions.engine.types import PromoKind


def explain(params: Params) -> str:
    return summaries.bin_free(steps_of(params["bands"]), bool(params.get("repeat")))


KIND = PromoKind(
    code="bin_qty_free",
    family=5,
    label=_("One-price bin: free items by quantity"),
    description=_("Assorted items sold at one price: free items by how many are bought together (3 get 1, 6 get 2)."),
    params=PARAMS,
    uses_items=True,
    clean=clean,
    build=build_bin,
    explain=explain,
    example={"bands": [{"from": 3, "value": 1}, {"from": 6, "value": 2}]},
)
