"""Try a basket over the API (`POST /promotions/preview`): the explanations and hints name the
shop's display unit, as the screens do, in the request's language (issue 14); the money fields
beside them stay the currency's amounts (docs/promotions.md, "Texts")."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from sasom.core.audit import Actor
from sasom.integrations import auth
from sasom.integrations.services import api_key_create

pytestmark = pytest.mark.django_db

# "spend 50.00 on Coke: 5.00 off the Coke lines" (Coke 15.00 in the catalog), tried as a draft
DRAFT = {"code": "COKE50", "name": "Coke 50", "kind": "value_discount", "item_skus": ["COKE"],
         "params": {"threshold": "50", "amount": "5", "scope": "group"}}


@pytest.fixture(autouse=True)
def _fresh_caches():
    auth._cache.clear()
    auth._buckets.clear()


@pytest.fixture
def erp(org, catalog) -> Client:
    issued = api_key_create(organization_id=org.id, label="erp", actor=Actor.system(), can_manage=True)
    return Client(HTTP_AUTHORIZATION=f"Bearer {issued.key}")


def preview(client: Client, cokes: int, language: str) -> dict:
    r = client.post("/api/v1/promotions/preview", content_type="application/json", HTTP_ACCEPT_LANGUAGE=language,
                    data=json.dumps({"lines": [{"sku": "COKE", "quantity": cokes}], "promotion": DRAFT}))
    assert r.status_code == 200, r.content
    return r.json()


@pytest.mark.parametrize(("language", "hint", "explanation"), [
    ("en", "spend 20.00 THB more for 5.00 THB off the group", "60.00 THB of the group reached 50.00 THB: 5.00 THB off the group"),
    ("th", "ซื้อเพิ่มอีก 20.00 บาท รับ ส่วนลด 5.00 บาท ทั้งกลุ่ม", "ยอดกลุ่ม 60.00 บาท ถึง 50.00 บาท: ส่วนลด 5.00 บาท ทั้งกลุ่ม"),
    ("fa", "با 20.00 بات خرید بیشتر: 5.00 بات تخفیف روی گروه",
     "مبلغ گروه 60.00 بات به 50.00 بات رسید: 5.00 بات تخفیف روی گروه"),
])
def test_the_preview_names_baht_in_every_language(erp, language, hint, explanation):
    # given 2 Cokes (30.00: 20.00 short), then 4 (60.00)
    two, four = preview(erp, 2, language), preview(erp, 4, language)
    # then the hint and the explanation name the unit in the reader's language
    assert [h["reward"] for h in two["hints"]] == [hint]
    assert [a["explanation"] for a in four["applied"]] == [explanation]
    # and the amounts beside them are plain amounts of the currency
    assert two["hints"][0]["missing_amount"] == "20.00"
    assert four["applied"][0]["discount"] == "5.00"
