"""A promoted sale's stored reasons read in Thai, Persian and English (docs/promotions.md,
"Texts"): a set's gift added, a percent by quantity on two SKUs and a stacking bill-wide percent,
each line's reason read back with the reading of ``promotions/tests/test_texts_every_kind.py``
(no English left in Thai or Persian, Persian separators, amounts with their unit, percents as
the promotion gives them), and English "(1 unit)"."""

from __future__ import annotations

import json

import pytest

from sasom.checkout.tests.promo_shop import promotion
from sasom.checkout.tests.test_priced_basket import body
from sasom.core.currency import Currency
from sasom.ledger.models import Sale
from sasom.promotions.tests.test_texts_every_kind import defects

pytestmark = pytest.mark.django_db


def _amounts(data):
    if isinstance(data, dict):
        return ("money" in data) + sum(_amounts(v) for v in data.values())
    return sum(_amounts(v) for v in data) if isinstance(data, list) else 0


@pytest.mark.parametrize("language", ["th", "fa", "en"])
def test_a_promoted_sale_s_reasons_read_right_in_each_language(shop, pos, language):
    # given a set (a beer and a rice: a bag of chips free), 2.5 % off from 2 units of a SKU, and a
    # stacking 7.5 % off the bill from 50.00 of chips
    promotion(shop, "SET", "mix_gift", {"mix": [{"sku": "BEER", "quantity": 1}, {"sku": "RICE", "quantity": 1}],
                                        "gifts": ["CHIPS"]}, [], name="Set")
    promotion(shop, "BANDS", "qty_percent", {"bands": [{"from": 2, "value": "2.5"}]}, ["CHIPS", "GIFT"], name="Bands")
    promotion(shop, "BILL", "value_discount", {"threshold": "50", "percent": "7.5", "scope": "bill"}, ["CHIPS"],
              name="Bill", stacks=True)
    # when a Thai till posts the sale and a reader reads it back in the language
    posted = pos.post("/api/v1/sales", data=json.dumps(body(("CHIPS", "3"), ("GIFT", "2"), ("BEER", "1"),
                                                            ("RICE", "1"), phone=None)),
                      content_type="application/json", HTTP_ACCEPT_LANGUAGE="th")
    assert posted.status_code == 201, posted.content
    read = pos.get("/api/v1/sales/R-1", HTTP_ACCEPT_LANGUAGE=language).json()
    stored = {(no, kind): json.loads(reason) for no, kind, _amount, reason in Sale.objects.get().explanation["pricing"]
              if kind.startswith("promotion:")}
    reasons = {(ln["line_no"], s["kind"]): s["reason"] for ln in read["lines"] for s in ln["steps"]
               if s["kind"].startswith("promotion:")}
    assert set(reasons) == set(stored) and {kind for _no, kind in reasons} == {
        "promotion:SET", "promotion:BANDS", "promotion:BILL"}
    # then every reason (after the promotion's own name) reads right for the reader
    wrong = {}
    for key, reason in reasons.items():
        name, text = reason.split(": ", 1)
        found = defects(text, language, Currency.of("THB"), _amounts(stored[key]))
        if found:
            wrong[reason] = found
    assert not wrong, wrong
    # and the line of one beer says one unit in English
    if language == "en":
        assert reasons[(3, "promotion:BILL")].endswith("(1 unit)")
        assert reasons[(1, "promotion:BILL")].endswith("(3 units)")
