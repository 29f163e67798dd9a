"""Every kind's award in full: points, the money it was computed on, the explanation a receipt
prints, the multiplier or extra points, who gets it and which lines. Pure; mutation testing runs
these (scripts/mutation.sh)."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from sasom.earning.arithmetic import fmt_points
from sasom.earning.engine import Award, Beneficiary, Campaign, Step, When
from sasom.earning.rules import (
    BirthdayRule,
    GoldenMinuteRule,
    ProductRule,
    ReferralRule,
    SpecialDateRule,
    SpendRule,
    ThresholdRule,
)

from .helpers import D, at, base, basket, extra_x, gen, line, plus, run, x


def base_award(net: str, points: int, text: str, lines: tuple[int, ...] = (1,)) -> Award:
    return Award(rule_id=1, rule_code="BASE-GEN", rule_name="Base", kind="base", points=points,
                 base_amount=D(net), explanation=text, line_nos=lines)


def test_referral_gives_the_new_member_and_the_referrer_their_points():
    rule = ReferralRule(id=3, code="REF", name="Referral", member_points=5, referrer_points=20, min_amount=D("300"))
    referred = gen(is_first_purchase=True, referred_by_member_id=9)
    result = run(basket(line(1, "300")), referred, base("100"), rule)
    assert result.awards == (
        base_award("300.00", 3, "300.00 THB ÷ 100 × 1 = 3 pts"),
        Award(rule_id=3, rule_code="REF", rule_name="Referral", kind="referral", points=5, base_amount=D("300.00"),
              explanation="first purchase of a referred member: +5 pts", extra=5),
        Award(rule_id=3, rule_code="REF", rule_name="Referral", kind="referral", points=20, base_amount=D("300.00"),
              explanation="referrer's bonus for the new member's first purchase: +20 pts", extra=20,
              beneficiary=Beneficiary.REFERRER),
    )
    assert (result.member_points, result.referrer_points) == (8, 20)
    # below the minimum, or a first purchase of nothing, gives no referral points
    assert run(basket(line(1, "299.99")), referred, rule).awards == ()
    assert run(basket(line(1, "300"), bill_discount=D("300")), referred, ReferralRule(
        id=3, code="REF", name="Referral", member_points=5, referrer_points=20)).awards == ()


def test_threshold_names_the_bill_and_its_minimum():
    rule = ThresholdRule(id=4, code="T", name="Big", min_amount=D("1500.50"), points=7)
    result = run(basket(line(1, "1500.50")), gen(), base("100"), rule)
    assert result.awards[1] == Award(
        rule_id=4, rule_code="T", rule_name="Big", kind="threshold", points=7, base_amount=D("1500.50"),
        explanation="bill 1,500.50 THB ≥ 1,500.50: +7 pts", extra=7,
    )
    assert run(basket(line(1, "1500.49")), gen(), rule).awards == ()


def test_birthday_and_birth_month():
    born = gen(birth_on=dt.date(1990, 5, 5))
    day = BirthdayRule(id=5, code="BD", name="Birthday", period="day", boost=x("2"))
    on_the_day = run(basket(line(1, "1000"), when=at(2025, 5, 5, 9)), born, base("100"), day)
    assert on_the_day.awards[1] == Award(
        rule_id=5, rule_code="BD", rule_name="Birthday", kind="birthday", points=10, base_amount=D("1000.00"),
        explanation="birthday, bill 1,000.00 THB: 10 base pts × (2 − 1) = 10 pts", multiplier=D("2"),
    )
    assert run(basket(line(1, "1000"), when=at(2025, 5, 6, 9)), born, base("100"), day).member_points == 10
    month = BirthdayRule(id=5, code="BM", name="Birth month", period="month", boost=extra_x("0.5"), min_amount=D("1000"))
    in_the_month = run(basket(line(1, "1000"), when=at(2025, 5, 20, 9)), born, base("100"), month)
    assert in_the_month.awards[1] == Award(
        rule_id=5, rule_code="BM", rule_name="Birth month", kind="birthday", points=5, base_amount=D("1000.00"),
        explanation="birth month, bill 1,000.00 THB: 10 base pts × 0.5 extra = 5 pts", multiplier=D("0.5"),
    )
    assert run(basket(line(1, "1000"), when=at(2025, 6, 5, 9)), born, base("100"), month).member_points == 10
    assert run(basket(line(1, "999.99"), when=at(2025, 5, 20, 9)), born, base("100"), month).member_points == 9
    assert run(basket(line(1, "1000"), when=at(2025, 5, 5, 9)), gen(), base("100"), day, month).member_points == 10


def test_golden_minute_says_when():
    rule = GoldenMinuteRule(id=6, code="G", name="Golden", boost=plus(15), when=When(time_from=dt.time(12), time_to=dt.time(13)))
    result = run(basket(line(1, "1000"), when=at(2025, 5, 20, 12, 30)), gen(), base("100"), rule)
    assert result.awards[1] == Award(
        rule_id=6, rule_code="G", rule_name="Golden", kind="golden_minute", points=15, base_amount=D("1000.00"),
        explanation="golden minute at 12:30, bill 1,000.00 THB: +15 pts", extra=15,
    )


def test_special_date_every_year_says_the_date():
    rule = SpecialDateRule(id=7, code="SD", name="Anniv", dates=frozenset({"06-15"}), boost=x("1.5"))
    result = run(basket(line(1, "1000"), when=at(2025, 6, 15, 9)), gen(), base("100"), rule)
    assert result.awards[1] == Award(
        rule_id=7, rule_code="SD", rule_name="Anniv", kind="special_date", points=5, base_amount=D("1000.00"),
        explanation="special date 2025-06-15, bill 1,000.00 THB: 10 base pts × (1.5 − 1) = 5 pts", multiplier=D("1.5"),
    )


def test_spend_steps_take_the_highest_step_reached():
    rule = SpendRule(id=8, code="SP", name="Steps", steps=(Step(D("3000"), x("3")), Step(D("2000"), x("2"))))
    result = run(basket(line(1, "2999.99")), gen(), base("100"), rule)
    assert result.awards[1] == Award(
        rule_id=8, rule_code="SP", rule_name="Steps", kind="spend", points=29, base_amount=D("2999.99"),
        explanation="step ≥ 2,000.00, bill 2,999.99 THB: 29 base pts × (2 − 1) = 29 pts", multiplier=D("2"),
    )
    assert run(basket(line(1, "3000")), gen(), base("100"), rule).awards[1].points == 60
    assert run(basket(line(1, "1999.99")), gen(), base("100"), rule).awards[1:] == ()


def test_product_points_per_unit_count_fractional_quantities():
    rule = ProductRule(id=9, code="PQ", name="Beauty", categories=frozenset({"BEAUTY"}), boost=plus(4), per_quantity=True)
    result = run(basket(line(1, "10", qty="1.5", category="BEAUTY"), line(2, "100")), gen(), base("100"), rule)
    assert result.awards == (
        base_award("115.00", 1, "115.00 THB ÷ 100 × 1 = 1 pts", (1, 2)),
        Award(rule_id=9, rule_code="PQ", rule_name="Beauty", kind="product", points=6, base_amount=D("15.00"),
              explanation="Beauty: matched lines 15.00 THB: 1.5 units × 4 pts = 6 pts", extra=6, line_nos=(1,)),
    )


def test_product_extra_on_the_matched_lines_base_points():
    rule = ProductRule(id=9, code="PX", name="Beauty", categories=frozenset({"BEAUTY"}), brands=frozenset({"ACME"}),
                       boost=extra_x("1.5"))
    b = basket(line(1, "250", category="BEAUTY"), line(2, "100", brand="ACME"), line(3, "50"))
    result = run(b, gen(), base("100"), rule)
    assert result.awards[1] == Award(
        rule_id=9, rule_code="PX", rule_name="Beauty", kind="product", points=5, base_amount=D("350.00"),
        explanation="Beauty: matched lines 350.00 THB: 3.5 base pts × 1.5 extra = 5 pts", multiplier=D("1.5"),
        line_nos=(1, 2),
    )
    # per line rounding floors each matched line first: 2 + 1 = 3 base points, extra x1.5 = 4
    from sasom.earning.engine import EarnPolicy, Rounding  # the policy only this example needs

    per_line = run(b, gen(), base("100"), rule, policy=EarnPolicy(rounding=Rounding.LINE))
    assert [a.points for a in per_line.awards] == [3, 4]
    assert per_line.awards[0].explanation == "400.00 THB ÷ 100 × 1 (floored per line) = 3 pts"


def test_product_on_lines_after_a_bill_discount():
    # 20 % off the bill: the beauty line counts 200.00, the other 80.00 (the engine's exact path)
    rule = ProductRule(id=9, code="PX", name="Beauty", categories=frozenset({"BEAUTY"}), boost=x("2"))
    result = run(basket(line(1, "250", category="BEAUTY"), line(2, "100"), bill_discount=D("70")), gen(), base("10"), rule)
    assert [(a.points, a.base_amount) for a in result.awards] == [(28, D("280.00")), (20, D("200.00"))]


def test_a_bag_campaign_explains_its_percent_and_its_points():
    campaign = Campaign(id=100, code="NOBAG", name="No bag", bag_percent=D("2.5"), bag_points=3)
    result = run(basket(line(1, "1000"), bag_declined=True), gen(), base("100"), campaigns=(campaign,))
    assert result.awards[-1] == Award(
        rule_id=100, rule_code="NOBAG", rule_name="No bag", kind="campaign_bag", points=28, base_amount=D("1000.00"),
        explanation="No bag: plastic bag declined: 2.5% of 1,000.00 THB = 25 pts; +3 pts per bill", extra=28,
    )
    only_points = Campaign(id=101, code="P", name="P", bag_points=3)
    assert run(basket(line(1, "1000"), bag_declined=True), gen(), campaigns=(only_points,)).awards[0].explanation == (
        "P: plastic bag declined: +3 pts per bill")
    nothing = Campaign(id=102, code="Z", name="Z", bag_percent=D("0.01"))
    assert run(basket(line(1, "100"), bag_declined=True), gen(), campaigns=(nothing,)).awards == ()


def test_points_are_shown_whole_or_to_two_places():
    assert fmt_points(1234567) == "1,234,567"
    assert fmt_points(Fraction(10, 3)) == "3.33"
    assert fmt_points(Fraction(5, 2)) == "2.5"
    assert fmt_points(Fraction(3, 1)) == "3"


def test_a_bill_of_nothing_gets_no_fixed_bonus_and_a_bill_of_one_baht_does():
    golden = GoldenMinuteRule(id=6, code="G", name="Golden", boost=plus(15), when=When(time_from=dt.time(12), time_to=dt.time(13)))
    noon = at(2025, 5, 20, 12, 30)
    threshold = ThresholdRule(id=4, code="T", name="Any bill", min_amount=D("0"), points=7)
    referral = ReferralRule(id=3, code="REF", name="Referral", member_points=5, referrer_points=20)
    referred = gen(is_first_purchase=True, referred_by_member_id=9)
    # a bill discounted to nothing
    nothing = basket(line(1, "100"), bill_discount=D("100"), when=noon)
    assert run(nothing, referred, golden, threshold, referral).awards == ()
    # a bill of 1 baht
    one = run(basket(line(1, "1"), when=noon), referred, golden, threshold, referral)
    assert [(a.rule_code, a.points) for a in one.awards] == [("G", 15), ("REF", 5), ("REF", 20), ("T", 7)]


def test_a_product_rule_needs_a_base_rule_to_multiply():
    rule = ProductRule(id=9, code="PX", name="Beauty", categories=frozenset({"BEAUTY"}), boost=x("3"))
    assert run(basket(line(1, "1000", category="BEAUTY")), gen(), rule).awards == ()


def test_a_product_rule_by_sku_and_by_brand_matches_only_its_own():
    by_sku = ProductRule(id=9, code="SKU", name="Fan", skus=frozenset({"FAN16"}), boost=plus(5))
    by_brand = ProductRule(id=10, code="BRAND", name="Acme", brands=frozenset({"ACME"}), boost=plus(7))
    b = basket(line(1, "100", sku="FAN16"), line(2, "100", sku="KETTLE", brand="OTHER"))
    assert [(a.rule_code, a.line_nos) for a in run(b, gen(), by_sku, by_brand).awards] == [("SKU", (1,))]


def test_points_per_unit_apply_only_to_fixed_points():
    # an engine object that asks for x2 "per quantity" still multiplies the base (the form never stores it)
    rule = ProductRule(id=9, code="PX", name="Beauty", categories=frozenset({"BEAUTY"}), boost=x("2"), per_quantity=True)
    result = run(basket(line(1, "500", qty="3", category="BEAUTY")), gen(), base("100"), rule)
    assert [a.points for a in result.awards] == [15, 15]


def test_per_line_rounding_after_a_bill_discount():
    # 3 lines of 40 THB, 30 THB off the bill: each keeps 30 THB, 25 THB = 1 pt floored per line = 3
    from sasom.earning.engine import EarnPolicy, Rounding  # the policy only this example needs

    b = basket(line(1, "40"), line(2, "40"), line(3, "40"), bill_discount=D("30"))
    result = run(b, gen(), base("25"), policy=EarnPolicy(rounding=Rounding.LINE))
    assert result.member_points == 3 and result.eligible_net == D("90.00")


def test_points_that_round_to_no_cents_show_as_zero():
    assert fmt_points(Fraction(1, 1000)) == "0"


def test_the_index_hands_back_only_rules_that_could_match():
    from sasom.earning.engine import RuleSet, Scope  # the index, looked at directly

    # given 50 product rules on distinct skus and 20 branch rules elsewhere
    rules = [ProductRule(id=i, code=f"P{i}", name="p", skus=frozenset({f"S{i}"}), boost=x("2")) for i in range(50)]
    rules += [ThresholdRule(id=500 + i, code=f"B{i}", name="b", min_amount=D("1"), points=1,
                            scope=Scope(branches=frozenset({f"BR{i}"}))) for i in range(20)]
    ruleset = RuleSet(rules=[base("25"), *rules])
    b = basket(line(1, "100", sku="S7"), line(2, "100", sku="S8"), branch_code="BR3")
    # then only the base, the two sku rules and the one branch rule are looked at
    assert [r.code for r in ruleset.candidates(b, gen())] == ["BASE-GEN", "B3", "P7", "P8"]
