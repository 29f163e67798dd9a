"""The demo shop's prices (on the demo catalog of ``catalog.demo``): a VIP price table (VIP and
Executive staff), a general table with one branch's own price, and the pricing settings saved with
Sasom's prices winning, tobacco without member discount, and open lines accepted (a POS may still
sell SKUs the catalog does not know, flagged)."""

from __future__ import annotations

from decimal import Decimal

from sasom.catalog import price_tables
from sasom.catalog.models import PriceTable, Product
from sasom.core.audit import Actor
from sasom.organizations.models import Branch, Organization

VIP_PRICES = {"MILK-6": "65.00", "MAMA-10": "58.00", "BREEZE-LIQ": "139.00", "WATER-PACK": "64.00"}


def make_demo_pricing(org: Organization) -> int:
    """The table prices made (none when the organization has price tables already)."""
    if PriceTable.objects.filter(organization=org).exists():
        return 0
    actor = Actor.system("demo")
    known = set(Product.objects.filter(organization=org, sku__in=[*VIP_PRICES, "WATER-PACK"])
                .values_list("sku", flat=True))
    vip = price_tables.price_table_create(organization_id=org.pk, actor=actor, code="VIP", name="ราคาสมาชิก VIP",
                                          member_types=["VIP", "EXEC"])
    made = 0
    for sku, price in VIP_PRICES.items():
        if sku in known:
            price_tables.price_set(table=vip, actor=actor, product_code=sku, price=Decimal(price))
            made += 1
    price_tables.price_table_create(organization_id=org.pk, actor=actor, code="STD", name="ราคาปกติ")
    branches = list(Branch.objects.filter(organization=org).order_by("code")[:2])
    if len(branches) > 1 and "WATER-PACK" in known:
        general = price_tables.price_table_get(org.pk, "STD")
        price_tables.price_set(table=general, actor=actor, product_code="WATER-PACK", price=Decimal("66.00"),
                               branch=branches[1].code)
        made += 1
    price_tables.pricing_settings_save(organization_id=org.pk, actor=actor, data={
        "authority": "sasom", "open_lines": True, "general_table": "STD",
        "member_discount_excluded_categories": ["TOBACCO"],
    })
    return made
