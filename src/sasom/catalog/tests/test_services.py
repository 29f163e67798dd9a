"""The catalog's services: worked examples of a shop's products, and every refusal storing nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from sasom.catalog import errors, services
from sasom.catalog.models import Barcode, Brand, Category, Product
from sasom.catalog.selectors import product_by_code
from sasom.core.errors import DomainError
from sasom.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def drinks(org, actor):
    return services.category_create(organization_id=org.id, actor=actor, code="DRINK", name_th="เครื่องดื่ม",
                                    name_en="Drinks")


@pytest.fixture
def milk(org, actor, drinks):
    services.brand_create(organization_id=org.id, actor=actor, code="FOREMOST", name="โฟร์โมสต์")
    return services.product_create(
        organization_id=org.id, actor=actor, sku="MILK-1", name_th="นมจืด 225 มล.", base_price="12",
        unit="box", category="DRINK", brand="FOREMOST", barcodes=["8851111000011"],
    )


def test_a_six_pack_of_a_12_baht_box(org, actor, drinks):
    # when the shop adds a 6-pack of its 12 THB milk box
    pack = services.product_create(
        organization_id=org.id, actor=actor, sku="MILK-6", name_th="นมจืด แพ็ค 6", name_en="Plain milk 6-pack",
        base_price="72.00", pack_size="6", unit="box", category="DRINK",
    )

    # then it is stored as such, VAT included by default, and the change is audited
    pack.refresh_from_db()
    assert (pack.pack_size, pack.base_price, pack.unit) == (Decimal("6"), Decimal("72.00"), "box")
    assert pack.vat_included is True and pack.excluded_from_points is False and pack.is_active is True
    assert pack.category == drinks
    assert pack.base_price / pack.pack_size == Decimal("12")
    event = AuditEvent.objects.get(action="product.create")
    assert event.changes["sku"] == [None, "MILK-6"] and event.changes["base_price"] == [None, "72.00"]


def test_a_product_with_three_barcodes_is_found_by_each_and_by_its_sku(org, actor, django_assert_num_queries):
    # given a product with three barcodes
    product = services.product_create(
        organization_id=org.id, actor=actor, sku="SOAP", name_th="สบู่", base_price="25.50",
        barcodes=["8850000000011", "8850000000028", "SHELF-17"],
    )

    # then each barcode and the SKU find it, in one query each
    for code in ("8850000000011", "8850000000028", "SHELF-17", "SOAP", " SOAP "):
        with django_assert_num_queries(1):
            assert product_by_code(org.id, code) == product
    with pytest.raises(DomainError) as refused:
        product_by_code(org.id, "8850000000035")
    assert refused.value.code == errors.PRODUCT_NOT_FOUND and refused.value.status == 404


def test_another_organizations_product_is_not_found(org, other_org, actor, milk):
    with pytest.raises(DomainError):
        product_by_code(other_org.id, "MILK-1")
    with pytest.raises(DomainError):
        product_by_code(other_org.id, "8851111000011")


def test_barcodes_are_replaced_and_the_product_marked_changed(org, actor, milk):
    # given the milk's change time
    before = Product.objects.get(pk=milk.pk).updated_at

    # when its barcodes are set to a new pair, keeping one
    services.product_barcodes_set(product=milk, actor=actor, barcodes=["8851111000011", "8851111000028"])

    # then the old one stays, the new one is found, the product's updated_at moved
    assert sorted(milk.barcodes.values_list("code", flat=True)) == ["8851111000011", "8851111000028"]
    assert product_by_code(org.id, "8851111000028") == milk
    assert Product.objects.get(pk=milk.pk).updated_at > before
    assert AuditEvent.objects.filter(action="product.barcodes").count() == 1


def test_update_changes_price_and_clears_the_brand(org, actor, milk):
    services.product_update(product=milk, actor=actor, data={"base_price": "13.50", "brand": None, "unit": "carton"})
    milk.refresh_from_db()
    assert (milk.base_price, milk.brand, milk.unit) == (Decimal("13.50"), None, "carton")
    event = AuditEvent.objects.get(action="product.update")
    assert event.changes["base_price"] == ["12.00", "13.50"]


@pytest.mark.parametrize(("changes", "code", "field"), [
    ({"base_price": "-1"}, errors.PRICE_INVALID, "base_price"),
    ({"base_price": "12.345"}, errors.PRICE_INVALID, "base_price"),
    ({"base_price": "abc"}, errors.PRICE_INVALID, "base_price"),
    ({"base_price": "1e12"}, errors.PRICE_INVALID, "base_price"),
    ({"pack_size": "0"}, errors.PACK_SIZE_INVALID, "pack_size"),
    ({"pack_size": "-6"}, errors.PACK_SIZE_INVALID, "pack_size"),
    ({"pack_size": "0.0001"}, errors.PACK_SIZE_INVALID, "pack_size"),
    ({"active_from": dt.date(2026, 7, 1), "active_to": dt.date(2026, 6, 30)}, errors.ACTIVE_DATES_INVALID, "active_to"),
    ({"sku": "MILK-1"}, errors.SKU_TAKEN, "sku"),
    ({"sku": "8851111000011"}, errors.SKU_TAKEN, "sku"),
    ({"sku": "bad sku"}, errors.SKU_INVALID, "sku"),
    ({"barcodes": ["8851111000011"]}, errors.BARCODE_TAKEN, "barcodes"),
    ({"barcodes": ["MILK-1"]}, errors.BARCODE_TAKEN, "barcodes"),
    ({"barcodes": ["with space"]}, errors.BARCODE_INVALID, "barcodes"),
    ({"category": "NOPE"}, errors.CATEGORY_NOT_FOUND, "category"),
    ({"brand": "NOPE"}, errors.BRAND_NOT_FOUND, "brand"),
    ({"name_th": "  "}, errors.NAME_REQUIRED, "name_th"),
])
def test_bad_input_is_refused_naming_the_field_and_nothing_is_stored(org, actor, milk, changes, code, field):
    # given the catalog as it is
    counts = (Product.objects.count(), Barcode.objects.count(), AuditEvent.objects.count())
    values = {"sku": "NEW-1", "name_th": "ของใหม่", "base_price": "10", **changes}

    # when a product is added with one bad value
    with pytest.raises(DomainError) as refused:
        services.product_create(organization_id=org.id, actor=actor, **values)

    # then the refusal names its code and field, and nothing changed
    assert (refused.value.code, refused.value.field) == (code, field)
    assert (Product.objects.count(), Barcode.objects.count(), AuditEvent.objects.count()) == counts


def test_the_barcode_taken_is_named(org, actor, milk):
    with pytest.raises(DomainError) as refused:
        services.product_create(organization_id=org.id, actor=actor, sku="X", name_th="x", base_price="1",
                                barcodes=["FREE-1", "8851111000011"])
    assert refused.value.code == errors.BARCODE_TAKEN
    assert "8851111000011" in str(refused.value.message)


@pytest.mark.parametrize(("data", "code", "field"), [
    ({"base_price": "-0.01"}, errors.PRICE_INVALID, "base_price"),
    ({"pack_size": "0"}, errors.PACK_SIZE_INVALID, "pack_size"),
    ({"active_from": dt.date(2026, 7, 1), "active_to": dt.date(2026, 1, 1)}, errors.ACTIVE_DATES_INVALID, "active_to"),
    ({"sku": "OTHER"}, errors.FIELD_UNKNOWN, "sku"),
])
def test_a_bad_update_changes_nothing(org, actor, milk, data, code, field):
    with pytest.raises(DomainError) as refused:
        services.product_update(product=milk, actor=actor, data=data)
    assert (refused.value.code, refused.value.field) == (code, field)
    stored = Product.objects.get(pk=milk.pk)
    assert (stored.base_price, stored.pack_size, stored.active_to) == (Decimal("12.00"), Decimal("1"), None)


def test_categories_form_a_tree_without_cycles(org, actor, drinks):
    # given drinks > dairy > yoghurt
    dairy = services.category_create(organization_id=org.id, actor=actor, code="DAIRY", name_th="นม", parent="DRINK")
    yoghurt = services.category_create(organization_id=org.id, actor=actor, code="YOG", name_th="โยเกิร์ต", parent="DAIRY")

    # when drinks is put below yoghurt, or below itself
    for parent in ("YOG", "DRINK"):
        with pytest.raises(DomainError) as refused:
            services.category_update(category=drinks, actor=actor, data={"parent": parent})
        # then it is refused and the tree is unchanged
        assert (refused.value.code, refused.value.field) == (errors.CATEGORY_CYCLE, "parent")
    assert Category.objects.get(pk=drinks.pk).parent is None

    # but yoghurt may move to the top, and be renamed
    services.category_update(category=yoghurt, actor=actor, data={"parent": None, "name_en": "Yoghurt"})
    yoghurt.refresh_from_db()
    assert (yoghurt.parent, yoghurt.name_en) == (None, "Yoghurt")
    assert dairy.parent == drinks


def test_codes_of_categories_and_brands_are_unique_per_organization(org, other_org, actor, drinks):
    with pytest.raises(DomainError) as refused:
        services.category_create(organization_id=org.id, actor=actor, code="DRINK", name_th="ซ้ำ")
    assert (refused.value.code, refused.value.field) == (errors.CATEGORY_CODE_TAKEN, "code")
    services.category_create(organization_id=other_org.id, actor=actor, code="DRINK", name_th="เครื่องดื่ม")
    services.brand_create(organization_id=org.id, actor=actor, code="B", name="Brand")
    with pytest.raises(DomainError) as refused:
        services.brand_create(organization_id=org.id, actor=actor, code="B", name="Again")
    assert refused.value.code == errors.BRAND_CODE_TAKEN
    assert Brand.objects.filter(organization_id=org.id).count() == 1


def test_another_organization_may_use_the_same_sku_and_barcode(org, other_org, actor, milk):
    theirs = services.product_create(organization_id=other_org.id, actor=actor, sku="MILK-1", name_th="นม",
                                     base_price="11", barcodes=["8851111000011"])
    assert product_by_code(other_org.id, "8851111000011") == theirs
    assert product_by_code(org.id, "8851111000011") == milk


def test_an_unknown_category_of_another_organization_is_refused(org, other_org, actor):
    services.category_create(organization_id=other_org.id, actor=actor, code="THEIRS", name_th="ของเขา")
    with pytest.raises(DomainError) as refused:
        services.product_create(organization_id=org.id, actor=actor, sku="A", name_th="a", base_price="1",
                                category="THEIRS")
    assert refused.value.code == errors.CATEGORY_NOT_FOUND
