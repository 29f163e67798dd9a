"""Demo promotions for ``sasom demo`` (on the demo catalog of ``catalog.demo``): buy 2 get 1 on
Coke cans, any 3 bags of Lay's for 50 THB, 295 THB of Pantene → 50 % off the Pantene lines, and
a purchase with purchase (a bill of 300 THB buys a bag of ice for 1 THB). Each is made only when
its kind is registered and the products it names exist; existing codes are left alone."""

from __future__ import annotations

from typing import Any

from sasom.catalog import services as catalog_services
from sasom.catalog.models import Brand, Product
from sasom.core.audit import Actor
from sasom.organizations.models import Organization
from sasom.promotions import services
from sasom.promotions.engine.kinds import KINDS
from sasom.promotions.models import Promotion

# The demo catalog sells no shampoo: two Pantene bottles for the "295 THB of Pantene" promotion.
SHAMPOO = [
    ("PANTENE-SH-410", "แพนทีน แชมพู 410 มล.", "Pantene shampoo 410 ml", "159.00"),
    ("PANTENE-CO-410", "แพนทีน ครีมนวด 410 มล.", "Pantene conditioner 410 ml", "159.00"),
]

DEMO_PROMOTIONS: list[dict[str, Any]] = [
    {"code": "COKE-B2G1", "name": "โค้กกระป๋อง ซื้อ 2 แถม 1", "kind": "qty_free", "item_skus": ["COKE-325"],
     "params": {"bands": [{"from": 2, "value": 1}], "repeat": True}, "priority": 10},
    {"code": "LAYS-3-50", "name": "เลย์ คละรส 3 ซอง 50 บาท", "kind": "group_fixed_total",
     "item_skus": ["LAYS-CLASSIC", "LAYS-NORI"], "params": {"quantity": 3, "total": "50.00"}, "priority": 20},
    {"code": "PANTENE-295", "name": "แพนทีน ครบ 295 บาท ลด 50 %", "kind": "value_discount", "item_brands": ["PANTENE"],
     "params": {"threshold": "295.00", "percent": "50", "scope": "group"}, "priority": 30,
     "message": "ขอบคุณที่เลือกแพนทีน"},
    {"code": "ICE-PWP", "name": "ซื้อครบ 300 บาท แลกซื้อน้ำแข็ง 1 บาท", "kind": "value_pwp",
     "params": {"threshold": "300.00", "offers": ["ICE-1KG"], "offer_price": "1.00"}, "priority": 40,
     "per_bill_limit": 1},
]


def _shampoo(org: Organization, actor: Actor) -> None:
    if not Brand.objects.filter(organization_id=org.pk, code="PANTENE").exists():
        catalog_services.brand_create(organization_id=org.pk, actor=actor, code="PANTENE", name="แพนทีน")
    have = set(Product.objects.filter(organization_id=org.pk).values_list("sku", flat=True))
    for sku, th, en, price in SHAMPOO:
        if sku not in have:
            catalog_services.product_create(organization_id=org.pk, actor=actor, sku=sku, name_th=th, name_en=en,
                                            base_price=price, brand="PANTENE", unit="ขวด")


def make_demo_promotions(org: Organization) -> list[Promotion]:
    """The demo promotions, active. Idempotent; a promotion whose kind is not registered, or
    whose products are missing, is skipped."""
    actor = Actor.system("demo")
    _shampoo(org, actor)
    existing = set(Promotion.objects.filter(organization_id=org.pk).values_list("code", flat=True))
    skus = set(Product.objects.filter(organization_id=org.pk).values_list("sku", flat=True))
    made = []
    for data in DEMO_PROMOTIONS:
        named = set(data.get("item_skus", [])) | set(data["params"].get("offers", []))
        if data["code"] in existing or data["kind"] not in KINDS or not named <= skus:
            continue
        promotion = services.promotion_create(organization_id=org.pk, actor=actor, **data)
        made.append(services.promotion_activate(promotion=promotion, actor=actor))
    return made
