"""A priced line's other steps (member price, ``price_differs``, member and birthday discounts, no
member discount) read like its promotions' (issue 14): stored as language- and unit-neutral data
(``catalog.pricing``'s message ids and values, ``checkout.promo_texts.said_stored``), shown in the
reader's language with the shop's display unit named, in the quote, the sale's answer, a sale read
later, the till's screen and its receipt page; a reason stored before (plain English) reads as
written (docs/api.md, "steps")."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from sasom.catalog import price_tables
from sasom.catalog import pricing as catalog_pricing
from sasom.checkout.promo_texts import reason_shown, reason_stored, said_stored
from sasom.checkout.tests.test_priced_basket import body
from sasom.checkout.till import SESSION_KEY
from sasom.core.audit import Actor
from sasom.core.currency import currency_of
from sasom.ledger.models import Sale
from sasom.members.models import Member
from sasom.organizations.models import Role
from sasom.promotions.engine.kinds._common import money_in, said, texts_shown_in
from sasom.promotions.engine.kinds._stored import text_from, text_now
from sasom.testing.factories import MemberFactory, MemberTypeFactory

SYSTEM = Actor.system("test")
HX = {"HTTP_HX_REQUEST": "true"}

# the catalog's steps (not the promotions'): the reasons this file is about
STEPS = ("member_price", "price_differs", "member_discount", "birthday_discount", "no_member_discount")


def _steps(answer):
    """{(sku, kind): reason} of an answer's lines, the catalog's steps only."""
    return {(ln["sku"], s["kind"]): s["reason"] for ln in answer["lines"] for s in ln["steps"] if s["kind"] in STEPS}


def _three(client, data, language):
    """The quote, the sale's answer and the sale read back, each in ``language``."""
    sent = json.dumps(data)
    quoted = client.post("/api/v1/sales/quote", data=sent, content_type="application/json",
                         HTTP_ACCEPT_LANGUAGE=language)
    posted = client.post("/api/v1/sales", data=sent, content_type="application/json", HTTP_ACCEPT_LANGUAGE=language)
    read = client.get(f"/api/v1/sales/{data['receipt_id']}", HTTP_ACCEPT_LANGUAGE=language)
    assert (quoted.status_code, posted.status_code, read.status_code) == (200, 201, 200), (
        quoted.content, posted.content, read.content)
    return quoted.json(), posted.json(), read.json()


# ---------------------------------------------------------------- a Thai shop: baht, named


THAI_SHOP = {
    "en": {("RICE", "member_price"): "VIP price 85.00 THB (table:VIP@B1)",
           ("RICE", "price_differs"): "The POS sent 95.00 THB; the table says 85.00 THB",
           ("RICE", "member_discount"): "VIP 10% of 170.00 THB",
           ("BEER", "no_member_discount"): "No member discount: category ALCOHOL has no member discount"},
    "th": {("RICE", "member_price"): "ราคาสมาชิก VIP 85.00 บาท (table:VIP@B1)",
           ("RICE", "price_differs"): "POS ส่งราคา 95.00 บาท แต่ตารางราคาระบุ 85.00 บาท",
           ("RICE", "member_discount"): "ส่วนลดสมาชิก VIP 10% จาก 170.00 บาท",
           ("BEER", "no_member_discount"): "ไม่มีส่วนลดสมาชิก: หมวดหมู่ ALCOHOL ไม่ได้รับส่วนลดสมาชิก"},
    "fa": {("RICE", "member_price"): "قیمت عضو VIP: 85.00 بات (table:VIP@B1)",
           ("RICE", "price_differs"): "POS قیمت 95.00 بات را فرستاد؛ جدول قیمت 85.00 بات است",
           ("RICE", "member_discount"): "تخفیف عضو VIP: 10% از 170.00 بات",
           ("BEER", "no_member_discount"): "بدون تخفیف عضو: دسته ALCOHOL تخفیف عضو ندارد"},
}


