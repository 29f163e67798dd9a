"""Bulk edit: a preview, then the change applied once; a second post of the same confirmation
(a double click, a refresh) changes nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sasom.catalog import services
from sasom.catalog.bulk import BulkChange, products_bulk_apply, products_bulk_preview
from sasom.catalog.models import Product
from sasom.core.errors import Conflict, DomainError
from sasom.core.models import AuditEvent
from sasom.organizations.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def products(org, actor):
    services.category_create(organization_id=org.id, actor=actor, code="SNACK", name_th="ขนม")
    services.brand_create(organization_id=org.id, actor=actor, code="LAYS", name="เลย์")
    return [services.product_create(organization_id=org.id, actor=actor, sku=sku, name_th=sku, base_price=price)
            for sku, price in [("A", "10.00"), ("B", "19.99"), ("C", "0")]]


def ids(products) -> list[str]:
    return [str(p.pk) for p in products]


def test_a_price_rise_of_five_percent_previewed_then_applied_once(org, staff_client, products):
    client = staff_client(Role.MARKETING)
    form = {"ids": ids(products), "price_mode": "percent", "price_amount": "5", "category": "SNACK", "brand": "",
            "is_active": "", "excluded_from_points": "1", "back": "q=milk&page=1&evil=x"}

    # when marketing previews the change
    preview = client.post("/catalog/products/bulk/", form)

    # then the confirmation shows the new prices and nothing has changed yet
    assert preview.status_code == 200
    plan = preview.context["plan"]
    assert {p.sku: v.get("base_price") for p, v in plan.rows} == {"A": Decimal("10.50"), "B": Decimal("20.99"), "C": None}
    assert Product.objects.get(sku="A").base_price == Decimal("10.00")

    # when the confirmation is posted, twice (a double click)
    confirm = {**form, "step": "apply", "fingerprint": plan.fingerprint}
    first = client.post("/catalog/products/bulk/", confirm)
    second = client.post("/catalog/products/bulk/", confirm)

    # then the prices rose once, and both answers send the browser back to the list (post/redirect/get)
    assert first.status_code == 302 and first["Location"] == "/catalog/products/?q=milk&page=1"
    assert second.status_code == 302
    prices = dict(Product.objects.filter(organization=org).values_list("sku", "base_price"))
    assert prices == {"A": Decimal("10.50"), "B": Decimal("20.99"), "C": Decimal("0.00")}
    assert set(Product.objects.values_list("category__code", "excluded_from_points")) == {("SNACK", True)}
    assert AuditEvent.objects.filter(action="product.update", reason="bulk edit").count() == 3
    assert [m.level_tag for m in second.wsgi_request._messages][-1] == "error"  # refused, nothing changed


def test_a_product_changed_after_the_preview_stops_the_bulk_edit(org, actor, products):
    change = BulkChange(is_active=False)
    plan = products_bulk_preview(organization_id=org.id, ids=[p.pk for p in products], change=change)
    services.product_update(product=products[0], actor=actor, data={"name_th": "เปลี่ยนแล้ว"})
    with pytest.raises(Conflict) as refused:
        products_bulk_apply(organization_id=org.id, actor=actor, ids=[p.pk for p in products], change=change,
                            fingerprint=plan.fingerprint)
    assert refused.value.code == "bulk_stale"
    assert Product.objects.filter(is_active=False).count() == 0


@pytest.mark.parametrize("change, code", [
    (BulkChange(), "bulk_empty"),
    (BulkChange(price_percent=Decimal("-101")), "percent_invalid"),
    (BulkChange(price_percent=Decimal("1000.001")), "percent_invalid"),
    (BulkChange(price_value=Decimal("-1")), "price_invalid"),
    (BulkChange(category="NOPE"), "unknown_category"),
    (BulkChange(brand="NOPE"), "unknown_brand"),
])
def test_a_bad_change_is_refused_before_anything_is_written(org, products, change, code):
    with pytest.raises(DomainError) as refused:
        products_bulk_preview(organization_id=org.id, ids=[p.pk for p in products], change=change)
    assert refused.value.code == code


def test_a_price_that_would_grow_too_large_names_the_product(org, actor, products):
    big = services.product_create(organization_id=org.id, actor=actor, sku="BIG", name_th="ใหญ่", base_price="9000000000")
    with pytest.raises(DomainError) as refused:
        products_bulk_preview(organization_id=org.id, ids=[big.pk], change=BulkChange(price_percent=Decimal("20")))
    assert "BIG" in str(refused.value.message)


def test_the_form_shows_its_errors_and_other_organizations_products_are_ignored(org, staff_client, products, other_org,
                                                                               actor):
    client = staff_client(Role.ADMIN)
    # no change chosen, a price mode without an amount, an amount out of bounds: the page says so
    for form in ({}, {"price_mode": "value"}, {"price_mode": "percent", "price_amount": "-500"},
                 {"price_mode": "value", "price_amount": "99999999999"}):
        response = client.post("/catalog/products/bulk/", {"ids": ids(products), **form})
        assert response.status_code == 400 and response.context["form"].errors, form
    # another shop's product id is simply not selected
    theirs = services.product_create(organization_id=other_org.id, actor=actor, sku="THEIRS", name_th="x", base_price="5")
    preview = client.post("/catalog/products/bulk/", {"ids": [str(theirs.pk), "abc"], "is_active": "0"})
    assert preview.status_code == 400
    assert Product.objects.get(sku="THEIRS").is_active is True
