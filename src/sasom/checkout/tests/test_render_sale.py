"""The commit's answer written from plain values (``checkout.render_sale``) is the same document,
byte for byte, as the validated ``SaleOut`` rendered by django-ninja's encoder: for a promoted VIP
sale (member price, member discount, a free unit, a line with no member discount), a plain one,
and a sale without a member."""

from __future__ import annotations

import json

import pytest
from ninja.responses import NinjaJSONEncoder

from sasom.checkout import api as checkout_api
from sasom.checkout.render import sale_out
from sasom.checkout.render_sale import sale_answer_json
from sasom.checkout.tests.promo_shop import promotion
from sasom.checkout.tests.test_priced_basket import body, post
from sasom.ledger.selectors import balance_of


@pytest.fixture
def committed(monkeypatch):
    """Every ``SaleCommitted`` the API's commit gets from the checkout, in order."""
    seen = []
    real = checkout_api.services.sale_commit

    def spy(**kw):
        done = real(**kw)
        seen.append((done, kw["organization"]))
        return done

    monkeypatch.setattr(checkout_api.services, "sale_commit", spy)
    return seen


def _both(done, organization) -> tuple[str, str]:
    balance = None
    if done.member is not None:
        balance = done.balance if done.balance is not None else balance_of(done.account)
    fast = sale_answer_json(done.sale, done.member, awards=done.awards, coupons=done.coupons,
                            organization=organization, balance=balance, basket=done.basket, lines=done.lines)
    slow = sale_out(done.sale, done.member, awards=done.awards, replayed=False, coupons=done.coupons,
                    organization=organization, account=done.account, known=balance, basket=done.basket)
    return fast, json.dumps(slow.model_dump(), cls=NinjaJSONEncoder)


@pytest.mark.parametrize("lines, phone", [
    ((("CHIPS", "3"), ("RICE", "2"), ("BEER", "1")), "+66810000001"),  # promoted, member prices and discounts
    ((("RICE", "1"), ("BEER", "2", "61.50")), "+66810000001"),  # a price that differs from the table's
    ((("CHIPS", "5"), ("RICE", "1")), None),  # no member
])
def test_the_plain_value_answer_is_the_validated_answer_byte_for_byte(shop, vip, pos, committed, lines, phone):
    # given "buy 2 get 1" on chips and a shop with member prices
    promotion(shop, "B2G1", "qty_free", {"bands": [{"from": 2, "value": 1}]}, ["CHIPS"], name="ซื้อ 2 แถม 1")
    # when a sale is committed through the API
    answer = post(pos, "/api/v1/sales", body(*lines, phone=phone))
    # then both renderings of what the checkout committed are the same bytes, and so is the answer
    assert answer.status_code == 201, answer.content
    (done, organization), = committed
    fast, slow = _both(done, organization)
    assert fast == slow
    assert json.loads(answer.content) == json.loads(fast)
    assert '"steps": [' in fast and '"receipt_text": ' in fast  # the document, not an empty one

