"""Promotions over the API: every operation, its error codes and fields, 404 across
organizations, permissions (staff roles and API keys), the kinds and "try a basket"."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from sasom.core.audit import Actor
from sasom.integrations import auth
from sasom.integrations.services import api_key_create
from sasom.organizations.models import Role
from sasom.promotions import errors
from sasom.promotions.engine.kinds import KINDS
from sasom.promotions.models import Promotion, PromotionSettings, Status

pytestmark = pytest.mark.django_db

B2G1 = {"code": "COKE-B2G1", "name": "โค้ก ซื้อ 2 แถม 1", "kind": "qty_free", "item_skus": ["COKE"],
        "params": {"bands": [{"from": 2, "value": 1}], "repeat": True}}


@pytest.fixture(autouse=True)
def _fresh_caches():
    auth._cache.clear()
    auth._buckets.clear()


def _key(org, **kw) -> Client:
    issued = api_key_create(organization_id=org.id, label="key", actor=Actor.system(), **kw)
    return Client(HTTP_AUTHORIZATION=f"Bearer {issued.key}")


@pytest.fixture
def manager(org, catalog):
    return _key(org, can_manage=True)


def post(client: Client, path: str, body=None):
    return client.post(f"/api/v1{path}", data=json.dumps(body if body is not None else {}),
                       content_type="application/json")


def _error(response, status: int, code: str, field: str | None):
    assert response.status_code == status, response.content
    body = response.json()
    assert (body["code"], body["field"]) == (code, field)


def test_create_read_list_patch_and_the_state_moves(manager):
    # when an ERP creates a promotion
    r = post(manager, "/promotions", B2G1)
    assert r.status_code == 201, r.content
    created = r.json()
    assert created["status"] == "draft" and created["params"]["bands"] == [{"from": 2, "value": 1}]
    assert "ซื้อ 2 แถม 1" in created["summary"]  # the request's language: Thai without Accept-Language
    # then it reads back, and lists under its status and kind
    assert manager.get("/api/v1/promotions/COKE-B2G1").json()["name"] == "โค้ก ซื้อ 2 แถม 1"
    listed = manager.get("/api/v1/promotions?status=draft&kind=qty_free").json()
    assert listed["count"] == 1 and [p["code"] for p in listed["items"]] == ["COKE-B2G1"]
    assert manager.get("/api/v1/promotions?status=active").json()["count"] == 0
    # a change, then each move
    r = manager.patch("/api/v1/promotions/COKE-B2G1", data=json.dumps({"budget": 100, "hours_from": "10:00",
                                                                       "hours_to": "14:00"}),
                      content_type="application/json")
    assert r.status_code == 200 and r.json()["budget"] == 100 and r.json()["hours_to"] == "14:00"
    r = manager.patch("/api/v1/promotions/COKE-B2G1", data=json.dumps({"budget": None}),
                      content_type="application/json")
    assert r.json()["budget"] is None and r.json()["hours_from"] == "10:00"
    for action, status in [("activate", "active"), ("pause", "paused"), ("resume", "active"), ("end", "ended")]:
        r = post(manager, f"/promotions/COKE-B2G1/{action}")
        assert r.status_code == 200 and r.json()["status"] == status, r.content
    _error(post(manager, "/promotions/COKE-B2G1/resume"), 409, errors.PROMOTION_STATE_INVALID, "status")
    # an ended promotion is copied, not changed
    r = post(manager, "/promotions/COKE-B2G1/copy", {"code": "COKE-B2G1-DEC"})
    assert r.status_code == 201 and r.json()["status"] == "draft" and r.json()["item_skus"] == ["COKE"]


@pytest.mark.parametrize(("change", "status", "code", "field"), [
    ({"kind": "nope"}, 400, errors.PROMOTION_KIND_UNKNOWN, "kind"),
    ({"params": {"bands": [{"from": 2, "value": 0}]}}, 400, errors.PROMOTION_PARAMS_INVALID, "params.bands.0.value"),
    ({"params": {"bands": [{"from": 2, "value": 1}], "colour": "red"}}, 400, errors.PROMOTION_PARAMS_INVALID,
     "params.colour"),
    ({"item_skus": ["NOPE"]}, 400, errors.PROMOTION_UNKNOWN_CODE, "item_skus"),
    ({"item_categories": ["NOPE"]}, 400, errors.PROMOTION_UNKNOWN_CODE, "item_categories"),
    ({"item_brands": ["NOPE"]}, 400, errors.PROMOTION_UNKNOWN_CODE, "item_brands"),
    ({"branches": ["NOPE"]}, 400, errors.PROMOTION_UNKNOWN_CODE, "branches"),
    ({"member_types": ["NOPE"]}, 400, errors.PROMOTION_UNKNOWN_CODE, "member_types"),
    ({"tiers": ["NOPE"]}, 400, errors.PROMOTION_UNKNOWN_CODE, "tiers"),
    ({"terminals": ["NOPE"]}, 400, errors.PROMOTION_UNKNOWN_CODE, "terminals"),
    ({"weekdays": [9]}, 400, errors.PROMOTION_WEEKDAYS_INVALID, "weekdays"),
    ({"hours_from": "10:00"}, 400, errors.PROMOTION_HOURS_INVALID, "hours_to"),
    ({"starts_at": "2026-12-02T00:00:00+07:00", "ends_at": "2026-12-01T00:00:00+07:00"}, 400,
     errors.PROMOTION_DATES_INVALID, "ends_at"),
    ({"code": "kinds"}, 400, errors.PROMOTION_FIELD_INVALID, "code"),
    ({"starts_at": "2026-12-02T00:00:00"}, 422, "invalid_input", "starts_at"),
    ({"hours_from": "25:00"}, 422, "invalid_input", "hours_from"),
    ({"budget": 0}, 422, "invalid_input", "budget"),
    ({"colour": "red"}, 422, "invalid_input", "colour"),
])
def test_a_refused_promotion_names_its_code_and_field(manager, change, status, code, field):
    _error(post(manager, "/promotions", B2G1 | change), status, code, field)
    assert not Promotion.objects.exists()


def test_a_code_is_taken_once(manager):
    post(manager, "/promotions", B2G1)
    _error(post(manager, "/promotions", B2G1), 409, errors.PROMOTION_CODE_TAKEN, "code")
    post(manager, "/promotions", B2G1 | {"code": "OTHER"})
    r = manager.patch("/api/v1/promotions/OTHER", data=json.dumps({"code": "COKE-B2G1"}),
                      content_type="application/json")
    _error(r, 409, errors.PROMOTION_CODE_TAKEN, "code")
    _error(post(manager, "/promotions/OTHER/copy", {"code": "COKE-B2G1"}), 409, errors.PROMOTION_CODE_TAKEN, "code")


def test_another_organizations_promotion_is_not_found(manager, other_org):
    other = _key(other_org, can_manage=True)
    post(manager, "/promotions", B2G1)
    _error(other.get("/api/v1/promotions/COKE-B2G1"), 404, errors.PROMOTION_NOT_FOUND, "code")
    for action in ("activate", "pause", "resume", "end"):
        _error(post(other, f"/promotions/COKE-B2G1/{action}"), 404, errors.PROMOTION_NOT_FOUND, "code")
    _error(post(other, "/promotions/COKE-B2G1/copy", {"code": "X"}), 404, errors.PROMOTION_NOT_FOUND, "code")
    r = other.patch("/api/v1/promotions/COKE-B2G1", data=json.dumps({"name": "x"}), content_type="application/json")
    _error(r, 404, errors.PROMOTION_NOT_FOUND, "code")
    assert other.get("/api/v1/promotions").json()["count"] == 0
    assert Promotion.objects.get().name == B2G1["name"]


def test_a_pos_key_reads_nothing_and_changes_nothing(org, terminal, catalog):
    pos = _key(org, terminal=terminal)
    _error(pos.get("/api/v1/promotions"), 403, "forbidden", None)
    _error(post(pos, "/promotions", B2G1), 403, "forbidden", None)
    _error(post(pos, "/promotions/preview", {"lines": [{"sku": "COKE", "quantity": 3}]}), 403, "forbidden", None)


@pytest.mark.parametrize(("role", "can_view", "can_manage"), [
    (Role.OWNER, True, True), (Role.ADMIN, True, True), (Role.MARKETING, True, True),
    (Role.BRANCH_MANAGER, True, False), (Role.AUDITOR, True, False), (Role.CASHIER, False, False),
    (Role.SERVICE_COUNTER, False, False),
])
def test_staff_roles(staff_client, catalog, role, can_view, can_manage):
    client = staff_client(role)
    assert (client.get("/api/v1/promotions").status_code == 200) is can_view
    assert (client.get("/api/v1/promotions/kinds").status_code == 200) is can_view
    r = post(client, "/promotions", B2G1)
    assert r.status_code == (201 if can_manage else 403)
    r = client.put("/api/v1/promotions/settings", data=json.dumps({"mode": "priority"}), content_type="application/json")
    assert r.status_code == (200 if can_manage else 403)


def test_settings_read_and_write(manager, org):
    assert manager.get("/api/v1/promotions/settings").json() == {"mode": "best", "gifts_earn_points": False,
                                                                 "version": 0}
    r = manager.put("/api/v1/promotions/settings", data=json.dumps({"mode": "priority", "gifts_earn_points": True}),
                    content_type="application/json")
    assert r.status_code == 200 and r.json()["mode"] == "priority" and r.json()["gifts_earn_points"] is True
    assert PromotionSettings.objects.get(organization=org).mode == "priority"
    r = manager.put("/api/v1/promotions/settings", data=json.dumps({"mode": "cheapest"}), content_type="application/json")
    _error(r, 422, "invalid_input", "mode")


def test_kinds_list_every_kind_with_its_parameters(manager):
    kinds = {k["code"]: k for k in manager.get("/api/v1/promotions/kinds").json()}
    assert set(kinds) == set(KINDS)
    qty = kinds["qty_free"]
    assert qty["family"] == 1 and qty["uses_items"] is True
    bands = next(p for p in qty["params"] if p["name"] == "bands")
    assert bands["type"] == "bands" and bands["required"] is True and bands["example"] == qty["example"]["bands"]


def test_the_openapi_document_describes_each_kinds_parameters(manager):
    schema = manager.get("/api/v1/openapi.json").json()
    described = json.dumps(schema["components"]["schemas"]["PromotionIn"])
    for code in KINDS:
        assert code in described


def test_preview_prices_a_basket_with_the_active_promotions(manager, org):
    post(manager, "/promotions", B2G1)
    post(manager, "/promotions/COKE-B2G1/activate")
    # given 3 cokes at 15 and a bag of chips
    r = post(manager, "/promotions/preview", {"lines": [{"sku": "COKE", "quantity": 3}, {"sku": "LAYS", "quantity": "1"}]})
    assert r.status_code == 200, r.content
    body = r.json()
    # then one coke is free
    assert [a["code"] for a in body["applied"]] == ["COKE-B2G1"]
    assert body["applied"][0]["discount"] == "15.00"
    assert body["lines"][0]["discount"] == "15.00" and body["lines"][0]["net"] == "30.00"
    assert body["totals"] == {"gross": "80.00", "discount": "15.00", "net": "65.00"}
    # and 2 cokes hint at the third
    body = post(manager, "/promotions/preview", {"lines": [{"sku": "COKE", "quantity": 2}]}).json()
    assert body["applied"] == [] and body["hints"][0]["promotion"] == "COKE-B2G1"
    assert body["hints"][0]["missing_units"] == "1"


def test_preview_tries_a_draft_not_saved(manager):
    draft = B2G1 | {"code": "DRAFT"}
    body = post(manager, "/promotions/preview", {"lines": [{"sku": "COKE", "quantity": 6}], "promotion": draft}).json()
    assert [a["code"] for a in body["applied"]] == ["DRAFT"] and body["totals"]["discount"] == "30.00"
    assert not Promotion.objects.exists()
    # an invalid draft is refused as a promotion would be
    _error(post(manager, "/promotions/preview", {"lines": [{"sku": "COKE", "quantity": 1}],
                                                 "promotion": draft | {"item_skus": ["NOPE"]}}),
           400, errors.PROMOTION_UNKNOWN_CODE, "item_skus")


@pytest.mark.parametrize(("body", "field"), [
    ({"lines": [{"sku": "NOPE", "quantity": 1}]}, "lines.0.sku"),
    ({"lines": [{"sku": "COKE", "quantity": 0}]}, "lines.0.quantity"),
    ({"lines": [{"sku": "COKE", "quantity": 1}], "member": "NOPE"}, "member"),
    ({"lines": [{"sku": "COKE", "quantity": 1}], "branch": "NOPE"}, "branch"),
])
def test_preview_refuses_what_it_cannot_price(manager, body, field):
    _error(post(manager, "/promotions/preview", body), 400, errors.PREVIEW_INVALID, field)


def test_preview_needs_lines(manager):
    _error(post(manager, "/promotions/preview", {"lines": []}), 422, "invalid_input", "lines")


def test_a_write_replayed_with_its_idempotency_key_runs_once(manager):
    headers = {"HTTP_IDEMPOTENCY_KEY": "promo-create-1"}
    first = manager.post("/api/v1/promotions", data=json.dumps(B2G1), content_type="application/json", **headers)
    again = manager.post("/api/v1/promotions", data=json.dumps(B2G1), content_type="application/json", **headers)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"] and Promotion.objects.count() == 1
    assert Promotion.objects.get().status == Status.DRAFT


def test_the_list_refuses_a_kind_that_does_not_exist(manager):
    _error(manager.get("/api/v1/promotions?kind=true"), 422, "invalid_input", "kind")
    _error(manager.get("/api/v1/promotions?status=gone"), 422, "invalid_input", "status")
    _error(manager.get("/api/v1/promotions?colour=red"), 422, "invalid_input", "colour")
