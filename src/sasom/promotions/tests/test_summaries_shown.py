"""Each kind's one-line summary in the reader's language and the shop's money unit (issue 18):
the promotion list and page of a toman shop read toman in Persian, a Thai shop's read baht in
Thai, English stays English, and the API keeps the currency's amounts (docs/promotions.md, "Texts")."""

from __future__ import annotations

import json
import re

import pytest
from django.utils import translation

from sasom.core.audit import Actor
from sasom.core.currency import Currency
from sasom.integrations.services import api_key_create
from sasom.organizations.models import Role
from sasom.promotions import services
from sasom.promotions.engine.kinds import KINDS
from sasom.promotions.texts import summary_shown

pytestmark = pytest.mark.django_db

TOMAN = Currency.of("IRR", toman=True)
# every English word a summary is written with (SKUs are upper case, amounts and counts digits)
ENGLISH_WORD = re.compile(r"\b[a-z]{2,}\b")


@pytest.mark.parametrize("language", ["th", "fa"])
@pytest.mark.parametrize("code", list(KINDS))
def test_every_kind_s_summary_has_no_english_word_left(code, language):
    # given the kind's example parameters in a Thai shop (baht) and a toman shop (rial ×10)
    with translation.override(language):
        baht = summary_shown(code, KINDS[code].example, Currency.of("THB"))
        toman = summary_shown(code, _in_rial(KINDS[code].example), TOMAN)
    # then both are written in the reader's language: no English word left
    assert baht and toman
    assert not ENGLISH_WORD.findall(baht), baht
    assert not ENGLISH_WORD.findall(toman), toman


def _in_rial(params):
    """The example's amounts as an IRR shop stores them (whole rial: 100.00 -> 1000000)."""
    def rial(value):
        if isinstance(value, str) and re.fullmatch(r"\d+\.\d\d", value):
            return str(int(float(value) * 10000))
        if isinstance(value, list):
            return [rial(v) for v in value]
        if isinstance(value, dict):
            return {k: rial(v) for k, v in value.items()}
        return value
    return rial(dict(params))


def test_the_same_summary_in_three_languages_and_two_units():
    params = {"quantity": 3, "total": "1000000"}
    with translation.override("fa"):
        assert summary_shown("group_fixed_total", params, TOMAN) == "هر 3 عدد به 100000 تومان"
    with translation.override("th"):
        assert summary_shown("group_fixed_total", {"quantity": 3, "total": "100.00"},
                             Currency.of("THB")) == "ครบ 3 ชิ้น ราคารวม 100.00 บาท"
    with translation.override("en"):
        assert summary_shown("group_fixed_total", params, TOMAN) == "any 3 for 100000 toman"
        # the API's summary: the currency's bare amount (rial), as its money fields
        assert summary_shown("group_fixed_total", params, Currency.of("IRR"), screen=False) == "any 3 for 1000000"
        # parameters a kind cannot read give no summary, not an error
        assert summary_shown("group_fixed_total", {"quantity": 3}, TOMAN) == ""
        assert summary_shown("no_such_kind", params, TOMAN) == ""


@pytest.fixture
def toman_org(org):
    org.currency, org.amounts_in_toman, org.language = "IRR", True, "fa"
    org.save(update_fields=["currency", "amounts_in_toman", "language"])
    return org


def _create(org, **data):
    return services.promotion_create(organization_id=org.pk, actor=Actor.system("test"), **data)


def test_a_toman_shop_s_list_and_page_read_toman_in_persian(staff_client, toman_org, catalog):
    # given "spend 2,950,000 rial: 1 x PAN-SH at 10,000 rial" and "any 3 for 1,000,000 rial"
    pwp = _create(toman_org, code="PWP", name="Shampoo deal", kind="value_pwp", item_brands=["PANTENE"],
                  params={"threshold": "2950000", "offers": ["PAN-SH"], "offer_price": "10000"})
    _create(toman_org, code="THREE", name="Three for one price", kind="group_fixed_total", item_brands=["PANTENE"],
            params={"quantity": 3, "total": "1000000"})
    client = staff_client(Role.MARKETING)
    # when a Persian reader opens the list and the first promotion's page
    listing = client.get("/promotions/", HTTP_ACCEPT_LANGUAGE="fa").content.decode()
    page = client.get(f"/promotions/{pwp.pk}/", HTTP_ACCEPT_LANGUAGE="fa").content.decode()
    # then the summaries are Persian with toman amounts and the toman named
    assert "خرید 295000 تومان: 1 عدد PAN-SH به قیمت 1000 تومان" in listing
    assert "هر 3 عدد به 100000 تومان" in listing
    assert "خرید 295000 تومان: 1 عدد PAN-SH به قیمت 1000 تومان" in page
    assert "2950000" not in listing and "1000000" not in listing
    # and an English reader of the same shop reads English, in toman
    english = client.get("/promotions/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "spend 295000 toman: 1 x PAN-SH at 1000 toman" in english


def test_a_thai_shop_s_list_reads_baht_in_thai(staff_client, org, catalog):
    _create(org, code="THREE", name="สามชิ้นร้อย", kind="group_fixed_total", item_brands=["PANTENE"],
            params={"quantity": 3, "total": "100"})
    listing = staff_client(Role.MARKETING).get("/promotions/", HTTP_ACCEPT_LANGUAGE="th").content.decode()
    assert "ครบ 3 ชิ้น ราคารวม 100.00 บาท" in listing


def test_the_api_summary_follows_accept_language_and_names_the_shop_s_unit(client, toman_org, catalog):
    # given a toman shop's "any 3 for 1,000,000 rial" and a Thai shop's reader of the same API
    _create(toman_org, code="THREE", name="Three", kind="group_fixed_total", item_brands=["PANTENE"],
            params={"quantity": 3, "total": "1000000"})
    key = api_key_create(organization_id=toman_org.pk, label="erp", actor=Actor.system("test"), can_manage=True)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key.key}"}

    def read(path, language):
        r = client.get(path, HTTP_ACCEPT_LANGUAGE=language, **auth)
        assert r.status_code == 200, r.content
        return json.loads(r.content)

    # when an integrator reads the promotion and the list
    # then the summary names the display unit (toman) as the screens do; the parameters stay rial
    assert read("/api/v1/promotions/THREE", "en")["summary"] == "any 3 for 100000 toman"
    assert read("/api/v1/promotions/THREE", "fa")["summary"] == "هر 3 عدد به 100000 تومان"
    assert read("/api/v1/promotions/THREE", "th")["summary"] == "ครบ 3 ชิ้น ราคารวม 100000 โทมัน"
    assert read("/api/v1/promotions", "en")["items"][0]["summary"] == "any 3 for 100000 toman"
    assert read("/api/v1/promotions/THREE", "en")["params"]["total"] == "1000000"


def test_the_api_summary_of_a_thai_shop_names_baht(client, org, catalog):
    _create(org, code="THREE", name="Three", kind="group_fixed_total", item_brands=["PANTENE"],
            params={"quantity": 3, "total": "100"})
    key = api_key_create(organization_id=org.pk, label="erp", actor=Actor.system("test"), can_manage=True)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key.key}"}
    said = {lang: client.get("/api/v1/promotions/THREE", HTTP_ACCEPT_LANGUAGE=lang, **auth).json()["summary"]
            for lang in ("th", "en", "fa")}
    assert said == {"th": "ครบ 3 ชิ้น ราคารวม 100.00 บาท", "en": "any 3 for 100.00 THB", "fa": "هر 3 عدد به 100.00 بات"}
