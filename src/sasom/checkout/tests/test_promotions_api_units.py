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
    ("th", "ซื้อเพิ่มอีก 40.00 บาท รับ ลด 10 % ทั้งบิล", "ยอดกลุ่ม 120.00 บาท ถึง 100.00 บาท: ลด 10 % ทั้งบิล"),
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
    ("th", "ซื้อเพิ่มอีก 60000 โทมัน รับ ลด 10000 โทมัน ทั้งกลุ่ม",
     "ยอดกลุ่ม 120000 โทมัน ถึง 100000 โทมัน: ลด 10000 โทมัน ทั้งกลุ่ม"),
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
