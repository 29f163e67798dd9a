"""Base rate: the eligible net, discounts prorated, exclusions, VAT, rounding, who earns."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest

from sasom.earning.engine import (
    BaseRule,
    Basket,
    EarnPolicy,
    MemberContext,
    Rounding,
    RuleSet,
    Scope,
    compute,
)
from sasom.earning.rules import ThresholdRule

from .helpers import D, base, basket, gen, line, points_by_code, run


def test_base_rate_per_bill_is_floored_once():
    # given GEN earns 25 THB = 1 pt, and a bill of 3 lines of 30 THB
    b = basket(line(1, "30"), line(2, "30"), line(3, "30"))
    # when
    result = run(b, gen(), base("25"))
    # then 90 / 25 = 3.6 → 3 pts, explained
    assert result.member_points == 3
    assert result.eligible_net == D("90.00")
    (award,) = result.awards
    assert award.explanation == "90.00 THB ÷ 25 × 1 = 3 pts"
    assert award.line_nos == (1, 2, 3)


def test_base_rate_per_line_rounding_option():
    # given the same bill with rounding per line
    b = basket(line(1, "30"), line(2, "30"), line(3, "30"))
    # when
    result = run(b, gen(), base("25"), policy=EarnPolicy(rounding=Rounding.LINE))
    # then each 30 THB line gives floor(1.2) = 1 → 3 pts... and 3 lines of 40 give 3, not 4
    assert result.member_points == 3
    b2 = basket(line(1, "40"), line(2, "40"), line(3, "40"))
    assert run(b2, gen(), base("25"), policy=EarnPolicy(rounding=Rounding.LINE)).member_points == 3
    assert run(b2, gen(), base("25")).member_points == 4


def test_bill_discount_is_prorated_and_excluded_lines_absorb_their_share():
    # given 1,000 THB of food and 1,000 THB of cigarettes (excluded), a 200 THB bill discount
    b = basket(line(1, "1000", category="FOOD"), line(2, "1000", category="TOBACCO"), bill_discount=D("200"))
    policy = EarnPolicy(excluded_categories=frozenset({"TOBACCO"}))
    # when
    result = run(b, gen(), base("100"), policy=policy)
    # then food carries half the discount: 1,000 − 100 = 900 → 9 pts
    assert result.eligible_net == D("900.00")
    assert result.member_points == 9


def test_line_discount_points_discount_and_coupon_reduce_the_base():
    # given 2 × 600 THB with 100 THB line discount, 50 THB paid with points, a 50 THB discount coupon
    b = basket(line(1, "600", qty="2", discount="100"), points_discount=D("50"), coupon_discount=D("50"))
    # when
    result = run(b, gen(), base("100"))
    # then 1,200 − 100 − 50 − 50 = 1,000 → 10 pts
    assert result.eligible_net == D("1000.00")
    assert result.member_points == 10


def test_base_without_vat():
    # given an organization whose base excludes VAT 7%
    b = basket(line(1, "1070"))
    # when
    result = run(b, gen(), base("100"), policy=EarnPolicy(base_includes_vat=False))
    # then 1,070 / 1.07 = 1,000 → 10 pts
    assert result.eligible_net == D("1000.00")
    assert result.member_points == 10


def test_fractional_quantity():
    # given 1.255 kg of pork at 180 THB/kg = 225.90 THB (rounded half up)
    b = basket(line(1, "180", qty="1.255"))
    # when
    result = run(b, gen(), base("25"))
    # then
    assert result.eligible_net == D("225.90")
    assert result.member_points == 9


@pytest.mark.parametrize(
    ("price", "counted", "with_coupon"),
    [
        ("99.00", "12.38", "11.28"),  # 12.375: half up, not down (12.37)
        ("97.00", "12.13", "11.05"),  # 12.125: half up, not half even (12.12)
    ],
)
def test_a_weighed_line_counts_its_amount_rounded_half_up(price, counted, with_coupon):
    # given 0.125 kg at a per-kilo price whose exact amount ends in half a satang;
    # 1 satang earns 1 point, so the points show every satang of the base
    weighed = line(1, price, qty="0.125", category="FOOD")
    per_satang = base("0.01")
    # when it is bought alone
    plain = run(basket(weighed), gen(), per_satang)
    # then it counts its amount rounded half up
    assert plain.eligible_net == D(counted)
    assert plain.member_points == int(D(counted) * 100)
    # when it is bought with 100 THB of cigarettes (excluded) and a 10 THB coupon, which the two
    # lines share by their (rounded) amounts: the weighed line keeps counted × (1 − 10 / (counted + 100))
    policy = EarnPolicy(excluded_categories=frozenset({"TOBACCO"}))
    shared = basket(weighed, line(2, "100", category="TOBACCO"), coupon_discount=D("10"))
    result = run(shared, gen(), per_satang, policy=policy)
    # then the share is taken from the rounded amount
    assert result.eligible_net == D(with_coupon)
    assert result.member_points == int(D(with_coupon) * 100)


def test_discount_larger_than_the_bill_earns_nothing():
    b = basket(line(1, "100"), bill_discount=D("500"))
    result = run(b, gen(), base("25"))
    assert result.eligible_net == D("0.00")
    assert result.awards == ()


def test_base_rate_per_member_type():
    # given GEN 25 THB = 1 pt, VIP 20 THB = 1 pt
    rules = (base("25", types=("GEN",), id=1), base("20", types=("VIP",), id=2))
    b = basket(line(1, "1000"))
    # when / then
    assert run(b, gen(), *rules).member_points == 40
    assert run(b, gen(member_type="VIP"), *rules).member_points == 50
    assert run(b, gen(member_type="STAFF"), *rules).member_points == 0


def test_only_the_first_matching_base_rule_applies():
    # given a branch-specific base rate with higher priority than the general one
    general = base("100", id=1, code="BASE")
    b1_rate = BaseRule(
        id=2, code="BASE-B1", name="B1", per_amount=D("50"), points=1, priority=10,
        scope=Scope(member_types=frozenset({"GEN"}), branches=frozenset({"B1"})),
    )
    # when
    at_b1 = run(basket(line(1, "1000"), branch_code="B1"), gen(), general, b1_rate)
    at_b2 = run(basket(line(1, "1000"), branch_code="B2"), gen(), general, b1_rate)
    # then
    assert at_b1.member_points == 20 and [a.rule_code for a in at_b1.awards] == ["BASE-B1"]
    assert at_b2.member_points == 10


def test_who_does_not_earn():
    b = basket(line(1, "1000"))
    rule = base("100")
    assert run(b, MemberContext(member_id=None), rule).member_points == 0
    assert run(b, gen(can_earn=False), rule).member_points == 0
    assert run(b, gen(card_expired=True), rule).member_points == 0
    assert run(b, gen(card_expired=True), rule, policy=EarnPolicy(expired_card_earns=True)).member_points == 10


def test_naive_datetime_is_refused():
    with pytest.raises(ValueError):
        compute(Basket(occurred_at=dt.datetime(2025, 1, 1), lines=()), gen(), RuleSet(), tz=zoneinfo.ZoneInfo("UTC"))


def test_money_is_decimal_points_are_int():
    result = run(basket(line(1, "99.99")), gen(), base("10"))
    assert isinstance(result.eligible_net, Decimal)
    assert all(isinstance(a.points, int) for a in result.awards)


def test_a_rule_scoped_by_member_type_and_branch_needs_both():
    # given a bonus for VIP and GOLD members at branch B1 only
    bonus = ThresholdRule(
        id=2, code="VIPB1", name="VIP at B1", min_amount=D("1"), points=9,
        scope=Scope(member_types=frozenset({"VIP", "GOLD"}), branches=frozenset({"B1"})),
    )
    at_b1 = basket(line(1, "100"), branch_code="B1")
    # when a GEN member buys at B1, then no bonus (the branch alone does not make the rule apply)
    assert points_by_code(run(at_b1, gen(member_type="GEN"), bonus)) == {}
    # when a VIP or a GOLD member buys at B1, then the bonus
    assert points_by_code(run(at_b1, gen(member_type="VIP"), bonus)) == {"VIPB1": 9}
    assert points_by_code(run(at_b1, gen(member_type="GOLD"), bonus)) == {"VIPB1": 9}
    # when a VIP buys at B2, then no bonus
    at_b2 = basket(line(1, "100"), branch_code="B2")
    assert points_by_code(run(at_b2, gen(member_type="VIP"), bonus)) == {}
