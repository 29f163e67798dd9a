"""The promotions API used adversarially (session 15): parameters beyond what a bill can hold, empty
codes in a list, codes that cannot be addressed, a promotion put on sale after its end, a settings
write that changes nothing, a preview quantity over the limit. Each is refused on its field, and
nothing is stored."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.test import Client

from sasom.core.audit import Actor
from sasom.core.models import AuditEvent
from sasom.integrations import auth
from sasom.integrations.services import api_key_create
from sasom.promotions import errors
from sasom.promotions.engine.types import ParamsError
from sasom.promotions.models import Promotion, PromotionSettings, Status

pytestmark = pytest.mark.django_db

B2G1 = {"code": "COKE-B2G1", "name": "โค้ก ซื้อ 2 แถม 1", "kind": "qty_free", "item_skus": ["COKE"],
        "params": {"bands": [{"from": 2, "value": 1}], "repeat": True}}
HUGE = 10**40


@pytest.fixture
def manager(org, catalog) -> Client:
    auth._cache.clear()
    auth._buckets.clear()
    issued = api_key_create(organization_id=org.id, label="key", actor=Actor.system(), can_manage=True)
    return Client(HTTP_AUTHORIZATION=f"Bearer {issued.key}", raise_request_exception=False)


def _post(client: Client, path: str, body=None):
    if body is None:
        return client.post(f"/api/v1{path}")
    return client.post(f"/api/v1{path}", data=json.dumps(body), content_type="application/json")


def _patch(client: Client, path: str, body):
    return client.patch(f"/api/v1{path}", data=json.dumps(body), content_type="application/json")


def _error(response, status: int, code: str, field: str | None) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert (body["code"], body["field"]) == (code, field)
    return body


@pytest.mark.parametrize(("kind", "params", "field"), [
    ("qty_free", {"bands": [{"from": HUGE, "value": 1}]}, "params.bands.0.from"),
    ("qty_free", {"bands": [{"from": "1e999999", "value": 1}]}, "params.bands.0.from"),
    ("qty_free", {"bands": [{"from": 2, "value": HUGE}]}, "params.bands.0.value"),
    ("qty_price", {"bands": [{"from": 3, "value": 1e308}]}, "params.bands.0.value"),
    ("group_fixed_total", {"quantity": 3, "total": "1" * 40}, "params.total"),
    ("group_fixed_total", {"quantity": HUGE, "total": "100"}, "params.quantity"),
    ("mix_gift", {"mix": [{"sku": "COKE", "quantity": 1}], "gifts": ["SPRITE"], "gift_quantity": HUGE},
     "params.gift_quantity"),
    ("mix_set_price", {"mix": [{"sku": "COKE", "quantity": HUGE, "price": "10"}]}, "params.mix.0.quantity"),
    ("bin_pack_lowest", {"pack_size": HUGE, "pack_price": "30", "unit_price": "7.50"}, "params.pack_size"),
])
def test_a_count_or_an_amount_no_bill_can_hold_is_refused_on_its_field(manager, kind, params, field):
    # given a 40-digit count (stored until now, and a draft of it kept the preview busy for good), a
    # count of 1e999999 (half a minute of a worker, then a 500) or a 40-digit amount (refused as
    # "[<class 'decimal.InvalidOperation'>]" on "params")
    body = B2G1 | {"kind": kind, "params": params}
    # when it is sent, as a promotion or as a draft to try
    created = _post(manager, "/promotions", body)
    tried = _post(manager, "/promotions/preview", {"lines": [{"sku": "COKE", "quantity": 3}], "promotion": body})
    # then both are refused on the parameter, and nothing is stored
    for response in (created, tried):
        refused = _error(response, 400, errors.PROMOTION_PARAMS_INVALID, field)
        assert "class" not in refused["message"]
    assert not Promotion.objects.exists()


def test_the_bounds_themselves_are_accepted():
    from sasom.promotions.engine.kinds._params import MONEY_MAX, WHOLE_MAX, to_int, to_money  # noqa: PLC0415

    assert to_int(WHOLE_MAX, "n") == WHOLE_MAX
    with pytest.raises(ParamsError):
        to_int(WHOLE_MAX + 1, "n")
    assert to_money(MONEY_MAX, "m") == str(MONEY_MAX)
    with pytest.raises(ParamsError):
        to_money(MONEY_MAX + Decimal("0.01"), "m")


@pytest.mark.parametrize("field", ["item_skus", "exclude_skus", "item_categories", "branches", "tiers"])
def test_an_empty_code_in_a_list_is_refused_not_read_as_no_list(manager, field):
    # given a list with an empty code: dropped, item_skus [""] became "every line of the bill"
    _error(_post(manager, "/promotions", B2G1 | {field: [""]}), 400, errors.PROMOTION_FIELD_INVALID, field)
    _error(_post(manager, "/promotions", B2G1 | {field: ["  "]}), 400, errors.PROMOTION_FIELD_INVALID, field)
    assert not Promotion.objects.exists()
    # and a change that would empty a stored list so keeps it
    assert _post(manager, "/promotions", B2G1).status_code == 201
    _error(_patch(manager, "/promotions/COKE-B2G1", {"item_skus": ["COKE", ""]}), 400,
           errors.PROMOTION_FIELD_INVALID, "item_skus")
    assert Promotion.objects.get().item_skus == ["COKE"]


@pytest.mark.parametrize("code", ["A\tB", "A\nB", "\u200b", "PROMO\u200b", ".", ".."])
def test_a_code_that_cannot_be_typed_or_addressed_is_refused(manager, code):
    _error(_post(manager, "/promotions", B2G1 | {"code": code}), 400, errors.PROMOTION_FIELD_INVALID, "code")
    assert _post(manager, "/promotions", B2G1).status_code == 201
    _error(_post(manager, "/promotions/COKE-B2G1/copy", {"code": code}), 400, errors.PROMOTION_FIELD_INVALID, "code")
    assert list(Promotion.objects.values_list("code", flat=True)) == ["COKE-B2G1"]


@pytest.mark.parametrize("code", ["โปรปีใหม่", "NEW YEAR 2027", "a.b", "10%-OFF"])
def test_thai_spaces_and_punctuation_stay_accepted_and_addressable(manager, code):
    from urllib.parse import quote

    assert _post(manager, "/promotions", B2G1 | {"code": code}).status_code == 201
    assert manager.get(f"/api/v1/promotions/{quote(code, safe='')}").json()["code"] == code


def test_a_promotion_whose_end_has_passed_is_not_put_on_sale(manager):
    # given a draft of last year's new-year promotion
    past = B2G1 | {"starts_at": "2020-12-25T00:00:00+07:00", "ends_at": "2021-01-01T00:00:00+07:00"}
    assert _post(manager, "/promotions", past).status_code == 201
    # when marketing activates it, then it is refused on its end, and stays a draft
    _error(_post(manager, "/promotions/COKE-B2G1/activate"), 400, errors.PROMOTION_DATES_INVALID, "ends_at")
    assert Promotion.objects.get().status == Status.DRAFT
    # given an end moved on, it goes on sale
    future = (dt.datetime.now(dt.UTC) + dt.timedelta(days=30)).isoformat()
    assert _patch(manager, "/promotions/COKE-B2G1", {"ends_at": future}).status_code == 200
    assert _post(manager, "/promotions/COKE-B2G1/activate").json()["status"] == "active"
    # and a paused one whose end has since passed is not resumed
    assert _post(manager, "/promotions/COKE-B2G1/pause").json()["status"] == "paused"
    Promotion.objects.update(ends_at=dt.datetime(2021, 1, 1, tzinfo=dt.UTC))
    _error(_post(manager, "/promotions/COKE-B2G1/resume"), 400, errors.PROMOTION_DATES_INVALID, "ends_at")
    assert Promotion.objects.get().status == Status.PAUSED
    # an open-ended one is activated as before
    assert _post(manager, "/promotions", B2G1 | {"code": "OPEN"}).status_code == 201
    assert _post(manager, "/promotions/OPEN/activate").json()["status"] == "active"


def test_a_settings_write_that_changes_nothing_moves_no_version(manager, org):
    # given the settings written once
    r = manager.put("/api/v1/promotions/settings", data=json.dumps({"mode": "priority"}), content_type="application/json")
    assert r.status_code == 200
    version = PromotionSettings.objects.get(organization=org).version
    audits = AuditEvent.objects.filter(action="promotions.settings_update").count()
    # when the same settings, or none, are written again
    for body in ({"mode": "priority"}, {}, {"gifts_earn_points": False}):
        r = manager.put("/api/v1/promotions/settings", data=json.dumps(body), content_type="application/json")
        assert r.status_code == 200 and r.json()["version"] == version and r.json()["mode"] == "priority"
    # then no process is told to recompile its promotions, and the audit trail records no change
    assert PromotionSettings.objects.get(organization=org).version == version
    assert AuditEvent.objects.filter(action="promotions.settings_update").count() == audits
    # a real change still moves it
    r = manager.put("/api/v1/promotions/settings", data=json.dumps({"gifts_earn_points": True}),
                    content_type="application/json")
    assert r.json()["version"] == version + 1


def test_a_preview_quantity_over_the_limit_says_the_limit(manager):
    r = _post(manager, "/promotions/preview", {"lines": [{"sku": "COKE", "quantity": "100001"}]})
    assert "100,000" in _error(r, 400, errors.PREVIEW_INVALID, "lines.0.quantity")["message"]
    assert _post(manager, "/promotions/preview", {"lines": [{"sku": "COKE", "quantity": "100000"}]}).status_code == 200


def test_a_preview_choice_the_promotion_does_not_offer_is_refused_as_at_the_till(manager):
    # given "any 2 cokes: a Sprite or a bag of Lay's free", on sale
    pick = {"code": "PICK", "name": "เลือกของแถม", "kind": "group_gift", "item_skus": ["COKE"],
            "params": {"quantity": 2, "gifts": ["SPRITE", "LAYS"]}}
    assert _post(manager, "/promotions", pick).status_code == 201
    assert _post(manager, "/promotions/PICK/activate").status_code == 200
    basket = {"lines": [{"sku": "COKE", "quantity": 2}]}
    # when marketing tries the basket choosing a shampoo, then it is refused on the choice (it was
    # answered as if no choice had been made)
    r = _post(manager, "/promotions/preview", basket | {"choices": {"PICK": "PAN-SH"}})
    assert "SPRITE" in _error(r, 400, errors.PREVIEW_INVALID, "choices.PICK")["message"]
    # and a choice it offers gives that gift
    body = _post(manager, "/promotions/preview", basket | {"choices": {"PICK": "LAYS"}}).json()
    assert body["choices"] == [] and [g["sku"] for g in body["gifts"]] == ["LAYS"]
    # with no choice the options stay open, as before
    assert _post(manager, "/promotions/preview", basket).json()["choices"][0]["options"] == ["SPRITE", "LAYS"]
