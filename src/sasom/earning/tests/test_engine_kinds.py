"""Worked examples per rule kind and their combinations (docs/points.md quotes these)."""

from __future__ import annotations

import datetime as dt

import pytest

from sasom.earning.engine import Beneficiary, Campaign, MemberContext, Scope, Step, When
from sasom.earning.rules import (
    BirthdayRule,
    GoldenMinuteRule,
    ProductRule,
    ReferralRule,
    SpecialDateRule,
    SpendRule,
    ThresholdRule,
)

from .helpers import D, at, base, basket, extra_x, gen, line, plus, points_by_code, run, x


def spend(*steps: tuple[str, object], code: str = "SPEND", **kw) -> SpendRule:
    return SpendRule(id=10, code=code, name="Spend", steps=tuple(Step(D(a), b) for a, b in steps), **kw)


def test_domain_example_extra_x5_on_a_4000_bill_gives_40_plus_200():
    # given 100 THB = 1 pt and ">= 2,000 extra x5"
    rules = (base("100"), spend(("2000", extra_x("5"))))
    # when a member buys for 4,000 THB
    result = run(basket(line(1, "4000")), gen(), *rules)
    # then base first, then the extra on top: 40 + 200
    assert points_by_code(result) == {"BASE-GEN": 40, "SPEND": 200}
    assert result.member_points == 240
    assert result.awards[1].explanation == "step ≥ 2,000.00, bill 4,000.00 THB: 40 base pts × 5 extra = 200 pts"


def test_threshold_award():
    # given a bill of at least 1,500 THB earns 50 pts
    rule = ThresholdRule(id=2, code="T1500", name="≥1,500", min_amount=D("1500"), points=50)
    # when / then
    assert run(basket(line(1, "1499.99")), gen(), base("100"), rule).member_points == 14
    assert run(basket(line(1, "1500")), gen(), base("100"), rule).member_points == 15 + 50


def test_beauty_x3_multiplies_only_the_beauty_lines():
    # given GEN 25 THB = 1 pt and beauty x3
    beauty = ProductRule(id=3, code="BEAUTY", name="Beauty x3", categories=frozenset({"BEAUTY"}), boost=x("3"))
    b = basket(line(1, "500", category="BEAUTY"), line(2, "500", category="FOOD"))
    # when
    result = run(b, gen(), base("25"), beauty)
    # then base 40 (1,000 / 25); beauty lines 500 → 20 base pts, x3 adds 20 × 2 = 40
    assert points_by_code(result) == {"BASE-GEN": 40, "BEAUTY": 40}
    award = result.awards[1]
    assert award.line_nos == (1,) and award.multiplier == D("3")
    assert award.explanation == "Beauty x3: matched lines 500.00 THB: 20 base pts × (3 − 1) = 40 pts"


def test_tvs_on_the_first_of_the_month_x5():
    # given TVs x5 on the 1st only
    tv = ProductRule(
        id=4, code="TV-1ST", name="TV x5 on the 1st", categories=frozenset({"TV"}), boost=x("5"),
        when=When(days_of_month=frozenset({1})),
    )
    tv_bill = (line(1, "10000", category="TV"),)
    # when / then: 100 base pts, x5 adds 400 on the 1st, nothing on the 2nd
    assert run(basket(*tv_bill, when=at(2025, 4, 1)), gen(), base("100"), tv).member_points == 500
    assert run(basket(*tv_bill, when=at(2025, 4, 2)), gen(), base("100"), tv).member_points == 100


def test_product_extra_points_per_unit_and_by_brand():
    rule = ProductRule(id=5, code="MILK", name="Milk +2/unit", brands=frozenset({"DUTCHIE"}), boost=plus(2), per_quantity=True)
    result = run(basket(line(1, "20", qty="3", brand="DUTCHIE"), line(2, "20")), gen(), base("100"), rule)
    assert points_by_code(result) == {"MILK": 6}


def test_spend_steps_only_the_highest_step_applies():
    # given ≥ 2,000 x2 and ≥ 3,000 x3 with 100 THB = 1 pt
    steps = spend(("2000", x("2")), ("3000", x("3")))
    # when / then
    assert run(basket(line(1, "1999")), gen(), base("100"), steps).member_points == 19
    assert run(basket(line(1, "2500")), gen(), base("100"), steps).member_points == 25 + 25
    assert run(basket(line(1, "3500")), gen(), base("100"), steps).member_points == 35 + 70


def test_spend_fixed_points():
    rule = spend(("1000", plus(30)))
    assert points_by_code(run(basket(line(1, "1200")), gen(), base("100"), rule)) == {"BASE-GEN": 12, "SPEND": 30}


