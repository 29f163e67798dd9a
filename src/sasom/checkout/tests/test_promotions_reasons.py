"""A posted sale's promotion reasons (its pricing notes) are kept as data and read in the reader's
language and the shop's money unit (docs/promotions.md, "Texts"): the API in Thai, Persian or
English with the shop's display unit named, a toman shop's till receipt in Persian and toman; a reason
stored before as plain text still reads as written."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from sasom.checkout.promo_texts import reason_shown, take_reason, take_reasons
from sasom.checkout.tests.promo_shop import promotion
from sasom.checkout.tests.test_priced_basket import body
from sasom.checkout.till import SESSION_KEY
from sasom.ledger.models import Sale
from sasom.organizations.models import Role
from sasom.promotions.engine.kinds._common import gettext_noop, money_in, said

pytestmark = pytest.mark.django_db


def _post(client, data, language="en"):
    return client.post("/api/v1/sales", data=json.dumps(data), content_type="application/json",
                       HTTP_ACCEPT_LANGUAGE=language)


def _reasons(answer):
    return [s["reason"] for ln in answer["lines"] for s in ln["steps"] if s["kind"].startswith("promotion:")]


def _read(client, receipt, language):
    r = client.get(f"/api/v1/sales/{receipt}", HTTP_ACCEPT_LANGUAGE=language)
    assert r.status_code == 200, r.content
    return _reasons(r.json())


def test_a_posted_sale_s_reasons_read_in_the_reader_s_language(b2g1, pos):
    # given "buy 2 get 1" on chips, and a sale of 3 bags posted by an English till
    posted = _post(pos, body(("CHIPS", "3"), phone=None))
    assert posted.status_code == 201, posted.content
    # when the sale is read in English, Thai and Persian
    english, thai, persian = (_read(pos, "R-1", lang) for lang in ("en", "th", "fa"))
    # then each reads it in its own language, the units counted in its words
    assert english == ["ซื้อ 2 แถม 1: buy 2 get 1: 1 x CHIPS free for 2 bought (3 units)"]
    assert thai == ["ซื้อ 2 แถม 1: ซื้อ 2 แถม 1: CHIPS ฟรี 1 ชิ้น จากที่ซื้อ 2 ชิ้น (3 ชิ้น)"]
    assert len(persian) == 1 and persian[0].endswith("(3 عدد)") and "units" not in persian[0]
    # and the answer of the post itself reads as the sale does
    assert _reasons(posted.json()) == english


def test_a_gift_s_reason_names_both_prices(shop, pos):
    # given "a beer: chips at 1.00", the chips not in the basket
    promotion(shop, "PWP", "group_pwp", {"quantity": 1, "offers": ["CHIPS"], "offer_price": "1.00"}, ["BEER"],
              name="Beer and chips")
    posted = _post(pos, body(("BEER", "1"), phone=None))
    assert posted.status_code == 201, posted.content
    # then the gift line's reason says it in English and Thai, baht named (test_promotions_api_units.py)
    assert "Beer and chips: 1 x CHIPS at 1.00 THB instead of 20.00 THB" in _read(pos, "R-1", "en")
    assert "Beer and chips: CHIPS 1 ชิ้น ราคา 1.00 บาท แทน 20.00 บาท" in _read(pos, "R-1", "th")


def test_an_old_plain_reason_still_reads_as_written(b2g1, pos):
    # given a sale whose reason was stored, as before, as plain English text
    assert _post(pos, body(("CHIPS", "3"), phone=None)).status_code == 201
    sale = Sale.objects.get(receipt_id="R-1")
    old = "ซื้อ 2 แถม 1: buy 2 get 1: 1 x CHIPS free for 2 bought (3 units)"
    sale.explanation["pricing"] = [[no, kind, amount, old if kind.startswith("promotion:") else reason]
                                   for no, kind, amount, reason in sale.explanation["pricing"]]
    Sale.objects.filter(pk=sale.pk).update(explanation=sale.explanation)
    # then every reader gets it as it was written, nothing lost
    assert _read(pos, "R-1", "th") == [old]
    assert _read(pos, "R-1", "fa") == [old]
    # and a stored reason that does not read (a broken row) is shown as stored, not an error
    assert reason_shown('{"text":{"said":') == '{"text":{"said":'




def test_a_toman_shop_s_receipt_reads_its_reasons_in_persian_and_toman(staff_client, toman_shop):
    # given three bags at 400,000 rial and 100,000 rial off once the chips reach 1,000,000 rial
    cashier = staff_client(Role.CASHIER)
    hx = {"HTTP_HX_REQUEST": "true", "HTTP_ACCEPT_LANGUAGE": "fa"}
    for _ in range(3):
        cashier.post(reverse("checkout:till_scan"), {"code": "CHIPS"}, **hx)
    # when the bill is posted and its receipt shown to a Persian cashier
    posted = cashier.post(reverse("checkout:till_commit"), {"token": cashier.session[SESSION_KEY]["token"]},
                          HTTP_ACCEPT_LANGUAGE="fa")
    assert posted.status_code in (200, 302), posted.content
    sale = Sale.objects.get(organization=toman_shop)
    page = cashier.get(reverse("checkout:till_receipt", args=[sale.pk]), HTTP_ACCEPT_LANGUAGE="fa").content.decode()
    # then the reason is Persian, its amounts toman with the toman named, its units counted in Persian
    assert ("Chips deal: مبلغ گروه 120000 تومان به 100000 تومان رسید: 10000 تومان تخفیف روی گروه (3 عدد)"
            in page), page
    assert not re.search(r"(?<![\d.,])1200000(?![\d.,])", page)


def test_the_inquiry_summarises_each_promotion_in_the_reader_s_language_and_unit(staff_client, toman_shop):
    # given the toman shop's "100,000 rial off once the chips reach 1,000,000 rial"
    cashier = staff_client(Role.CASHIER)
    # when a Persian cashier and an English one look the chips up
    persian = cashier.get(reverse("checkout:till_inquiry"), {"code": "CHIPS"}, HTTP_ACCEPT_LANGUAGE="fa")
    english = cashier.get(reverse("checkout:till_inquiry"), {"code": "CHIPS"}, HTTP_ACCEPT_LANGUAGE="en")
    # then each reads the promotion's summary in its language, in toman
    assert "خرید 100000 تومان: 10000 تومان تخفیف روی گروه" in persian.content.decode()
    assert "spend 100000 toman: 10000 toman off the group" in english.content.decode()


def test_a_thai_shop_s_inquiry_reads_baht_in_thai(staff_client, shop, terminal):
    promotion(shop, "THREE", "group_fixed_total", {"quantity": 3, "total": "50.00"}, ["CHIPS"], name="สามห่อ")
    page = staff_client(Role.CASHIER).get(reverse("checkout:till_inquiry"), {"code": "CHIPS"},
                                          HTTP_ACCEPT_LANGUAGE="th").content.decode()
    assert "ครบ 3 ชิ้น ราคารวม 50.00 บาท" in page


def test_the_reasons_of_one_promotion_s_lines_are_stored_as_one_reason_each():
    # given an explanation with an amount, as the engine writes it, taken from two lines
    explanation = said(gettext_noop("%(value)s of the group reached %(threshold)s: %(reward)s"),
                       {"value": money_in(Decimal("1200000"), 0), "threshold": money_in(Decimal("1000000"), 0),
                        "reward": "x"})
    each = take_reasons("Chips deal", explanation)
    # then each line's stored reason is the one take_reason writes, byte for byte, and reads back
    for units in ("3", "1.250"):
        assert each(units) == take_reason("Chips deal", explanation, units)
    with translation.override("en"):
        assert reason_shown(each("3")) == "Chips deal: 1200000 of the group reached 1000000: x (3 units)"
