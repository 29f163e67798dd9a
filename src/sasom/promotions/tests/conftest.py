from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import pytest

from sasom.catalog.models import Brand, Category, Product
from sasom.core.audit import Actor
from sasom.promotions.compile import promotions_forget
from sasom.promotions.engine.kinds import KINDS
from sasom.promotions.engine.types import ItemSet, ParamsError, ParamSpec, PromoKind

TEST_KIND = "test_percent"


class PercentRule:
    """A rule of the test kind: it only remembers what it was built from (compile tests read it)."""

    def __init__(self, params: Mapping[str, Any], items: ItemSet) -> None:
        self.params = dict(params)
        self._items = items

    def items(self) -> ItemSet:
        return self._items

    def apply(self, pool: Any, ctx: Any, limit: int | None) -> None:
        return None

    def hint(self, pool: Any, ctx: Any, limit: int | None = None) -> None:
        return None


def _clean(raw: Mapping[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(raw) - {"percent", "gift"})
    if unknown:
        raise ParamsError(unknown[0], "unknown parameter")
    try:
        percent = Decimal(str(raw.get("percent", "")))
    except Exception:
        raise ParamsError("percent", "a percentage is required") from None
    if not Decimal("0") < percent <= Decimal("100"):
        raise ParamsError("percent", "between 0 and 100")
    out: dict[str, Any] = {"percent": percent}
    if raw.get("gift"):
        out["gift"] = str(raw["gift"])
    return out


TEST_PROMO_KIND = PromoKind(
    code=TEST_KIND, family=3, label="Test percent", description="Percent off the item set (tests only)",
    params=(ParamSpec("percent", "percent", "Percent"), ParamSpec("gift", "sku", "Gift", required=False)),
    uses_items=True, clean=_clean, build=PercentRule, explain=lambda p: f"{p.get('percent')} % off",
    example={"percent": "10"},
)


@pytest.fixture(autouse=True)
def _fresh_promotions_cache():
    promotions_forget()
    yield
    promotions_forget()


@pytest.fixture
def test_kind(monkeypatch) -> PromoKind:
    """A kind of our own in the registry, so these tests do not depend on the engine's kinds."""
    monkeypatch.setitem(KINDS, TEST_KIND, TEST_PROMO_KIND)
    return TEST_PROMO_KIND


@pytest.fixture
def actor() -> Actor:
    return Actor.system("test")


@pytest.fixture
def catalog(org) -> dict[str, Any]:
    drinks = Category.objects.create(organization=org, code="DRINK", name_th="เครื่องดื่ม")
    snacks = Category.objects.create(organization=org, code="SNACK", name_th="ขนม")
    pantene = Brand.objects.create(organization=org, code="PANTENE", name="แพนทีน")
    products = {
        sku: Product.objects.create(organization=org, sku=sku, name_th=name, base_price=Decimal(price),
                                    category=cat, brand=brand)
        for sku, name, price, cat, brand in [
            ("COKE", "โค้ก 325 มล.", "15.00", drinks, None),
            ("SPRITE", "สไปรท์ 325 มล.", "15.00", drinks, None),
            ("LAYS", "เลย์ 50 ก.", "35.00", snacks, None),
            ("PAN-SH", "แพนทีน แชมพู", "159.00", None, pantene),
            ("PAN-CO", "แพนทีน ครีมนวด", "149.00", None, pantene),
        ]
    }
    return {"drinks": drinks, "snacks": snacks, "pantene": pantene, **products}


@pytest.fixture(autouse=True)
def _engine_texts_in_english(request: pytest.FixtureRequest) -> Any:
    """The engine's tests read its explanations and hints in English (the shop's default
    language is Thai; test_engine_texts and the till's tests read them in Thai)."""
    if not request.node.module.__name__.rsplit(".", 1)[-1].startswith("test_engine_"):
        yield
        return
    from django.utils import translation  # noqa: PLC0415 - only the engine's tests need it

    with translation.override("en"):
        yield