def golden(**kw) -> GoldenMinuteRule:
    return GoldenMinuteRule(
        id=6, code="GOLD", name="Golden minute", min_amount=D("300"), boost=x("2"),
        when=When(time_from=dt.time(12), time_to=dt.time(13), **kw),
    )


def test_golden_minute_window_end_is_exclusive():
    # given 12:00–13:00 x2, minimum 300 THB
    rules = (base("100"), golden())
    bill = (line(1, "500"),)
    # when / then
    assert run(basket(*bill, when=at(2025, 3, 10, 11, 59, 59)), gen(), *rules).member_points == 5
    assert run(basket(*bill, when=at(2025, 3, 10, 12, 0, 0)), gen(), *rules).member_points == 10
    assert run(basket(*bill, when=at(2025, 3, 10, 12, 59, 59)), gen(), *rules).member_points == 10
    assert run(basket(*bill, when=at(2025, 3, 10, 13, 0, 0)), gen(), *rules).member_points == 5
    assert run(basket(line(1, "299"), when=at(2025, 3, 10, 12, 30)), gen(), *rules).member_points == 2


def test_golden_minute_is_read_in_the_organization_time_zone():
    # given 05:30 UTC is 12:30 in Bangkok
    utc_noon = dt.datetime(2025, 3, 10, 5, 30, tzinfo=dt.UTC)
    # when / then
    assert run(basket(line(1, "500"), when=utc_noon), gen(), base("100"), golden()).member_points == 10


def test_golden_minute_on_weekdays_only():
    rule = golden(weekdays=frozenset({5, 6}))  # Saturday, Sunday
    monday, saturday = at(2025, 3, 10, 12, 30), at(2025, 3, 15, 12, 30)
    assert run(basket(line(1, "500"), when=monday), gen(), base("100"), rule).member_points == 5
    assert run(basket(line(1, "500"), when=saturday), gen(), base("100"), rule).member_points == 10


def test_birthday_day_and_month_and_29_february():
    day = BirthdayRule(id=7, code="BDAY", name="Birthday x2", period="day", boost=x("2"))
    month = BirthdayRule(id=8, code="BMONTH", name="Birth month +20", period="month", boost=plus(20))
    leapling = gen(birth_on=dt.date(2000, 2, 29))
    bill = (line(1, "1000"),)
    # 28 Feb 2025 (common year): the leapling celebrates; 1 March does not count
    assert points_by_code(run(basket(*bill, when=at(2025, 2, 28)), leapling, base("100"), day, month)) == {
        "BASE-GEN": 10, "BDAY": 10, "BMONTH": 20,
    }
    assert points_by_code(run(basket(*bill, when=at(2025, 3, 1)), leapling, base("100"), day, month)) == {"BASE-GEN": 10}
    # in a leap year the 28th is just a day of the birth month
    assert points_by_code(run(basket(*bill, when=at(2028, 2, 28)), leapling, base("100"), day, month)) == {
        "BASE-GEN": 10, "BMONTH": 20,
    }
    # VIP-only birthday rule does not reach GEN
    vip_only = BirthdayRule(id=9, code="BVIP", name="VIP", period="month", boost=x("3"), scope=Scope(member_types=frozenset({"VIP"})))
    assert run(basket(*bill, when=at(2025, 2, 10)), leapling, base("100"), vip_only).member_points == 10


def test_referral_bonus_goes_to_both_on_the_first_purchase():
    rule = ReferralRule(id=11, code="REF", name="Referral", member_points=50, referrer_points=100)
    new = gen(is_first_purchase=True, referred_by_member_id=77)
    # when
    result = run(basket(line(1, "300")), new, base("100"), rule)
    # then
    assert result.member_points == 3 + 50
    assert result.referrer_points == 100
    assert [a.beneficiary for a in result.awards] == [Beneficiary.MEMBER, Beneficiary.MEMBER, Beneficiary.REFERRER]
    # a second purchase, or an unreferred member, gets nothing extra
    assert run(basket(line(1, "300")), gen(referred_by_member_id=77), base("100"), rule).referrer_points == 0
    assert run(basket(line(1, "300")), gen(is_first_purchase=True), base("100"), rule).member_points == 3


def test_store_anniversary_every_year_and_a_one_off_date():
    rule = SpecialDateRule(id=12, code="ANNIV", name="Anniversary", dates=frozenset({"06-15", "2025-12-31"}), boost=x("2"))
    assert run(basket(line(1, "1000"), when=at(2026, 6, 15)), gen(), base("100"), rule).member_points == 20
    assert run(basket(line(1, "1000"), when=at(2025, 12, 31)), gen(), base("100"), rule).member_points == 20
    assert run(basket(line(1, "1000"), when=at(2026, 12, 31)), gen(), base("100"), rule).member_points == 10


