"""The catalog over the API: a POS reads and syncs, a management key writes, refusals name fields."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from sasom.catalog import errors, services
from sasom.catalog.models import Product
from sasom.core.models import AuditEvent

from .conftest import key_client

pytestmark = pytest.mark.django_db

MILK = {"sku": "MILK-1", "name_th": "นมจืด", "base_price": "12.00", "unit": "box", "barcodes": ["8851111000011"]}


def post(client, path, body):
    return client.post(path, data=json.dumps(body), content_type="application/json")


def patch(client, path, body):
    return client.patch(path, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def shelf(org, actor):
    services.category_create(organization_id=org.id, actor=actor, code="DRINK", name_th="เครื่องดื่ม")
    services.category_create(organization_id=org.id, actor=actor, code="DAIRY", name_th="นม", parent="DRINK")
    for i in range(5):
        services.product_create(organization_id=org.id, actor=actor, sku=f"P{i}", name_th=f"สินค้า {i}",
                                base_price=f"{10 + i}", category="DAIRY" if i % 2 else None,
                                barcodes=[f"8850000000{i}0", f"8850000000{i}1"])


def test_a_manage_key_adds_a_six_pack_and_a_pos_reads_it_by_barcode(manager, pos, org):
    # given a category and a brand
    assert post(manager, "/api/v1/categories", {"code": "DRINK", "name_th": "เครื่องดื่ม"}).status_code == 201
    assert post(manager, "/api/v1/brands", {"code": "FM", "name": "Foremost"}).status_code == 201

    # when the manager adds a 6-pack of 12 THB boxes
    response = post(manager, "/api/v1/products", {
        "sku": "MILK-6", "name_th": "นม แพ็ค 6", "base_price": "72", "pack_size": "6", "unit": "box",
        "category": "DRINK", "brand": "FM", "barcodes": ["8851111000066"], "vat_included": True,
    })

    # then it is stored, and a POS finds it by its barcode
    assert response.status_code == 201, response.content
    body = pos.get("/api/v1/products/8851111000066").json()
    assert body["sku"] == "MILK-6"
    assert (body["base_price"], body["pack_size"], body["unit"]) == ("72.00", "6", "box")
    assert (body["category"], body["brand"], body["barcodes"]) == ("DRINK", "FM", ["8851111000066"])
    assert pos.get("/api/v1/categories").json() == [{"code": "DRINK", "name_th": "เครื่องดื่ม", "name_en": "",
                                                     "parent": None}]
    assert pos.get("/api/v1/brands").json() == [{"code": "FM", "name": "Foremost"}]


@pytest.mark.parametrize(("method", "path", "body"), [
    ("post", "/api/v1/products", MILK),
    ("patch", "/api/v1/products/P1", {"base_price": "1.00"}),
    ("post", "/api/v1/categories", {"code": "X", "name_th": "x"}),
    ("post", "/api/v1/brands", {"code": "X", "name": "x"}),
])
def test_a_pos_key_reads_but_does_not_write(pos, shelf, method, path, body):
    response = (post if method == "post" else patch)(pos, path, body)
    assert response.status_code == 403
    assert Product.objects.get(sku="P1").base_price == 11
    assert not Product.objects.filter(sku="MILK-1").exists()


def test_staff_roles_read_and_only_managers_write(staff_client, shelf):
    cashier = staff_client("cashier")
    assert cashier.get("/api/v1/products").status_code == 200
    assert post(cashier, "/api/v1/brands", {"code": "X", "name": "x"}).status_code == 403
    assert post(staff_client("marketing"), "/api/v1/brands", {"code": "X", "name": "x"}).status_code == 201


def test_the_list_is_paginated(pos, shelf, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        first = pos.get("/api/v1/products?limit=2").json()
    assert (first["count"], first["limit"], first["offset"]) == (5, 2, 0)
    assert [p["sku"] for p in first["items"]] == ["P0", "P1"]
    assert first["items"][0]["barcodes"] == ["885000000000", "885000000001"]
    last = pos.get("/api/v1/products?limit=2&offset=4").json()
    assert ([p["sku"] for p in last["items"]], last["count"]) == (["P4"], 5)


def test_filters_by_text_category_and_activity(pos, manager, shelf):
    assert [p["sku"] for p in pos.get("/api/v1/products?q=p3").json()["items"]] == ["P3"]
    # DRINK holds DAIRY, which holds P1 and P3
    assert [p["sku"] for p in pos.get("/api/v1/products?category=DRINK").json()["items"]] == ["P1", "P3"]
    assert patch(manager, "/api/v1/products/P2", {"is_active": False}).status_code == 200
    assert [p["sku"] for p in pos.get("/api/v1/products?active=false").json()["items"]] == ["P2"]
    assert pos.get("/api/v1/products?category=NOPE").json()["code"] == errors.CATEGORY_NOT_FOUND


def test_updated_since_returns_only_the_products_changed(pos, manager, shelf):
    # given a POS that synced everything, remembering when
    synced_at = timezone.now()
    assert pos.get("/api/v1/products", {"updated_since": synced_at.isoformat()}).json()["count"] == 0

    # when two products change afterwards (a price, a barcode)
    assert patch(manager, "/api/v1/products/P3", {"base_price": "99.50"}).status_code == 200
    assert patch(manager, "/api/v1/products/P0", {"barcodes": ["NEW-0"]}).status_code == 200

    # then the next sync gets those two only, oldest change first
    changed = pos.get("/api/v1/products", {"updated_since": synced_at.isoformat()}).json()
    assert [(p["sku"], p["base_price"], p["barcodes"]) for p in changed["items"]] == [
        ("P3", "99.50", ["885000000030", "885000000031"]), ("P0", "10.00", ["NEW-0"])]


def test_updated_since_must_carry_its_offset(pos, shelf):
    response = pos.get("/api/v1/products", {"updated_since": "2026-01-01T00:00:00"})
    assert response.status_code == 422 and response.json()["field"] == "updated_since"


def test_an_unknown_query_parameter_is_refused(pos, shelf):
    response = pos.get("/api/v1/products?actve=true")
    assert (response.status_code, response.json()["field"]) == (422, "actve")


@pytest.mark.parametrize(("body", "status", "code", "field"), [
    ({**MILK, "base_price": "-1"}, 400, errors.PRICE_INVALID, "base_price"),
    ({**MILK, "base_price": "1.999"}, 400, errors.PRICE_INVALID, "base_price"),
    ({**MILK, "base_price": 12}, 422, "invalid_input", "base_price"),
    ({**MILK, "pack_size": "0"}, 400, errors.PACK_SIZE_INVALID, "pack_size"),
    ({**MILK, "active_from": "2026-07-01", "active_to": "2026-06-01"}, 400, errors.ACTIVE_DATES_INVALID, "active_to"),
    ({**MILK, "vat_included": 1}, 422, "invalid_input", "vat_included"),
    ({**MILK, "sku": "P1"}, 409, errors.SKU_TAKEN, "sku"),
    ({**MILK, "barcodes": ["885000000010"]}, 409, errors.BARCODE_TAKEN, "barcodes"),
    ({**MILK, "category": "NOPE"}, 400, errors.CATEGORY_NOT_FOUND, "category"),
])
def test_bad_input_is_answered_with_its_code_and_field(manager, shelf, body, status, code, field):
    before = AuditEvent.objects.count()
    response = post(manager, "/api/v1/products", body)
    assert response.status_code == status, response.content
    assert (response.json()["code"], response.json()["field"]) == (code, field)
    assert not Product.objects.filter(sku="MILK-1").exists()
    assert AuditEvent.objects.count() == before


def test_a_patch_refused_for_its_barcode_keeps_the_price(manager, shelf):
    response = patch(manager, "/api/v1/products/P1", {"base_price": "50", "barcodes": ["885000000020"]})
    assert (response.status_code, response.json()["code"]) == (409, errors.BARCODE_TAKEN)
    assert Product.objects.get(sku="P1").base_price == 11


def test_another_organizations_products_are_not_found(other_org, shelf, pos):
    theirs = key_client(other_org, can_manage=True)
    assert theirs.get("/api/v1/products/P1").status_code == 404
    assert theirs.get("/api/v1/products/885000000010").json()["code"] == errors.PRODUCT_NOT_FOUND
    assert patch(theirs, "/api/v1/products/P1", {"base_price": "1"}).status_code == 404
    assert theirs.get("/api/v1/products").json()["count"] == 0
    assert pos.get("/api/v1/products/P1").status_code == 200


def test_a_category_cycle_cannot_be_made_through_create(manager, shelf):
    response = post(manager, "/api/v1/categories", {"code": "DRINK", "name_th": "x", "parent": "DAIRY"})
    assert (response.status_code, response.json()["code"]) == (409, errors.CATEGORY_CODE_TAKEN)


def test_dates_and_times_come_back_as_iso(pos, shelf):
    body = pos.get("/api/v1/products/P0").json()
    assert dt.datetime.fromisoformat(body["updated_at"]).tzinfo is not None
