"""The demo shop's catalog and prices: the products its demo sales sell (ledger.demo.PRODUCTS) in
the catalog under their categories, a VIP price table (VIP and Executive staff), a general table
with one branch's own price, and the pricing settings saved with Sasom's prices winning and open
lines accepted (a POS may still sell SKUs the catalog does not know, flagged)."""

from __future__ import annotations

from decimal import Decimal

from sasom.catalog import price_tables
from sasom.catalog.models import Barcode, Category, PriceTable, Product
from sasom.core.audit import Actor
from sasom.ledger.demo import PRODUCTS
from sasom.organizations.models import Branch, Organization

CATEGORY_NAMES = {
    "rice": ("ข้าวสาร", "Rice"), "fresh": ("อาหารสด", "Fresh food"), "grocery": ("ของแห้ง", "Grocery"),
    "dairy": ("นม", "Dairy"), "beverage": ("เครื่องดื่ม", "Beverages"), "household": ("ของใช้ในบ้าน", "Household"),
    "appliance": ("เครื่องใช้ไฟฟ้า", "Appliances"),
}
VIP_PRICES = {"RICE-HOMMALI-5KG": "229.00", "COFFEE-3IN1-27": "109.00", "DETERGENT-2.7KG": "175.00"}


def make_demo_pricing(org: Organization) -> tuple[int, int]:
    """(products, prices) made; nothing when the catalog already holds the demo's products."""
    actor = Actor.system("demo")
    categories = {}
    for code, (th, en) in CATEGORY_NAMES.items():
        categories[code], _ = Category.objects.get_or_create(organization=org, code=code.upper(),
                                                             defaults={"name_th": th, "name_en": en})
    made = 0
    for i, (sku, category, _brand, price) in enumerate(PRODUCTS):
        product, created = Product.objects.get_or_create(
            organization=org, sku=sku, defaults={"name_th": sku.replace("-", " ").title(), "base_price": price,
                                                 "category": categories[category]})
        if created:
            made += 1
            Barcode.objects.get_or_create(organization=org, code=f"88500000{i:05d}", defaults={"product": product})
    if PriceTable.objects.filter(organization=org).exists():
        return made, 0
    vip = price_tables.price_table_create(organization_id=org.pk, actor=actor, code="VIP", name="ราคาสมาชิก VIP",
                                          member_types=["VIP", "EXEC"])
    for sku, vip_price in VIP_PRICES.items():
        price_tables.price_set(table=vip, actor=actor, product_code=sku, price=Decimal(vip_price))
    general = price_tables.price_table_create(organization_id=org.pk, actor=actor, code="STD", name="ราคาปกติ")
    branches = list(Branch.objects.filter(organization=org).order_by("code")[:2])
    if len(branches) > 1:
        price_tables.price_set(table=general, actor=actor, product_code="WATER-6L", price=Decimal("42.00"),
                               branch=branches[1].code)
    price_tables.pricing_settings_save(organization_id=org.pk, actor=actor, data={
        "authority": "sasom", "open_lines": True, "general_table": "STD",
        "member_discount_excluded_categories": ["APPLIANCE"],
    })
    return made, len(VIP_PRICES) + (1 if len(branches) > 1 else 0)
