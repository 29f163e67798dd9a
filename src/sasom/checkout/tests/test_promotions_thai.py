"""The promotions speak the language of the screen and of the API's Accept-Language: the
engine's explanations and hints are translated when they are shown, the codes stay the same."""

from __future__ import annotations

import json

from sasom.checkout.tests.promo_shop import promotion
from sasom.checkout.tests.test_priced_basket import body


def quote(client, *lines, language):
    return client.post("/api/v1/sales/quote", data=json.dumps(body(*lines, phone=None)),
                       content_type="application/json", HTTP_ACCEPT_LANGUAGE=language).json()


def test_a_quote_in_thai_explains_and_hints_in_thai_and_in_english_in_english(b2g1, pos):
    # given "buy 2 get 1" on chips
    # when a Thai till and an English one quote 2 bags, then 3
    two_th, two_en = quote(pos, ("CHIPS", "2"), language="th"), quote(pos, ("CHIPS", "2"), language="en")
    three_th, three_en = quote(pos, ("CHIPS", "3"), language="th"), quote(pos, ("CHIPS", "3"), language="en")
    # then the hint and the explanation follow the language; the promotion's code does not
    assert [(h["promotion"], h["reward"]) for h in two_th["hints"]] == [
        ("B2G1", "เพิ่ม CHIPS อีก 1 ชิ้น รับฟรี 1 ชิ้น")]
    assert [(h["promotion"], h["reward"]) for h in two_en["hints"]] == [("B2G1", "add 1 more CHIPS for a free item")]
    assert three_th["promotions"][0]["explanation"] == "ซื้อ 2 แถม 1: CHIPS ฟรี 1 ชิ้น จากที่ซื้อ 2 ชิ้น"
    assert three_en["promotions"][0]["explanation"] == "buy 2 get 1: 1 x CHIPS free for 2 bought"
    assert three_th["promotions"][0]["code"] == three_en["promotions"][0]["code"] == "B2G1"
    # and the line's step (what the receipt and the sale keep) says it in the language of the post
    (line,) = three_th["lines"]
    assert any("ซื้อ 2 แถม 1: CHIPS ฟรี" in s["reason"] for s in line["steps"])


def test_a_gift_and_a_bill_wide_discount_are_explained_in_thai(shop, pos):
    # given "spend 100 on beer: 10 % off the bill" and "a beer: chips free"
    promotion(shop, "BILL10", "value_discount", {"threshold": "100", "percent": "10", "scope": "bill"}, ["BEER"],
              priority=2)
    # when a Thai till quotes one beer (60.00: 40.00 short of the threshold), then two
    one = quote(pos, ("BEER", "1"), language="th")
    two = quote(pos, ("BEER", "2"), language="th")
    # then the hint and the explanation are Thai
    # (the API names the shop's unit as the screens do: test_promotions_api_units.py)
    assert [h["reward"] for h in one["hints"]] == ["ซื้อเพิ่มอีก 40.00 บาท รับ ส่วนลด 10% ทั้งบิล"]
    assert two["promotions"][0]["explanation"] == "ยอดกลุ่ม 120.00 บาท ถึง 100.00 บาท: ส่วนลด 10% ทั้งบิล"


def test_a_refused_parameter_is_told_in_thai_with_the_same_code_and_field(shop, pos, org):
    from sasom.core.audit import Actor  # noqa: PLC0415
    from sasom.integrations.services import api_key_create  # noqa: PLC0415

    issued = api_key_create(organization_id=org.id, label="manager", actor=Actor.system(), can_manage=True)
    bad = {"code": "BAD", "name": "bad", "kind": "qty_percent", "item_skus": ["CHIPS"],
           "params": {"bands": [{"from": 2, "value": "5"}, {"from": 1, "value": "7"}]}}
    answers = {lang: pos.post("/api/v1/promotions", data=json.dumps(bad), content_type="application/json",
                              HTTP_AUTHORIZATION=f"Bearer {issued.key}", HTTP_ACCEPT_LANGUAGE=lang).json()
               for lang in ("th", "en")}
    assert answers["th"]["code"] == answers["en"]["code"] == "promotion_params_invalid"
    assert answers["th"]["field"] == answers["en"]["field"] == "params.bands.1.from"
    assert answers["en"]["message"] == "bands go up: each starts above the one before"
    assert answers["th"]["message"] == "ขั้นต้องเรียงขึ้น: แต่ละขั้นเริ่มสูงกว่าขั้นก่อนหน้า"
