"""An IRR rule set (no minor unit): "20,000 toman = 1 point" is 200,000 rial = 1 point, exactly."""

from __future__ import annotations

from sasom.earning.engine import RuleSet, compute

from .helpers import BKK, D, base, basket, gen, line


def irr(*rules):
    return RuleSet(rules=rules, currency="IRR")


def test_20000_toman_is_one_point_on_a_bill_of_1234567_toman():
    # given 20,000 toman = 1 point (200,000 rial) and a bill of 1,234,567 toman (12,345,670 rial)
    result = compute(basket(line(1, "12345670")), gen(), irr(base("200000")), tz=BKK)
    # then 61.7 points, floored once per bill
    assert result.member_points == 61
    assert result.eligible_net == D("12345670")


def test_the_same_digits_in_rial_earn_6_points():
    # 1,234,567 rial (123,456.7 toman) / 200,000 = 6.17
    result = compute(basket(line(1, "1234567")), gen(), irr(base("200000")), tz=BKK)
    assert result.member_points == 6


def test_a_bill_discount_shared_out_rounds_the_base_to_whole_rial():
    # given two lines and a bill discount of 1 rial: the exact base 2,999,999 is already whole
    b = basket(line(1, "1000000"), line(2, "2000000"), bill_discount=D("1"))
    result = compute(b, gen(), irr(base("200000")), tz=BKK)
    assert result.eligible_net == D("2999999")
    assert result.eligible_net.as_tuple().exponent == 0
    assert result.member_points == 14


def test_a_weighed_line_rounds_to_whole_rial():
    # 0.333 kg at 100,001 rial = 33,300.333 rial -> 33,300 rial
    result = compute(basket(line(1, "100001", qty="0.333")), gen(), irr(base("10000")), tz=BKK)
    assert result.eligible_net == D("33300")
    assert result.member_points == 3