def bag(code: str, priority: int = 0, **kw) -> Campaign:
    return Campaign(id=priority + 100, code=code, name=code, priority=priority, **kw)


def test_bag_declined_campaign_for_members_and_non_members():
    campaign = bag("NOBAG", bag_points=5, bag_percent=D("1"), donation_per_bag=D("1.00"), extra_discount=D("2.00"))
    # a member who declines the bag: 1% of 1,000 = 10 and +5
    member_result = run(basket(line(1, "1000"), bag_declined=True), gen(), base("100"), campaigns=(campaign,))
    assert points_by_code(member_result) == {"BASE-GEN": 10, "NOBAG": 15}
    assert member_result.extra_discount == D("2.00") and member_result.donation == 0
    # a member who takes a bag: no bag points
    assert run(basket(line(1, "1000")), gen(), base("100"), campaigns=(campaign,)).member_points == 10
    # a non-member who declines: 1 THB to the fund, no points
    walk_in = run(basket(line(1, "1000"), bag_declined=True), MemberContext(member_id=None), base("100"), campaigns=(campaign,))
    assert walk_in.member_points == 0 and walk_in.donation == D("1.00") and walk_in.extra_discount == 0


@pytest.mark.parametrize(
    ("limit", "fits", "other"),
    [
        ({"branches": frozenset({"B1"})}, ({}, {"branch_code": "B1"}), ({}, {"branch_code": "B2"})),
        ({"member_types": frozenset({"VIP"})}, ({"member_type": "VIP"}, {}), ({"member_type": "GEN"}, {})),
        ({"plans": frozenset({"PLAN-A"})}, ({}, {"campaign_plan": "PLAN-A"}), ({}, {"campaign_plan": "PLAN-B"})),
        ({"plans": frozenset({"PLAN-A"})}, ({}, {"campaign_plan": "PLAN-A"}), ({}, {})),
    ],
    ids=["branch", "member-type", "plan", "no-plan"],
)
def test_a_limited_bag_campaign_gives_nothing_outside_its_limit(limit, fits, other):
    # given a bag campaign (+5 points, 2 THB off, 1 THB donation) limited to one branch, type or plan
    campaign = bag("NOBAG", bag_points=5, extra_discount=D("2.00"), donation_per_bag=D("1.00"), **limit)

    def bill(member_kw, basket_kw, member_id=1):
        member = gen(member_id=member_id, **member_kw) if member_id else MemberContext(member_id=None, **member_kw)
        return run(basket(line(1, "100"), bag_declined=True, **basket_kw), member, campaigns=(campaign,))

    # when the bill is inside the limit, then the campaign applies
    inside = bill(*fits)
    assert points_by_code(inside) == {"NOBAG": 5} and inside.extra_discount == D("2.00")
    assert bill(*fits, member_id=None).donation == D("1.00")
    # when it is outside, then nothing: no points, no discount, no donation
    outside = bill(*other)
    assert outside.awards == () and outside.extra_discount == 0
    assert bill(*other, member_id=None).donation == 0


def test_a_bag_campaign_applies_only_within_its_dates():
    # given a bag campaign for March 2025 (the end is exclusive)
    campaign = bag("MARCH", bag_points=5, valid_from=at(2025, 3, 1, 0), valid_to=at(2025, 4, 1, 0))

    def points_on(when):
        return run(basket(line(1, "100"), bag_declined=True, when=when), gen(), campaigns=(campaign,)).member_points

    # when / then: its first and last moments count, the moments either side do not
    assert points_on(at(2025, 3, 1, 0)) == 5
    assert points_on(at(2025, 3, 31, 23, 59, 59)) == 5
    assert points_on(at(2025, 2, 28, 23, 59, 59)) == 0
    assert points_on(at(2025, 4, 1, 0)) == 0


def test_at_most_two_campaigns_combine_by_priority():
    a = bag("A", priority=30, bag_points=1, combinable=True)
    b = bag("B", priority=20, bag_points=2, combinable=False)
    c = bag("C", priority=10, bag_points=4, combinable=True)
    d = bag("D", priority=5, bag_points=8, combinable=True)
    bill = basket(line(1, "100"), bag_declined=True)
    # A (combinable) takes the next combinable one, C; B is not combinable and D would be a third
    assert points_by_code(run(bill, gen(), campaigns=(a, b, c, d))) == {"A": 1, "C": 4}
    # a non-combinable campaign on top applies alone
    top = bag("TOP", priority=99, bag_points=16)
    assert points_by_code(run(bill, gen(), campaigns=(a, b, c, d, top))) == {"TOP": 16}


