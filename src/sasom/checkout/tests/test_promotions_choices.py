"""A promotion's choice at the till and in the API (docs/promotions.md, "The commit"): an offer the
member does not take counts no use, and a choice a running promotion no longer offers does not
lock the till. test_priced_basket's shop (chips 20.00, rice 100.00, beer 60.00; VIP 10 % off)."""

from __future__ import annotations

from decimal import Decimal

from sasom.checkout.tests.promo_shop import promotion
from sasom.checkout.tests.test_priced_basket import body, post
from sasom.ledger.models import Sale
from sasom.promotions.models import Promotion, PromotionUse

D = Decimal


def test_an_offer_the_member_does_not_take_spends_neither_the_budget_nor_the_members_limit(shop, vip, pos):
    # given "any 2 beers: rice or chips for 1.00", once per member and for one bill in all
    row = promotion(shop, "PWP", "group_pwp", {"quantity": 2, "offers": ["RICE", "CHIPS"], "offer_price": "1.00"},
                    ["BEER"], name="แลกซื้อ 1 บาท", budget=1, per_member_limit=1)
    # when the VIP buys 2 beers and takes neither item
    first = post(pos, "/api/v1/sales", body(("BEER", "2"), receipt="R-1"))
    # then the bill is the beers alone, no use is counted, and the receipt lists no promotion
    assert first.status_code == 201, first.content
    assert first.json()["net"] == "120.00"
    assert not PromotionUse.objects.exists()
    assert Promotion.objects.get(pk=row.pk).uses == 0
    assert "แลกซื้อ 1 บาท" not in first.json()["receipt_text"]
    # when the VIP comes back, buys 2 beers and takes the rice
    second = post(pos, "/api/v1/sales", body(("BEER", "2"), receipt="R-2", choices={"PWP": "RICE"}))
    # then the offer is still theirs: the rice at 1.00 (less 10 %), and this bill counts the use
    assert second.status_code == 201, second.content
    assert [(ln["sku"], ln["net"]) for ln in second.json()["lines"]] == [("BEER", "120.00"), ("RICE", "0.90")]
    assert "แลกซื้อ 1 บาท -99.00" in second.json()["receipt_text"]
    use = PromotionUse.objects.get()
    assert (use.sale_id, use.discount) == (Sale.objects.get(receipt_id="R-2").pk, D("99.00"))
    assert Promotion.objects.get(pk=row.pk).uses == 1