@pytest.mark.parametrize("language", ["en", "th", "fa"])
def test_a_thai_shop_s_steps_read_in_the_reader_s_language_with_baht_named(shop, vip, pos, language):
    # given a VIP (10 %, rice at 85.00 at B1) whose till sends the rice at 95.00 and a beer
    # (alcohol: no member discount), Sasom's prices winning
    data = body(("RICE", "2", "95.00"), ("BEER", "1"))
    # when the sale is quoted, posted and read back in one language
    quoted, posted, read = _three(pos, data, language)
    # then every step's reason is in that language, its amounts in baht with the unit named,
    # the same in the three answers
    assert _steps(quoted) == _steps(posted) == _steps(read) == THAI_SHOP[language]
    # and the steps' amounts and the lines' money fields stay amounts of the currency
    rice = read["lines"][0]
    assert {s["kind"]: Decimal(s["amount"]) for s in rice["steps"]} == {
        "member_price": Decimal("-15.00"), "price_differs": Decimal("10.00"), "member_discount": Decimal("17.00")}
    assert (Decimal(rice["unit_price"]), Decimal(rice["member_discount"])) == (Decimal("85.00"), Decimal("17.00"))


def test_the_stored_steps_are_data_without_a_language_or_a_unit(shop, vip, pos):
    # given a VIP's sale posted by a Thai till
    posted = pos.post("/api/v1/sales", data=json.dumps(body(("RICE", "2", "95.00"), ("BEER", "1"))),
                      content_type="application/json", HTTP_ACCEPT_LANGUAGE="th")
    assert posted.status_code == 201, posted.content
    # then each stored reason is the message id with its values, the amounts bare with their decimals
    stored = {kind: reason for _no, kind, _amount, reason in Sale.objects.get().explanation["pricing"]}
    assert json.loads(stored["member_discount"]) == {"text": {
        "said": "%(type)s %(percent)s%% of %(base)s",
        "with": {"type": "VIP", "percent": "10", "base": {"money": "170.00", "places": 2}}}}
    assert all("บาท" not in r and "THB" not in r and "ส่วนลด" not in r for r in stored.values())


def test_a_member_without_benefits_reads_why_in_the_quote_s_notes(shop, vip, pos):
    # given a VIP whose card expired (the type's benefits stop then)
    Member.objects.filter(pk=vip.pk).update(status=Member.Status.EXPIRED)
    # when a Thai and a Persian till quote rice
    notes = {}
    for language in ("th", "fa", "en"):
        quoted = pos.post("/api/v1/sales/quote", data=json.dumps(body(("RICE", "1"))),
                          content_type="application/json", HTTP_ACCEPT_LANGUAGE=language)
        assert quoted.status_code == 200, quoted.content
        notes[language] = [(n["kind"], n["reason"]) for n in quoted.json()["notes"]]
    # then the bill's note says why in each language
    assert notes == {
        "th": [("no_member_discount", "ไม่มีสิทธิประโยชน์สมาชิก: สมาชิกภาพหมดอายุแล้ว")],
        "fa": [("no_member_discount", "بدون مزایای عضو: عضویت منقضی شده است")],
        "en": [("no_member_discount", "No member benefits: the membership has expired")],
    }


# ---------------------------------------------------------------- a toman shop: rial stored, toman read


@pytest.fixture
def toman_member(toman_shop):
    """The toman shop's GOLD type: 10 % off, chips at 360,000 rial (36,000 toman) on its table,
    a member discount only from a bill of 500,000 rial."""
    gold = MemberTypeFactory(organization=toman_shop, code="GOLD", discount_percent=Decimal("10"))
    table = price_tables.price_table_create(organization_id=toman_shop.pk, actor=SYSTEM, code="GOLD", name="GOLD",
                                            member_types=["GOLD"])
    price_tables.price_set(table=table, actor=SYSTEM, product_code="CHIPS", price="360000")
    price_tables.pricing_settings_save(organization_id=toman_shop.pk, actor=SYSTEM, data={
        "authority": "sasom", "open_lines": False, "member_discount_min_bill": "500000"})
    return MemberFactory(organization=toman_shop, member_type=gold, code="G0000001", phone="+66810000009")


