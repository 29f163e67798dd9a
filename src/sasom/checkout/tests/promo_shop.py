"""The promotions at the till's shop: test_priced_basket's catalog (rice 100.00, chips 20.00,
beer 60.00, the VIP type) and its promotions, stored rows compiled by ``promotions.compile``:

* ``B2G1``: chips, buy 2 get 1 (kind 1a, ``qty_free``);
* ``BEERGIFT`` (only when a test asks): a beer gives a bag of chips free (a test kind that stands for 2a);
* ``PICK`` (only when a test asks): a beer offers rice or chips at 1.00 (a test kind that stands for 2d).

The test kinds are registered in ``KINDS`` for the test only (the engine's own gift kinds land later).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import pytest

from sasom.catalog import price_tables
from sasom.catalog.models import Product
from sasom.core.audit import Actor
from sasom.promotions import compile as promo_compile
from sasom.promotions.engine.kinds import KINDS
from sasom.promotions.engine.types import (
    Choice,
    Context,
    Draft,
    Hint,
    ItemSet,
    ParamSpec,
    Pool,
    PromoKind,
    Take,
)
from sasom.promotions.models import Promotion, PromotionSettings

D = Decimal


class _GiftRule:
    """Every unit of the trigger SKU gives one unit of ``gift`` at ``price`` (or a choice)."""

    def __init__(self, params: Mapping[str, Any], items: ItemSet) -> None:
        self._items, self.params = items, params

    def items(self) -> ItemSet:
        return self._items

    def apply(self, pool: Pool, ctx: Context, limit: int | None) -> Draft | None:
        units = sum((pool.free[ln.index] for ln in pool.lines if self._items.matches(ln)), D("0"))
        if units < 1:
            return None
        takes = tuple(Take(ln.index, pool.free[ln.index], D("0")) for ln in pool.lines if self._items.matches(ln))
        price = D(str(self.params.get("price", "0")))
        if self.params.get("options"):
            return Draft(takes=takes, times=1, explanation="a choice",
                         choice=Choice("", tuple(self.params["options"]), D("1"), price))
        from sasom.promotions.engine.goods import give  # the engine's own placing of a gift
        from sasom.promotions.engine.takes import Takes

        extra = Takes()
        gift, note = give(pool, ctx, extra, self.params["gift"], 1, price)
        return Draft(takes=takes + extra.build(pool.net), times=1, explanation=f"gift: {note}",
                     gifts=(gift,) if gift else ())

    def hint(self, pool: Pool, ctx: Context, limit: int | None = None) -> Hint | None:
        return None


TEST_GIFT = PromoKind(
    code="test_gift", family=2, label="test gift", description="test gift",
    params=(ParamSpec("gift", "sku", "gift", required=False), ParamSpec("options", "skus", "options", required=False),
            ParamSpec("price", "money", "price", required=False)),
    uses_items=True, clean=lambda raw: dict(raw), build=_GiftRule, explain=lambda p: "test gift",
)


@pytest.fixture(autouse=True)
def _fresh_promotions(monkeypatch):
    monkeypatch.setitem(KINDS, "test_gift", TEST_GIFT)
    promo_compile.promotions_forget()
    yield
    promo_compile.promotions_forget()


def promotion(org, code: str, kind: str, params: dict[str, Any], skus: list[str], **extra: Any) -> Promotion:
    row = Promotion.objects.create(organization=org, code=code, name=extra.pop("name", code), kind=kind,
                                   params=params, status="active", item_skus=skus, **extra)
    settings, _ = PromotionSettings.objects.get_or_create(organization=org)
    PromotionSettings.objects.filter(pk=settings.pk).update(version=settings.version + 1)
    promo_compile.promotions_forget()
    return row


@pytest.fixture
def b2g1(shop):
    return promotion(shop, "B2G1", "qty_free", {"bands": [{"from": 2, "value": 1}]}, ["CHIPS"],
                     name="ซื้อ 2 แถม 1")


# a toman shop: chips at 400,000 rial (40,000 toman); 100,000 rial off once they reach 1,000,000
@pytest.fixture
def toman_shop(toman_org, branch, terminal):
    org = toman_org
    Product.objects.create(organization=org, sku="CHIPS", name_th="چیپس", base_price=Decimal("400000"))
    price_tables.pricing_settings_save(organization_id=org.pk, actor=Actor.system("test"),
                                       data={"authority": "sasom", "open_lines": False})
    promotion(org, "OFF", "value_discount", {"threshold": "1000000", "amount": "100000", "scope": "group"}, ["CHIPS"],
              name="Chips deal")
    return org
