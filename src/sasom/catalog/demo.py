"""Demo data: a mini-mart's shelves: a small category tree, a few brands, about thirty products."""

from __future__ import annotations

from sasom.core.audit import Actor
from sasom.organizations.models import Organization

from . import services
from .models import Brand, Category, Product

CATEGORIES = [
    # code, Thai, English, parent
    ("DRINK", "เครื่องดื่ม", "Drinks", None),
    ("MILK", "นม", "Milk", "DRINK"),
    ("SOFT", "น้ำอัดลม", "Soft drinks", "DRINK"),
    ("WATER", "น้ำดื่ม", "Water", "DRINK"),
    ("FOOD", "อาหารแห้ง", "Dry food", None),
    ("NOODLE", "บะหมี่กึ่งสำเร็จรูป", "Instant noodles", "FOOD"),
    ("SNACK", "ขนม", "Snacks", "FOOD"),
    ("HOME", "ของใช้ในบ้าน", "Household", None),
    ("TOBACCO", "บุหรี่", "Tobacco", None),
]
BRANDS = [("FOREMOST", "โฟร์โมสต์"), ("MAMA", "มาม่า"), ("SINGHA", "สิงห์"), ("LAYS", "เลย์"), ("COKE", "โคคา-โคล่า"),
          ("BREEZE", "บรีส"), ("HOUSE", "ตราร้าน")]
PRODUCTS = [
    # sku, Thai, English, category, brand, unit, pack, price, barcodes
    ("MILK-1", "นมจืด 225 มล.", "Plain milk 225 ml", "MILK", "FOREMOST", "กล่อง", "1", "12.00", ["8851111000011"]),
    ("MILK-6", "นมจืด 225 มล. แพ็ค 6", "Plain milk 225 ml, 6-pack", "MILK", "FOREMOST", "แพ็ค", "6", "69.00",
     ["8851111000066"]),
    ("MILK-CHOC", "นมช็อกโกแลต 180 มล.", "Chocolate milk 180 ml", "MILK", "FOREMOST", "กล่อง", "1", "13.00",
     ["8851111000202"]),
    ("COKE-325", "โคคา-โคล่า กระป๋อง 325 มล.", "Coca-Cola can 325 ml", "SOFT", "COKE", "กระป๋อง", "1", "17.00",
     ["8851959132012"]),
    ("COKE-1.5", "โคคา-โคล่า 1.5 ลิตร", "Coca-Cola 1.5 l", "SOFT", "COKE", "ขวด", "1", "32.00", ["8851959132029"]),
    ("SODA-SINGHA", "โซดาสิงห์ 325 มล.", "Singha soda 325 ml", "SOFT", "SINGHA", "ขวด", "1", "12.00",
     ["8850999320014"]),
    ("WATER-600", "น้ำดื่มสิงห์ 600 มล.", "Singha water 600 ml", "WATER", "SINGHA", "ขวด", "1", "7.00",
     ["8850999220017"]),
    ("WATER-PACK", "น้ำดื่มสิงห์ 600 มล. แพ็ค 12", "Singha water 600 ml, 12-pack", "WATER", "SINGHA", "แพ็ค", "12",
     "69.00", ["8850999220024"]),
    ("MAMA-PORK", "มาม่า รสหมูสับ", "Mama minced pork", "NOODLE", "MAMA", "ซอง", "1", "7.00", ["8850987101014"]),
    ("MAMA-TOMYUM", "มาม่า รสต้มยำกุ้ง", "Mama tom yum shrimp", "NOODLE", "MAMA", "ซอง", "1", "7.00",
     ["8850987101021"]),
    ("MAMA-CUP", "มาม่า คัพ รสต้มยำ", "Mama cup tom yum", "NOODLE", "MAMA", "ถ้วย", "1", "15.00", ["8850987102011"]),
    ("MAMA-10", "มาม่า รสหมูสับ แพ็ค 10", "Mama minced pork, 10-pack", "NOODLE", "MAMA", "แพ็ค", "10", "62.00",
     ["8850987101106"]),
    ("LAYS-CLASSIC", "เลย์ รสคลาสสิก 48 ก.", "Lay's classic 48 g", "SNACK", "LAYS", "ซอง", "1", "20.00",
     ["8850718801015"]),
    ("LAYS-NORI", "เลย์ รสโนริสาหร่าย 48 ก.", "Lay's nori 48 g", "SNACK", "LAYS", "ซอง", "1", "20.00",
     ["8850718801022"]),
    ("LAYS-BIG", "เลย์ รสคลาสสิก 75 ก.", "Lay's classic 75 g", "SNACK", "LAYS", "ซอง", "1", "30.00",
     ["8850718801039"]),
    ("BREEZE-800", "บรีส เอกเซล 800 ก.", "Breeze Excel 800 g", "HOME", "BREEZE", "ถุง", "1", "89.00",
     ["8851932301015"]),
    ("BREEZE-LIQ", "บรีส น้ำยาซักผ้า 1.5 ลิตร", "Breeze liquid 1.5 l", "HOME", "BREEZE", "ขวด", "1", "149.00",
     ["8851932302012"]),
    ("BAG-L", "ถุงหิ้วใบใหญ่", "Large carrier bag", "HOME", "HOUSE", "ใบ", "1", "2.00", ["SHELF-BAG-L"]),
    ("ICE-1KG", "น้ำแข็งหลอด 1 กก.", "Tube ice 1 kg", "WATER", "HOUSE", "ถุง", "1", "10.00", ["SHELF-ICE"]),
    ("EGG-10", "ไข่ไก่ เบอร์ 2 แพ็ค 10", "Eggs size 2, 10-pack", "FOOD", "HOUSE", "แพ็ค", "10", "45.00",
     ["SHELF-EGG-10"]),
    ("RICE-5", "ข้าวหอมมะลิ 5 กก.", "Jasmine rice 5 kg", "FOOD", "HOUSE", "ถุง", "1", "189.00", ["SHELF-RICE-5"]),
    ("CIG-20", "บุหรี่ ซอง 20 มวน", "Cigarettes, pack of 20", "TOBACCO", None, "ซอง", "1", "78.00", ["8850000000201"]),
]
# Tobacco earns no points (the law forbids promoting it), and one product is no longer sold.
NO_POINTS = {"CIG-20"}
INACTIVE = {"LAYS-BIG"}


def make_demo_catalog(org: Organization) -> int:
    """Create the demo shelves for ``org`` (idempotent: existing codes are left alone); the number
    of products made."""
    actor = Actor.system("demo")
    have = set(Category.objects.filter(organization=org).values_list("code", flat=True))
    for code, th, en, parent in CATEGORIES:
        if code not in have:
            services.category_create(organization_id=org.pk, actor=actor, code=code, name_th=th, name_en=en, parent=parent)
    have = set(Brand.objects.filter(organization=org).values_list("code", flat=True))
    for code, name in BRANDS:
        if code not in have:
            services.brand_create(organization_id=org.pk, actor=actor, code=code, name=name)
    have = set(Product.objects.filter(organization=org).values_list("sku", flat=True))
    made = 0
    for sku, th, en, category, brand, unit, pack, price, barcodes in PRODUCTS:
        if sku in have:
            continue
        services.product_create(
            organization_id=org.pk, actor=actor, sku=sku, name_th=th, name_en=en, category=category, brand=brand,
            unit=unit, pack_size=pack, base_price=price, barcodes=barcodes, excluded_from_points=sku in NO_POINTS,
            is_active=sku not in INACTIVE,
        )
        made += 1
    return made
