"""Partial returns of a promoted sale that also had a bill-level discount (docs/promotions.md,
"Returns and voids", the bill-level table): the remainder is repriced with the promotions as they
were, and the units returned take back their share of the bill discount, the coupon and the
points paid as money, spread over the lines in proportion to their nets as stored at the sale.
Every test ends with the whole sale back and checks that the refunds add up to what was paid.

Shop (test_priced_basket): chips 20.00, rice 100.00 (85.00 for a VIP at B1, then 10 % member
discount); "buy 2 get 1" on chips (``b2g1``)."""

from __future__ import annotations

from decimal import Decimal

from sasom.checkout.tests.promo_shop import promotion
from sasom.checkout.tests.test_priced_basket import SYSTEM, body, post
from sasom.checkout.tests.test_promotions_returns import give_back, walk_in
from sasom.ledger.models import Sale, SaleReturn
from sasom.ledger.services.points import account_for, points_adjust
from sasom.rewards.models import CouponTemplate, PointsDiscountRule
from sasom.rewards.services import coupon_issue

D = Decimal


def test_a_bill_discount_is_taken_back_in_proportion_to_the_lines_at_the_sale(b2g1, pos):
    # given 3 bags of chips (one free: 40.00) and a bag of rice (100.00), 14.00 off the bill: 126.00
    sold = post(pos, "/api/v1/sales", walk_in(("CHIPS", "3"), ("RICE", "1"), bill_discount="14.00")).json()
    assert sold["net"] == "126.00"
    # when the rice comes back, then one bag, then the last two
    refunds = [give_back(pos, "RT-1", 2, "1"), give_back(pos, "RT-2", 1, "1"), give_back(pos, "RT-3", 1, "2")]
    # then the rice gives back 100.00 less its share of the 14.00 (100 / 140 of it: 10.00) = 90.00;
    # the bag nothing (2 bags cost 40.00 without the free one, less their 2.67 share: more than the
    # 36.00 still kept); the last two the 36.00 left
    assert refunds == ["90.00", "0.00", "36.00"]
    assert sum(map(D, refunds)) == D(sold["net"])


def test_a_bill_wide_promotion_is_repriced_on_what_is_kept(shop, pos):
    # given "10 % off the bill from 150.00 of chips and rice" and 3 chips + 2 rice: 260.00 - 26.00
    promotion(shop, "BILL10", "value_discount", {"threshold": "150.00", "percent": "10", "scope": "bill"},
              ["CHIPS", "RICE"])
    sold = post(pos, "/api/v1/sales", walk_in(("CHIPS", "3"), ("RICE", "2"))).json()
    assert sold["net"] == "234.00"
    # when a bag comes back, then both bags of rice, then the two bags left
    refunds = [give_back(pos, "RT-1", 1, "1"), give_back(pos, "RT-2", 2, "2"), give_back(pos, "RT-3", 1, "2")]
    # then the bag gives back 20.00 less its 10 % (the 240.00 kept still gets the promotion):
    # 18.00; the rice 216.00 - 40.00 = 176.00 (the 2 bags left, 40.00, are below 150.00: their
    # 4.00 off goes back with the rice); the last bags 40.00
    assert refunds == ["18.00", "176.00", "40.00"]
    assert sum(map(D, refunds)) == D(sold["net"])


def test_a_coupon_off_the_bill_is_taken_back_in_proportion(org, b2g1, vip, pos):
    # given a VIP's 3 chips (one free, 10 % of 40.00: 36.00) and rice (85.00 - 8.50 = 76.50) with a
    # 50.00 coupon off the bill: 112.50 - 50.00 = 62.50
    template = CouponTemplate.objects.create(organization=org, code="D50", name="ลด 50 บาท", kind="discount",
                                             value=D("50"), points_cost=0, validity_days=30)
    coupon = coupon_issue(member=vip, template=template, actor=SYSTEM, charge_points=False)
    sold = post(pos, "/api/v1/sales", body(("CHIPS", "3"), ("RICE", "1"), coupons=[coupon.code])).json()
    sale = Sale.objects.get()
    assert (sale.coupon_discount, sale.net) == (D("50.00"), D("62.50"))
    # when the rice comes back, then the chips
    refunds = [give_back(pos, "RT-1", 2, "1"), give_back(pos, "RT-2", 1, "3")]
    # then the rice gives back 76.50 less its share of the coupon (76.50 / 112.50 of 50.00 = 34.00):
    # 42.50; the chips the 20.00 left (36.00 less their 16.00 of the coupon)
    assert refunds == ["42.50", "20.00"]
    assert sum(map(D, refunds)) == D(sold["net"])


def test_points_paid_as_money_come_back_as_points_not_as_money(org, b2g1, vip, pos):
    # given a VIP with 500 points (10 points = 1.00) paying 200 of them (20.00) for the same basket:
    # 112.50 - 20.00 = 92.50
    PointsDiscountRule.objects.create(organization=org, points_per_unit=10)
    points_adjust(account=account_for(vip), points=500, reason="opening", actor=SYSTEM)
    assert post(pos, "/api/v1/sales", body(("CHIPS", "3"), ("RICE", "1"), redeem_points=200)).status_code == 201
    sale = Sale.objects.get()
    assert (sale.points_used, sale.points_discount, sale.net) == (200, D("20.00"), D("92.50"))
    # when the rice comes back
    assert give_back(pos, "RT-1", 2, "1") == "62.90"
    # then the money is 76.50 less the rice's share of the points (76.50 / 112.50 of 20.00 = 13.60)
    # and that share comes back as the points it was: 136 of the 200
    assert SaleReturn.objects.get(return_id="RT-1").points_refunded == 136
    # and the chips give back the 29.60 left and the other 64 points
    assert give_back(pos, "RT-2", 1, "3") == "29.60"
    assert SaleReturn.objects.get(return_id="RT-2").points_refunded == 64
    assert Sale.objects.get().status == Sale.Status.RETURNED


def test_the_units_of_a_line_returned_one_by_one_give_back_exactly_its_net(shop, pos):
    # given three bags of rice (100.00 each) with 0.01 off the bill and no promotion: the line's net
    # is 300.00, the bill 299.99; a third of the bill-level 0.01 is not a cent
    sold = post(pos, "/api/v1/sales", walk_in(("RICE", "3"), bill_discount="0.01")).json()
    assert sold["net"] == "299.99"
    # when the bags come back one by one
    refunds = [give_back(pos, f"RT-{n}", 1, "1") for n in (1, 2, 3)]
    # then each gives back its running share (the line's net and the bill discount both rounded on
    # the running total), never a cent more than was paid in all
    assert refunds == ["100.00", "99.99", "100.00"]
    assert sum(map(D, refunds)) == D(sold["net"])
