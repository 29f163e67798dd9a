"""The till with the engine's own gift kinds (seed 001 family 2 and 3): a set that gives a free item
(2a) and a purchase-with-purchase choice (3d), quoted, committed, returned. Walk-ins; chips 20.00,
rice 100.00, beer 60.00 (test_priced_basket's shop)."""

from __future__ import annotations

from sasom.checkout.tests.promo_shop import promotion
from sasom.checkout.tests.test_priced_basket import body, post
from sasom.ledger.models import Sale
from sasom.promotions.models import PromotionUse


def walk_in(*lines, **extra):
    return body(*lines, phone=None, **extra)


def test_a_set_complete_gives_its_free_item_and_returning_the_set_takes_it_back(shop, pos):
    # given "beer + rice: a bag of chips free" (2a)
    promotion(shop, "SET", "mix_gift", {"mix": [{"sku": "BEER", "quantity": 1}, {"sku": "RICE", "quantity": 1}],
                                        "gifts": ["CHIPS"], "gift_quantity": 1}, [], name="ชุดคุ้ม")
    # when a walk-in buys a beer and a bag of rice
    done = post(pos, "/api/v1/sales", walk_in(("BEER", "1"), ("RICE", "1")))
    # then the chips are a third line, free, and the bill is 160.00
    assert done.status_code == 201, done.content
    out = done.json()
    assert [(ln["sku"], ln["net"], ln["gift"]) for ln in out["lines"]] == [
        ("BEER", "60.00", False), ("RICE", "100.00", False), ("CHIPS", "0.00", True)]
    assert out["net"] == "160.00"
    assert "ชุดคุ้ม -20.00" in out["receipt_text"]
    # when the rice comes back (the chips stay with the customer): beer 60.00 + chips 20.00 are kept
    back = post(pos, "/api/v1/sales/R-1/returns", {"return_id": "RT-1", "lines": [{"line_no": 2, "quantity": "1"}]})
    # then 160.00 - 80.00 = 80.00 is given back, not the rice's 100.00
    assert back.json()["returned_net"] == "80.00"


def test_a_purchase_with_purchase_choice_is_quoted_and_taken_on_commit(shop, pos):
    # given "any 2 beers: rice or chips for 1.00" (3d)
    promotion(shop, "PWP", "group_pwp", {"quantity": 2, "offers": ["RICE", "CHIPS"], "offer_price": "1.00"},
              ["BEER"], name="แลกซื้อ 1 บาท")
    quoted = post(pos, "/api/v1/sales/quote", walk_in(("BEER", "2"))).json()
    assert [(c["promotion"], c["options"], c["unit_price"]) for c in quoted["choices"]] == [
        ("PWP", ["RICE", "CHIPS"], "1.00")]
    chosen = walk_in(("BEER", "2"), choices={"PWP": "CHIPS"})
    again = post(pos, "/api/v1/sales/quote", chosen).json()
    done = post(pos, "/api/v1/sales", chosen)
    assert done.status_code == 201, done.content
    assert again["net"] == done.json()["net"] == "121.00"
    chips = Sale.objects.get().lines.get(sku="CHIPS")
    assert (chips.unit_price, chips.promotion_discount, chips.net, chips.promotions) == (20, 19, 1, "PWP")
    assert PromotionUse.objects.get().discount == 19