def test_stacking_all_kinds_on_one_bill():
    # given a VIP at 12:30 on her birthday, 3,000 THB with 1,000 THB of beauty, bag declined
    rules = (
        base("20", types=("VIP",)),
        ProductRule(id=3, code="BEAUTY", name="Beauty x3", categories=frozenset({"BEAUTY"}), boost=x("3"), priority=50),
        spend(("2000", x("2")), ("3000", x("3")), priority=40),
        golden(),
        BirthdayRule(id=7, code="BDAY", name="Birthday", period="day", boost=plus(100)),
    )
    b = basket(
        line(1, "1000", category="BEAUTY"), line(2, "2000", category="FOOD"),
        when=at(2025, 5, 5, 12, 30), bag_declined=True,
    )
    vip = gen(member_type="VIP", birth_on=dt.date(1990, 5, 5))
    # when
    result = run(b, vip, *rules, campaigns=(bag("NOBAG", bag_points=5),))
    # then 150 base; beauty 50 × 2 = 100; ≥3,000 x3 adds 300; golden x2 adds 150; birthday +100; bag +5
    assert points_by_code(result) == {"BASE-VIP": 150, "BEAUTY": 100, "SPEND": 300, "GOLD": 150, "BDAY": 100, "NOBAG": 5}
    # base first, then priority high → low (equal priorities by code), campaigns last
    assert [a.rule_code for a in result.awards] == ["BASE-VIP", "BEAUTY", "SPEND", "BDAY", "GOLD", "NOBAG"]
    assert result.member_points == 805


def test_stop_further_acts_only_when_the_rule_fired():
    stopper = spend(("5000", x("2")), code="BIG", priority=90, stop_further=True)
    after = ThresholdRule(id=2, code="T100", name="≥100", min_amount=D("100"), points=7)
    # a 1,000 THB bill: the stopper did not fire, so the threshold still applies
    assert points_by_code(run(basket(line(1, "1000")), gen(), base("100"), stopper, after)) == {"BASE-GEN": 10, "T100": 7}
    # a 6,000 THB bill: the stopper fired, nothing after it
    assert points_by_code(run(basket(line(1, "6000")), gen(), base("100"), stopper, after)) == {"BASE-GEN": 60, "BIG": 60}


def test_scopes_branch_terminal_salesperson_document_plan_tier():
    rule = ThresholdRule(
        id=2, code="SCOPED", name="scoped", min_amount=D("1"), points=9,
        scope=Scope(
            tiers=frozenset({"GOLD"}), branches=frozenset({"B1"}), terminals=frozenset({"B1-T1"}),
            salespersons=frozenset({"S01"}), document_types=frozenset({"retail_receipt"}),
            campaign_plans=frozenset({"PLAN-A"}),
        ),
    )
    fits = dict(branch_code="B1", terminal_code="B1-T1", salesperson="S01", campaign_plan="PLAN-A")
    assert run(basket(line(1, "100"), **fits), gen(tier="GOLD"), rule).member_points == 9
    assert run(basket(line(1, "100"), **fits), gen(tier="SILVER"), rule).member_points == 0
    for key, other in (("branch_code", "B2"), ("terminal_code", "T9"), ("salesperson", "S02"), ("campaign_plan", "")):
        assert run(basket(line(1, "100"), **{**fits, key: other}), gen(tier="GOLD"), rule).member_points == 0
    assert run(basket(line(1, "100"), document_type="wholesale_delivery", **fits), gen(tier="GOLD"), rule).member_points == 0


def test_validity_period_end_is_exclusive():
    rule = ThresholdRule(
        id=2, code="MARCH", name="March", min_amount=D("1"), points=5,
        when=When(valid_from=at(2025, 3, 1, 0), valid_to=at(2025, 4, 1, 0)),
    )
    assert run(basket(line(1, "10"), when=at(2025, 3, 31, 23, 59, 59)), gen(), rule).member_points == 5
    assert run(basket(line(1, "10"), when=at(2025, 4, 1, 0)), gen(), rule).member_points == 0
    assert run(basket(line(1, "10"), when=at(2025, 2, 28, 23, 59, 59)), gen(), rule).member_points == 0


def test_a_return_recomputes_without_the_returned_lines():
    # given a 2,500 THB sale under ≥ 2,000 x2 and the 600 THB line comes back
    rules = (base("100"), spend(("2000", x("2"))))
    sale = run(basket(line(1, "1900"), line(2, "600"), when=at(2025, 3, 10)), gen(), *rules)
    after_return = run(basket(line(1, "1900"), when=at(2025, 3, 10)), gen(), *rules)
    # then the sale earned 25 + 25 = 50; without the line 19; the ledger reverses 31
    assert sale.member_points == 50
    assert after_return.member_points == 19
