"""A weighed line in an Iranian shop (IRR, no minor unit): the quote and the sale show the line's
amount in whole rial, as the plan stores it (docs/decisions/0009-currency.md)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from sasom.checkout.tests.test_currency_irr import irr_shop  # noqa: F401  (the shop, a fixture)
from sasom.ledger.models import Sale

pytestmark = pytest.mark.django_db


def weighed(client, receipt="R-W1", path="/api/v1/sales"):
    # 0.375 kg of saffron at 1,234,567 rial a kilo: 462,962.625 rial
    body = {"receipt_id": receipt, "occurred_at": "2026-11-24T12:30:00+03:30",
            "lines": [{"sku": "SAFFRON", "quantity": "0.375"}]}
    return client.post(path, data=json.dumps(body), content_type="application/json")


def test_a_weighed_line_is_quoted_in_whole_rial(irr_shop):  # noqa: F811
    # given an IRR shop selling 0.375 kg of saffron (462,962.625 rial) to a walk-in customer
    shop, pos = irr_shop
    # when the basket is quoted and then sold
    quote = weighed(pos, path="/api/v1/sales/quote")
    answer = weighed(pos)
    # then the quote's line, its gross and its net are 462,963 rial (half up), as the sale stores them
    assert quote.status_code == 200, quote.content
    assert answer.status_code == 201, answer.content
    out = quote.json()
    assert Decimal(out["gross"]) == Decimal("462963")
    assert Decimal(out["net"]) == Decimal("462963")
    assert Decimal(out["lines"][0]["net"]) == Decimal("462963")
    assert Decimal(answer.json()["lines"][0]["net"]) == Decimal("462963")
    stored = Sale.objects.get(organization=shop, receipt_id="R-W1")
    assert stored.gross == Decimal("462963")