TOMAN_SHOP = {
    "en": {("CHIPS", "member_price"): "GOLD price 36000 toman (table:GOLD)",
           ("CHIPS", "price_differs"): "The POS sent 38000 toman; the table says 36000 toman",
           ("CHIPS", "member_discount"): "GOLD 10% of 72000 toman"},
    "th": {("CHIPS", "member_price"): "ราคาสมาชิก GOLD 36000 โทมัน (table:GOLD)",
           ("CHIPS", "price_differs"): "POS ส่งราคา 38000 โทมัน แต่ตารางราคาระบุ 36000 โทมัน",
           ("CHIPS", "member_discount"): "ส่วนลดสมาชิก GOLD 10% จาก 72000 โทมัน"},
    "fa": {("CHIPS", "member_price"): "قیمت عضو GOLD: 36000 تومان (table:GOLD)",
           ("CHIPS", "price_differs"): "POS قیمت 38000 تومان را فرستاد؛ جدول قیمت 36000 تومان است",
           ("CHIPS", "member_discount"): "تخفیف عضو GOLD: 10% از 72000 تومان"},
}


@pytest.mark.parametrize("language", ["en", "th", "fa"])
def test_a_toman_shop_s_steps_read_toman_and_the_sale_keeps_rial(toman_member, pos, language):
    # given a GOLD member whose till sends two bags at 380,000 rial (the table says 360,000)
    data = body(("CHIPS", "2", "380000"), phone=toman_member.phone)
    # when the sale is quoted, posted and read back
    quoted, posted, read = _three(pos, data, language)
    # then the reasons read toman with the unit named, in the reader's language
    assert _steps(quoted) == _steps(posted) == _steps(read) == TOMAN_SHOP[language]
    # and the steps' amounts are rial, as every money field of the API
    assert {s["kind"]: Decimal(s["amount"]) for s in read["lines"][0]["steps"]} == {
        "member_price": Decimal("-40000"), "price_differs": Decimal("20000"), "member_discount": Decimal("72000")}
    # and the stored reasons keep rial, no unit, no language
    stored = [r for _no, kind, _a, r in Sale.objects.get().explanation["pricing"] if kind == "member_discount"]
    assert json.loads(stored[0])["text"]["with"]["base"] == {"money": "720000", "places": 0}


@pytest.mark.parametrize(("language", "note"), [
    ("en", "No member discount: the bill 36000 toman is under the minimum 50000 toman"),
    ("th", "ไม่มีส่วนลดสมาชิก: ยอดบิล 36000 โทมัน ต่ำกว่ายอดขั้นต่ำ 50000 โทมัน"),
    ("fa", "بدون تخفیف عضو: مبلغ فاکتور 36000 تومان کمتر از حداقل 50000 تومان است"),
])
def test_a_toman_shop_s_minimum_bill_note_names_toman(toman_member, pos, language, note):
    # given a GOLD member's one bag (360,000 rial) under the 500,000 rial minimum
    quoted = pos.post("/api/v1/sales/quote", data=json.dumps(body(("CHIPS", "1"), phone=toman_member.phone)),
                      content_type="application/json", HTTP_ACCEPT_LANGUAGE=language)
    assert quoted.status_code == 200, quoted.content
    # then the bill's note says it in toman, in the reader's language
    assert [n["reason"] for n in quoted.json()["notes"]] == [note]


