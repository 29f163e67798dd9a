"""Points as payment and coupons in an IRR shop: the money they stand for is cut to whole rial."""

from __future__ import annotations

from decimal import Decimal

from sasom.rewards.pricing import (
    DiscountRuleData,
    coupon_discount,
    points_discount_quote,
    points_to_money,
)


def test_points_as_payment_are_worth_whole_rial_never_more():
    # given 3 points = 1 rial and 1,000 points spendable on a bill of 1,172,839 rial
    rule = DiscountRuleData(points_per_unit=3, places=0)
    quote = points_discount_quote(bill_amount=Decimal("1172839"), rule=rule, spendable=1000)
    # then 333.33 rial are cut to 333 rial, bought by the fewest points: 999
    assert (quote.max_points, quote.max_amount) == (999, Decimal("333"))
    assert points_to_money(1000, 3, 0) == Decimal("333")


def test_the_same_points_in_thb_keep_satang():
    quote = points_discount_quote(bill_amount=Decimal("1172839"), rule=DiscountRuleData(points_per_unit=3),
                                  spendable=1000)
    assert (quote.max_points, quote.max_amount) == (1000, Decimal("333.33"))


def test_a_percent_coupon_is_cut_to_whole_rial():
    # 7 % of 1,172,839 rial = 82,098.73 -> 82,098 rial (the shop never gives more)
    off = coupon_discount(kind="discount", discount_kind="percent", value=Decimal("7"),
                          eligible_amount=Decimal("1172839"), places=0)
    assert off == Decimal("82098")
