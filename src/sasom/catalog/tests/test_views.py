"""The catalog's back office: list and search, the product form, categories and brands, import
and export pages, and who may do what."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sasom.catalog import services
from sasom.catalog.models import Brand, Category, Product
from sasom.organizations.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(org, actor):
    services.category_create(organization_id=org.id, actor=actor, code="DRINK", name_th="เครื่องดื่ม", name_en="Drinks")
    services.category_create(organization_id=org.id, actor=actor, code="MILK", name_th="นม", parent="DRINK")
    services.category_create(organization_id=org.id, actor=actor, code="SNACK", name_th="ขนม")
    services.brand_create(organization_id=org.id, actor=actor, code="FOREMOST", name="โฟร์โมสต์")
    made = {}
    for sku, name, en, cat, price, codes in [
        ("MILK-1", "นมจืด 225 มล.", "Plain milk", "MILK", "12", ["8851111000011"]),
        ("MILK-6", "นมจืด แพ็ค 6", "Milk 6-pack", "MILK", "72", ["8851111000066"]),
        ("COLA", "โคล่า", "Cola", "DRINK", "15", []),
        ("CHIPS", "มันฝรั่งทอด", "Chips", "SNACK", "20", ["8850000000099"]),
    ]:
        made[sku] = services.product_create(organization_id=org.id, actor=actor, sku=sku, name_th=name, name_en=en,
                                            category=cat, base_price=price, barcodes=codes,
                                            brand="FOREMOST" if sku.startswith("MILK") else None)
    return made


def skus(response) -> list[str]:
    return [p.sku for p in response.context["page"]]


@pytest.mark.parametrize("query, expected", [
    ({"q": "milk"}, ["MILK-1", "MILK-6"]),  # SKU and English name
    ({"q": "นมจืด"}, ["MILK-1", "MILK-6"]),  # Thai name
    ({"q": "8850000000099"}, ["CHIPS"]),  # a barcode, exactly
    ({"category": "DRINK"}, ["COLA", "MILK-1", "MILK-6"]),  # with its subcategories
    ({"brand": "FOREMOST", "active": "1"}, ["MILK-1", "MILK-6"]),
    ({"active": "0"}, []),
    ({"category": "NOPE"}, []),
])
def test_the_list_searches_and_filters(staff_client, shop, query, expected):
    response = staff_client(Role.CASHIER).get("/catalog/products/", query)
    assert response.status_code == 200 and skus(response) == expected


def test_the_list_is_paged_and_its_queries_do_not_grow_with_the_rows(org, actor, staff_client, shop,
                                                                    django_assert_num_queries):
    client = staff_client(Role.ADMIN)
    client.get("/catalog/products/")  # the session and the staff member are warm

    # session, user, staff, organization, OTP device; count, categories, brands, page rows, their barcodes
    with django_assert_num_queries(10):
        small = client.get("/catalog/products/")
    for i in range(60):
        services.product_create(organization_id=org.id, actor=actor, sku=f"P{i:03}", name_th=f"สินค้า {i}",
                                base_price="1", barcodes=[f"B{i:03}"], category="SNACK", brand="FOREMOST")
    with django_assert_num_queries(10):
        big = client.get("/catalog/products/")
    assert len(small.context["page"]) == 4 and len(big.context["page"]) == 50
    assert client.get("/catalog/products/", {"page": "2"}).context["page"].number == 2
    assert client.get("/catalog/products/", HTTP_HX_REQUEST="true").templates[0].name == "catalog/_product_rows.html"


def test_adding_a_product_and_its_validation_messages(staff_client, shop):
    client = staff_client(Role.MARKETING)
    form = {"sku": "TEA", "name_th": "ชาเขียว", "category": "DRINK", "brand": "", "unit": "bottle", "pack_size": "1",
            "base_price": "25.50", "vat_included": "on", "is_active": "on", "barcodes": "8850000000011, SHELF-1\nSHELF-2"}

    # a bad price, a bad pack size, a barcode of another product: a form with messages, never a 500
    for field, value in [("base_price", "-1"), ("base_price", "1e99"), ("pack_size", "0"), ("base_price", "abc"),
                         ("barcodes", "8851111000011"), ("sku", "MILK-1"), ("active_to", "2020-01-01")]:
        data = {**form, field: value, "active_from": "2026-01-01" if field == "active_to" else ""}
        response = client.post("/catalog/products/new/", data)
        assert response.status_code == 400, (field, value)
        assert response.context["form"].errors, (field, value)
    assert not Product.objects.filter(sku="TEA").exists()

    response = client.post("/catalog/products/new/", form)
    tea = Product.objects.get(sku="TEA")
    assert response.status_code == 302 and response["Location"] == f"/catalog/products/{tea.pk}/"
    assert tea.base_price == Decimal("25.50") and tea.category.code == "DRINK"
    assert sorted(tea.barcodes.values_list("code", flat=True)) == ["8850000000011", "SHELF-1", "SHELF-2"]


def test_editing_a_product_keeps_its_sku(staff_client, shop):
    milk = shop["MILK-1"]
    client = staff_client(Role.ADMIN)
    page = client.get(f"/catalog/products/{milk.pk}/")
    assert page.status_code == 200 and page.context["form"].initial["barcodes"] == ["8851111000011"]
    data = {"sku": "HACKED", "name_th": "นมจืด", "category": "", "brand": "FOREMOST", "pack_size": "1",
            "base_price": "13", "is_active": "on", "barcodes": "8851111000011\n8851111000012"}
    response = client.post(f"/catalog/products/{milk.pk}/", data)
    assert response.status_code == 302
    milk.refresh_from_db()
    assert (milk.sku, milk.name_th, milk.category, milk.base_price) == ("MILK-1", "นมจืด", None, Decimal("13.00"))
    assert sorted(milk.barcodes.values_list("code", flat=True)) == ["8851111000011", "8851111000012"]


def test_categories_and_brands_are_listed_and_edited(staff_client, shop):
    client = staff_client(Role.ADMIN)
    listed = client.get("/catalog/categories/")
    assert [(c.code, depth) for c, depth in listed.context["rows"]] == [("DRINK", 0), ("MILK", 1), ("SNACK", 0)]
    assert client.post("/catalog/categories/new/", {"code": "TEA", "name_th": "ชา", "parent": "DRINK"}).status_code == 302
    drink = Category.objects.get(code="DRINK")
    # a category cannot go below its own subcategory: the form says so
    moved = client.post(f"/catalog/categories/{drink.pk}/", {"name_th": "เครื่องดื่ม", "parent": "TEA"})
    assert moved.status_code == 400 and moved.context["form"].errors
    assert client.post("/catalog/categories/new/", {"code": "DRINK", "name_th": "ซ้ำ"}).status_code == 400

    assert client.get("/catalog/brands/").context["brands"][0].product_count == 2
    assert client.post("/catalog/brands/new/", {"code": "MALEE", "name": "มาลี"}).status_code == 302
    malee = Brand.objects.get(code="MALEE")
    assert client.post(f"/catalog/brands/{malee.pk}/", {"code": "X", "name": "มาลี ฟรุต"}).status_code == 302
    malee.refresh_from_db()
    assert (malee.code, malee.name) == ("MALEE", "มาลี ฟรุต")


def test_import_page_dry_run_then_import(staff_client, shop):
    client = staff_client(Role.ADMIN)
    csv = "sku,name_th,base_price\nTEA,ชา,10\nCOLA,โคล่า,16\nBAD,,x\n".encode()

    def post(**extra):
        return client.post("/catalog/import/", {"file": SimpleUploadedFile("p.csv", csv), "mode": "upsert", **extra})

    dry = post(dry_run="on")
    assert dry.status_code == 200 and dry.context["report"].counts == {"created": 1, "updated": 1, "unchanged": 0, "error": 1}
    assert not Product.objects.filter(sku="TEA").exists()
    done = post()
    assert done.context["report"].written and Product.objects.filter(sku="TEA").exists()
    assert client.get("/catalog/import/template.csv")["Content-Type"].startswith("text/csv")


def test_export_downloads_the_filtered_list(staff_client, shop):
    response = staff_client(Role.AUDITOR).get("/catalog/export/", {"format": "csv", "category": "SNACK"})
    lines = response.content.decode("utf-8-sig").splitlines()
    assert response.status_code == 200 and len(lines) == 2 and lines[1].startswith("CHIPS,")
    assert staff_client(Role.AUDITOR).get("/catalog/export/", {"format": "pdf"}).status_code == 400


@pytest.mark.parametrize("method, url", [
    ("get", "/catalog/products/new/"),
    ("post", "/catalog/products/new/"),
    ("post", "/catalog/products/{pk}/"),
    ("post", "/catalog/products/bulk/"),
    ("get", "/catalog/categories/new/"),
    ("get", "/catalog/brands/new/"),
    ("get", "/catalog/import/"),
])
def test_a_role_without_catalog_manage_is_refused(staff_client, shop, method, url):
    client = staff_client(Role.CASHIER)
    response = getattr(client, method)(url.format(pk=shop["MILK-1"].pk), {"name_th": "x", "base_price": "1"})
    assert response.status_code == 403
    assert Product.objects.get(sku="MILK-1").name_th == "นมจืด 225 มล."


def test_a_cashier_sees_a_product_read_only_and_no_management_links(staff_client, shop):
    client = staff_client(Role.CASHIER)
    page = client.get(f"/catalog/products/{shop['MILK-1'].pk}/")
    assert page.status_code == 200 and page.context["form"].fields["base_price"].disabled
    listing = client.get("/catalog/products/").content.decode()
    assert "/catalog/products/new/" not in listing and 'name="ids"' not in listing


def test_another_organizations_product_is_not_found(staff_client, shop, other_org):
    client = staff_client(Role.ADMIN, organization=other_org)
    assert client.get(f"/catalog/products/{shop['MILK-1'].pk}/").status_code == 404
    assert skus(client.get("/catalog/products/")) == []