def test_a_toman_shop_s_till_and_receipt_show_the_steps_in_persian_and_toman(staff_client, toman_member):
    # given a Persian cashier ringing up two bags for the GOLD member
    cashier = staff_client(Role.CASHIER)
    hx = {**HX, "HTTP_ACCEPT_LANGUAGE": "fa"}
    for _ in range(2):
        cashier.post(reverse("checkout:till_scan"), {"code": "CHIPS"}, **hx)
    # when the member is added, the screen shows the steps
    screen = cashier.post(reverse("checkout:till_member"), {"q": toman_member.code}, **hx).content.decode()
    assert "قیمت عضو GOLD: 36000 تومان (table:GOLD)" in screen, screen
    assert "تخفیف عضو GOLD: 10% از 72000 تومان" in screen
    # and once posted, the receipt page shows them too, in toman (no rial amount)
    posted = cashier.post(reverse("checkout:till_commit"), {"token": cashier.session[SESSION_KEY]["token"]},
                          HTTP_ACCEPT_LANGUAGE="fa")
    assert posted.status_code in (200, 302), posted.content
    sale = Sale.objects.get(organization=toman_member.organization)
    page = cashier.get(reverse("checkout:till_receipt", args=[sale.pk]), HTTP_ACCEPT_LANGUAGE="fa").content.decode()
    assert "تخفیف عضو GOLD: 10% از 72000 تومان" in page, page
    assert not re.search(r"(?<![\d.,])720000(?![\d.,])", page)


# ---------------------------------------------------------------- before: plain English


def test_a_step_stored_before_as_english_still_reads_as_written(shop, vip, pos):
    # given a sale whose steps were stored, as before this change, as English sentences
    posted = pos.post("/api/v1/sales", data=json.dumps(body(("RICE", "2"))), content_type="application/json")
    assert posted.status_code == 201, posted.content
    sale = Sale.objects.get()
    old = {"member_price": "VIP price 85.00 (table:VIP@B1)", "member_discount": "VIP 10% of 170.00"}
    sale.explanation["pricing"] = [[no, kind, amount, old.get(kind, reason)]
                                   for no, kind, amount, reason in sale.explanation["pricing"]]
    Sale.objects.filter(pk=sale.pk).update(explanation=sale.explanation)
    # when a Thai and a Persian reader read it
    for language in ("th", "fa"):
        read = pos.get("/api/v1/sales/R-1", HTTP_ACCEPT_LANGUAGE=language)
        assert read.status_code == 200, read.content
        # then each step reads as it was written, nothing lost
        assert _steps(read.json()) == {("RICE", "member_price"): old["member_price"],
                                       ("RICE", "member_discount"): old["member_discount"]}


# ---------------------------------------------------------------- the one mechanism


TEXTS = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
AMOUNTS = st.decimals(min_value=Decimal("-1000000"), max_value=Decimal("1000000"), places=2)


@given(label=TEXTS, other=TEXTS, amount=AMOUNTS, places=st.sampled_from([0, 2]))
def test_a_step_s_stored_reason_is_the_promotions_stored_text_byte_for_byte(label, other, amount, places):
    # given any texts (quotes, backslashes, Thai, Persian) and amounts in a message's values
    values = (("type", label), ("base", amount), ("source", other))
    # then said_stored writes what reason_stored writes of the same lazy text
    lazy = said(catalog_pricing.MEMBER_PRICE, {"type": label, "base": money_in(amount, places), "source": other})
    assert said_stored(catalog_pricing.MEMBER_PRICE, values, places) == reason_stored(lazy)
    assert said_stored(catalog_pricing.NO_DISCOUNT_POS, (), places) == reason_stored(said(catalog_pricing.NO_DISCOUNT_POS))


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "th", "fa"])
def test_a_stored_reason_read_now_is_its_lazy_text_made_a_string(org, language):
    # given the catalog's reasons with amounts, as stored
    reasons = [said_stored(catalog_pricing.MEMBER_DISCOUNT, (("type", "VIP"), ("percent", "7.5"),
                                                              ("base", Decimal("1200000"))), 0),
               said_stored(catalog_pricing.NO_BENEFITS["expired"], (), 0)]
    with translation.override(language):
        for screen in (None, currency_of(org), _toman(org)):
            for reason in reasons:
                data = json.loads(reason)["text"]
                if screen is None:
                    assert text_now(data) == str(text_from(data)) == reason_shown(reason)
                else:
                    with texts_shown_in(screen):
                        assert text_now(data) == str(text_from(data)) == reason_shown(reason)


def _toman(org):
    org.currency, org.amounts_in_toman = "IRR", True
    return currency_of(org)
