"""Partial returns of a promoted sale (docs/promotions.md, "Returns and voids"): the remainder is
repriced with the promotions as they were, the member discount is taken again on what the
remainder costs, and a promotion the remainder no longer gets gives its use and its budget back."""

from __future__ import annotations

from decimal import Decimal

from sasom.checkout.tests.promo_shop import promotion
from sasom.checkout.tests.test_priced_basket import body, post
from sasom.promotions.models import Promotion, PromotionSettings, PromotionUse

D = Decimal


def walk_in(*lines, **extra):
    return body(*lines, phone=None, **extra)


def give_back(pos, return_id, line_no, quantity):
    answer = post(pos, "/api/v1/sales/R-1/returns",
                  {"return_id": return_id, "lines": [{"line_no": line_no, "quantity": quantity}]})
    assert answer.status_code == 201, answer.content
    return answer.json()["returned_net"]


def test_the_member_discount_is_taken_again_on_the_repriced_remainder(b2g1, vip, pos):
    # given a VIP who paid 36.00 for 3 bags (one free, then 10 % of 40.00)
    sold = post(pos, "/api/v1/sales", body(("CHIPS", "3"))).json()
    assert sold["net"] == "36.00"
    # when the bags come back one by one
    refunds = [give_back(pos, f"RT-{n}", 1, "1") for n in (1, 2, 3)]
    # then 2 bags cost 40.00 - 4.00 = 36.00 (nothing back), 1 bag 20.00 - 2.00 = 18.00 (18.00 back),
    # then the last 18.00: a proportional share of the sale's 4.00 would have kept 1.33 and paid 17.33
    assert refunds == ["0.00", "18.00", "18.00"]


def test_a_partial_return_whose_remainder_no_longer_qualifies_gives_the_use_and_budget_back(shop, pos):
    # given a promotion with a budget of one bill, spent by a sale of 3 bags (40.00)
    row = promotion(shop, "ONCE", "qty_free", {"bands": [{"from": 2, "value": 1}]}, ["CHIPS"], budget=1)
    assert post(pos, "/api/v1/sales", walk_in(("CHIPS", "3"))).json()["net"] == "40.00"
    # when one bag comes back (2 bags no longer get the free one)
    assert give_back(pos, "RT-1", 1, "1") == "0.00"
    # then the use is reversed and the budget is there again for the next sale
    row.refresh_from_db()
    assert row.uses == 0
    assert PromotionUse.objects.get().reversed is True
    again = post(pos, "/api/v1/sales", walk_in(("CHIPS", "3"), receipt="R-2")).json()
    assert again["net"] == "40.00"
    # and a replay of the same return changes nothing
    assert give_back(pos, "RT-1", 1, "1") == "0.00"
    row.refresh_from_db()
    assert row.uses == 1


def test_a_partial_return_whose_remainder_still_qualifies_keeps_the_use(b2g1, pos):
    # given 3 bags (one free) and a bag of rice on one bill
    post(pos, "/api/v1/sales", walk_in(("CHIPS", "3"), ("RICE", "1")))
    # when the rice comes back
    assert give_back(pos, "RT-1", 2, "1") == "100.00"
    # then the chips still get their free bag: the use stays counted
    assert PromotionUse.objects.get().reversed is False
    assert Promotion.objects.get(pk=b2g1.pk).uses == 1


def test_a_return_reprices_with_the_promotion_as_it_was_at_the_sale(b2g1, pos):
    # given 3 bags for 40.00 under "buy 2 get 1"
    post(pos, "/api/v1/sales", walk_in(("CHIPS", "3")))
    # when the promotion is changed to "buy 1 get 1" afterwards and a bag comes back
    Promotion.objects.filter(pk=b2g1.pk).update(params={"bands": [{"from": 1, "value": 1}]})
    # then the remainder is priced with the sale's "buy 2 get 1": 2 bags cost 40.00, nothing back
    # (today's "buy 1 get 1" would have made them 20.00 and refunded 20.00)
    assert give_back(pos, "RT-1", 1, "1") == "0.00"


def test_a_promotion_a_smaller_remainder_gets_again_counts_its_use_again(shop, pos):
    # given, in priority order, "any 4 chips for 50" before "buy 2 get 1" (a budget of 5 bills)
    PromotionSettings.objects.update_or_create(organization=shop, defaults={"mode": "priority"})
    row = promotion(shop, "B2G1", "qty_free", {"bands": [{"from": 2, "value": 1}]}, ["CHIPS"], priority=2, budget=5)
    promotion(shop, "FOUR", "group_fixed_total", {"quantity": 4, "total": "50"}, ["CHIPS"], priority=1)
    # and 7 bags: 4 for 50.00, then 3 with one free (40.00): 90.00
    assert post(pos, "/api/v1/sales", walk_in(("CHIPS", "7"))).json()["net"] == "90.00"
    # when one bag comes back, 6 are 4 for 50 + 2 at 40: "buy 2 get 1" no longer applies, its use goes back
    assert give_back(pos, "RT-1", 1, "1") == "0.00"
    assert Promotion.objects.get(pk=row.pk).uses == 0
    # when 3 more come back, the 3 kept are too few for "4 for 50" and get "buy 2 get 1" again (40.00)
    assert give_back(pos, "RT-2", 1, "3") == "50.00"
    # then "buy 2 get 1" counts this bill again (it gave the bill a free bag), "4 for 50" does not
    assert dict(PromotionUse.objects.values_list("promotion__code", "reversed")) == {"B2G1": False, "FOUR": True}
    assert Promotion.objects.get(pk=row.pk).uses == 1
    # and the last 3 coming back give it back for good
    assert give_back(pos, "RT-3", 1, "3") == "40.00"
    assert Promotion.objects.get(pk=row.pk).uses == 0
