"""The quote's promotion texts in the API name the shop's display unit, as the screens do (issue
14): an integrator printing an explanation or a hint prints "40.00 บาท" or "60000 toman", not a
bare "40.00" whose unit it would have to guess. The money fields stay amounts in the currency
(rial for an IRR shop), so an integrator computing with them reads them as before
(docs/promotions.md, "Texts"; docs/api.md)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from sasom.checkout.tests.promo_shop import promotion
from sasom.checkout.tests.test_priced_basket import body
from sasom.ledger.models import Sale

pytestmark = pytest.mark.django_db


def quote(client, *lines, language):
    answer = client.post("/api/v1/sales/quote", data=json.dumps(body(*lines, phone=None)),
                         content_type="application/json", HTTP_ACCEPT_LANGUAGE=language)
    assert answer.status_code == 200, answer.content
    return answer.json()


@pytest.fixture
def bill10(shop):
    # "spend 100.00 on beer: 10 % off the bill" in the Thai shop (beer 60.00)
    return promotion(shop, "BILL10", "value_discount", {"threshold": "100", "percent": "10", "scope": "bill"},
                     ["BEER"])


@pytest.mark.parametrize(("language", "hint", "explanation"), [
    ("th", "ซื้อเพิ่มอีก 40.00 บาท รับ ส่วนลด 10% ทั้งบิล", "ยอดกลุ่ม 120.00 บาท ถึง 100.00 บาท: ส่วนลด 10% ทั้งบิล"),
    ("en", "spend 40.00 THB more for 10 % off the bill", "120.00 THB of the group reached 100.00 THB: 10 % off the bill"),
    ("fa", "با 40.00 بات خرید بیشتر: 10 % تخفیف روی کل فاکتور",
     "مبلغ گروه 120.00 بات به 100.00 بات رسید: 10 % تخفیف روی کل فاکتور"),
])
def test_a_thai_shop_s_quote_names_baht_in_every_language(bill10, pos, language, hint, explanation):
    # given a Thai shop's "spend 100.00 on beer: 10 % off the bill"
    # when an integrator quotes one beer (40.00 short), then two
    one = quote(pos, ("BEER", "1"), language=language)
    two = quote(pos, ("BEER", "2"), language=language)
    # then the hint and the explanation name the unit in the reader's language
    assert [h["reward"] for h in one["hints"]] == [hint]
    assert [p["explanation"] for p in two["promotions"]] == [explanation]
    # and the structured amounts beside them are the currency's, unchanged
    assert [Decimal(h["missing_amount"]) for h in one["hints"]] == [Decimal("40.00")]
    assert Decimal(two["promotions"][0]["discount"]) == Decimal("12.00")


@pytest.fixture
def toman_pos(toman_shop, pos):
    # a toman shop: chips at 400,000 rial (40,000 toman); 100,000 rial off once they reach 1,000,000
    return pos


@pytest.mark.parametrize(("language", "hint", "explanation"), [
    ("en", "spend 60000 toman more for 10000 toman off the group",
     "120000 toman of the group reached 100000 toman: 10000 toman off the group"),
    ("th", "ซื้อเพิ่มอีก 60000 โทมัน รับ ส่วนลด 10000 โทมัน ทั้งกลุ่ม",
     "ยอดกลุ่ม 120000 โทมัน ถึง 100000 โทมัน: ส่วนลด 10000 โทมัน ทั้งกลุ่ม"),
    ("fa", "با 60000 تومان خرید بیشتر: 10000 تومان تخفیف روی گروه",
     "مبلغ گروه 120000 تومان به 100000 تومان رسید: 10000 تومان تخفیف روی گروه"),
])
def test_a_toman_shop_s_quote_names_toman_and_keeps_rial_in_its_money_fields(toman_pos, language, hint, explanation):
    # given a toman shop's "100,000 rial off the chips from 1,000,000 rial"
    # when one bag is quoted (600,000 rial short), then three
    one = quote(toman_pos, ("CHIPS", "1"), language=language)
    three = quote(toman_pos, ("CHIPS", "3"), language=language)
    # then the texts read toman, the unit named (a rial amount would be ten times larger)
    assert [h["reward"] for h in one["hints"]] == [hint]
    assert [p["explanation"] for p in three["promotions"]] == [explanation]
    # and the money fields stay rial, as every amount of the API
    assert Decimal(one["hints"][0]["missing_amount"]) == Decimal("600000")
    assert Decimal(three["promotions"][0]["discount"]) == Decimal("100000")


# ---------------------------------------------------------------- a line's steps[].reason, the same rule


def _promotion_reasons(answer):
    return [s["reason"] for ln in answer["lines"] for s in ln["steps"] if s["kind"].startswith("promotion:")]


def _sale_and_read(client, *lines, language):
    posted = client.post("/api/v1/sales", data=json.dumps(body(*lines, phone=None)), content_type="application/json",
                         HTTP_ACCEPT_LANGUAGE=language)
    assert posted.status_code == 201, posted.content
    read = client.get("/api/v1/sales/R-1", HTTP_ACCEPT_LANGUAGE=language)
    assert read.status_code == 200, read.content
    return posted.json(), read.json()


@pytest.mark.parametrize(("language", "reason"), [
    ("en", "Beer and chips: 1 x CHIPS at 1.00 THB instead of 20.00 THB"),
    ("th", "Beer and chips: CHIPS 1 ชิ้น ราคา 1.00 บาท แทน 20.00 บาท"),
    ("fa", "Beer and chips: 1 عدد CHIPS به قیمت 1.00 بات به جای 20.00 بات"),
])
def test_a_thai_shop_s_line_reasons_name_baht_in_the_quote_the_sale_and_its_read(shop, pos, language, reason):
    # given "a beer: chips at 1.00" (chips list at 20.00), the chips not in the basket
    promotion(shop, "PWP", "group_pwp", {"quantity": 1, "offers": ["CHIPS"], "offer_price": "1.00"}, ["BEER"],
              name="Beer and chips")
    # when an integrator quotes a beer, posts it and reads the sale back, in one language
    quoted = quote(pos, ("BEER", "1"), language=language)
    posted, read = _sale_and_read(pos, ("BEER", "1"), language=language)
    # then the gift line's reason is in that language with baht named, the same in the three answers
    assert _promotion_reasons(quoted) == _promotion_reasons(posted) == _promotion_reasons(read) == [reason]
    # and the step's amount and the line's money fields stay amounts of the currency
    gift = next(ln for ln in read["lines"] if ln["gift"])
    assert Decimal(gift["promotion_discount"]) == Decimal("19.00") and Decimal(gift["net"]) == Decimal("1.00")


@pytest.mark.parametrize(("language", "reason"), [
    ("en", "Chips deal: 120000 toman of the group reached 100000 toman: 10000 toman off the group (3 units)"),
    ("th", "Chips deal: ยอดกลุ่ม 120000 โทมัน ถึง 100000 โทมัน: ส่วนลด 10000 โทมัน ทั้งกลุ่ม (3 ชิ้น)"),
    ("fa", "Chips deal: مبلغ گروه 120000 تومان به 100000 تومان رسید: 10000 تومان تخفیف روی گروه (3 عدد)"),
])
def test_a_toman_shop_s_line_reasons_read_toman_and_the_sale_keeps_rial(toman_pos, language, reason):
    # given the toman shop's "100,000 rial off the chips from 1,000,000 rial"
    # when three bags (1,200,000 rial) are quoted, posted and the sale read back
    quoted = quote(toman_pos, ("CHIPS", "3"), language=language)
    posted, read = _sale_and_read(toman_pos, ("CHIPS", "3"), language=language)
    # then the line's reason reads toman with the unit named, in the reader's language, everywhere
    assert _promotion_reasons(quoted) == _promotion_reasons(posted) == _promotion_reasons(read) == [reason]
    # and the structured amounts are rial, as every money field of the API
    step = next(s for s in read["lines"][0]["steps"] if s["kind"] == "promotion:OFF")
    assert abs(Decimal(step["amount"])) == Decimal("100000")
    assert Decimal(read["lines"][0]["promotion_discount"]) == Decimal("100000")
    # and the receipt text names the promotion with its discount in toman, as the shop prints it
    assert "Chips deal -10,000" in read["receipt_text"] and "100,000" not in read["receipt_text"]
    # and the stored reason is language- and unit-neutral data in rial, written only when read
    sale = Sale.objects.get(receipt_id="R-1")
    stored = [r for _no, kind, _amount, r in sale.explanation["pricing"] if kind == "promotion:OFF"]
    assert stored and "toman" not in stored[0] and "تومان" not in stored[0]
    assert Decimal("1200000") in _amounts(json.loads(stored[0]))


def _amounts(data):
    """Every amount kept in a stored reason (``{"money": ..., "places": ...}``), as numbers."""
    if isinstance(data, dict):
        found = [Decimal(data["money"])] if "money" in data else []
        return found + [a for v in data.values() for a in _amounts(v)]
    if isinstance(data, list):
        return [a for v in data for a in _amounts(v)]
    return []
