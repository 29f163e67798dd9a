"""Each kind's parameters, exactly: what ``clean`` stores, what ``build`` makes of it, how ``explain``
sums it up, and every refusal with its field. Pure (no database): mutation testing runs these
(scripts/mutation.sh)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from sasom.core.errors import DomainError
from sasom.earning.arithmetic import Boost
from sasom.earning.conditions import Scope, When
from sasom.earning.kinds import KINDS, Kind, RuleHead, kinds_using
from sasom.earning.kinds._params import (
    RULE_PARAMS_INVALID,
    UNKNOWN_PARAMETER,
    boost_label,
    boost_param,
    codes_param,
    int_param,
    money_param,
)
from sasom.earning.kinds.spend import Step, parse_steps, steps_text
from sasom.earning.rules import (
    BaseRule,
    BirthdayRule,
    GoldenMinuteRule,
    ProductRule,
    ReferralRule,
    SpecialDateRule,
    SpendRule,
    ThresholdRule,
)

D = Decimal
# A head with nothing left at its default, so a builder that drops a part of it is seen.
SCOPE = Scope(branches=frozenset({"B1"}))
WHEN = When(weekdays=frozenset({0}))
HEAD = RuleHead(id=7, code="R7", name="Rule 7", priority=5, stop_further=True, scope=SCOPE, when=WHEN)
SAME = {"id": 7, "code": "R7", "name": "Rule 7", "priority": 5, "stop_further": True, "scope": SCOPE, "when": WHEN}

CASES = [
    (
        Kind.BASE, {"per_amount": "25", "points": "2"},
        {"per_amount": "25.00", "points": 2},
        BaseRule(**SAME, per_amount=D("25.00"), points=2),
        "25.00 = 2 pt",
    ),
    (
        Kind.THRESHOLD, {"min_amount": "1,500", "points": 50},
        {"min_amount": "1500.00", "points": 50},
        ThresholdRule(**SAME, min_amount=D("1500"), points=50),
        "≥ 1500.00: +50 pts",
    ),
    (
        Kind.PRODUCT,
        {"categories": "BEAUTY, FOOD", "skus": ["S2", "S1", "S1"], "brands": "ACME", "mode": "fixed", "value": "5",
         "per_quantity": True},
        {"skus": ["S1", "S2"], "categories": ["BEAUTY", "FOOD"], "brands": ["ACME"], "mode": "fixed", "value": "5",
         "per_quantity": True},
        ProductRule(**SAME, skus=frozenset({"S1", "S2"}), categories=frozenset({"BEAUTY", "FOOD"}),
                    brands=frozenset({"ACME"}), boost=Boost("fixed", D("5")), per_quantity=True),
        "S1, S2, BEAUTY, FOOD, ACME: +5 pts",
    ),
    (
        Kind.PRODUCT,  # per quantity only means something for fixed points
        {"brands": ["ACME"], "mode": "multiply", "value": "2", "per_quantity": True},
        {"skus": [], "categories": [], "brands": ["ACME"], "mode": "multiply", "value": "2", "per_quantity": False},
        ProductRule(**SAME, brands=frozenset({"ACME"}), boost=Boost("multiply", D("2")), per_quantity=False),
        "ACME: x2",
    ),
    (
        Kind.SPEND, {"steps": "3000 multiply 3\n\n2,000 extra_times 1.5"},
        {"steps": [{"min_amount": "2000.00", "mode": "extra_times", "value": "1.5"},
                   {"min_amount": "3000.00", "mode": "multiply", "value": "3"}]},
        SpendRule(**SAME, steps=(Step(D("2000"), Boost("extra_times", D("1.5"))), Step(D("3000"), Boost("multiply", D("3"))))),
        "≥ 2000.00 extra x1.5; ≥ 3000.00 x3",
    ),
    (
        Kind.GOLDEN_MINUTE, {"mode": "multiply", "value": "2.50", "min_amount": "100"},
        {"min_amount": "100.00", "mode": "multiply", "value": "2.5"},
        GoldenMinuteRule(**SAME, min_amount=D("100"), boost=Boost("multiply", D("2.5"))),
        "x2.5",
    ),
    (
        Kind.GOLDEN_MINUTE, {"mode": "fixed", "value": "1"},  # no minimum: any bill
        {"min_amount": "0.00", "mode": "fixed", "value": "1"},
        GoldenMinuteRule(**SAME, min_amount=D("0"), boost=Boost("fixed", D("1"))),
        "+1 pts",
    ),
    (
        Kind.THRESHOLD, {"min_amount": "0.01", "points": 1},  # the smallest of each
        {"min_amount": "0.01", "points": 1},
        ThresholdRule(**SAME, min_amount=D("0.01"), points=1),
        "≥ 0.01: +1 pts",
    ),
    (
        Kind.BIRTHDAY, {"mode": "fixed", "value": "100"},
        {"period": "day", "min_amount": "0.00", "mode": "fixed", "value": "100"},
        BirthdayRule(**SAME, period="day", min_amount=D("0"), boost=Boost("fixed", D("100"))),
        "day: +100 pts",
    ),
    (
        Kind.BIRTHDAY, {"period": "month", "mode": "extra_times", "value": "0.5", "min_amount": "200"},
        {"period": "month", "min_amount": "200.00", "mode": "extra_times", "value": "0.5"},
        BirthdayRule(**SAME, period="month", min_amount=D("200"), boost=Boost("extra_times", D("0.5"))),
        "month: extra x0.5",
    ),
    (
        Kind.REFERRAL, {"member_points": 50, "referrer_points": "100", "min_amount": "300"},
        {"member_points": 50, "referrer_points": 100, "min_amount": "300.00"},
        ReferralRule(**SAME, member_points=50, referrer_points=100, min_amount=D("300")),
        "new member +50, referrer +100",
    ),
    (
        Kind.REFERRAL, {"member_points": 5},
        {"member_points": 5, "referrer_points": 0, "min_amount": "0.00"},
        ReferralRule(**SAME, member_points=5, referrer_points=0, min_amount=D("0")),
        "new member +5, referrer +0",
    ),
    (
        Kind.REFERRAL, {"referrer_points": 20},
        {"member_points": 0, "referrer_points": 20, "min_amount": "0.00"},
        ReferralRule(**SAME, member_points=0, referrer_points=20, min_amount=D("0")),
        "new member +0, referrer +20",
    ),
    (
        Kind.SPECIAL_DATE, {"dates": "2025-12-31, 06-15", "mode": "extra_times", "value": "1", "min_amount": "50"},
        {"dates": ["06-15", "2025-12-31"], "min_amount": "50.00", "mode": "extra_times", "value": "1"},
        SpecialDateRule(**SAME, dates=frozenset({"06-15", "2025-12-31"}), min_amount=D("50"),
                        boost=Boost("extra_times", D("1"))),
        "06-15, 2025-12-31: extra x1",
    ),
]


@pytest.mark.parametrize(("code", "raw", "stored", "rule", "summary"), CASES)
def test_a_kind_stores_builds_and_sums_up_its_parameters_exactly(code, raw, stored, rule, summary):
    kind = KINDS[code]
    # when the raw parameters (a form, the API) are cleaned
    cleaned = kind.clean(raw)
    # then exactly these are stored, the engine object is exactly this rule, and the summary reads so
    assert cleaned == stored
    assert kind.build(HEAD, cleaned) == rule
    assert kind.explain(cleaned) == summary


@pytest.mark.parametrize(
    ("code", "raw", "field", "message"),
    [
        (Kind.BASE, {"per_amount": "0", "points": 1}, "per_amount", "per_amount must be more than 0"),
        (Kind.BASE, {"per_amount": "25", "points": 0}, "points", "points must be between 1 and 10,000,000"),
        (Kind.THRESHOLD, {"points": 5}, "min_amount", "min_amount is required"),
        (Kind.THRESHOLD, {"min_amount": "0", "points": 5}, "min_amount", "min_amount must be more than 0"),
        (Kind.THRESHOLD, {"min_amount": "100", "points": 0}, "points", "points must be between 1 and 10,000,000"),
        (Kind.GOLDEN_MINUTE, {"min_amount": "-1", "mode": "fixed", "value": "5"}, "min_amount", "min_amount must be at least 0"),
        (Kind.PRODUCT, {"mode": "fixed", "value": "5"}, "categories", "name at least one sku, category or brand"),
        (Kind.PRODUCT, {"skus": "A", "mode": "double", "value": "2"}, "mode", "mode must be multiply, extra_times or fixed"),
        (Kind.SPEND, {"steps": []}, "steps", "add at least one step"),
        (Kind.SPEND, {"steps": "2000 multiply 2\n3000 x3"}, "steps", "line 2: write 'amount mode value', e.g. '2000 multiply 2'"),
        (Kind.SPEND, {"steps": "2000 multiply 2\n2,000.00 fixed 5"}, "steps", "two steps have the same minimum amount"),
        (Kind.SPEND, {"steps": "2000 multiply 1"}, "steps",
         "step ≥ 2000.00: a multiplier must be more than 1 (x2 doubles the base points)"),
        (Kind.SPEND, {"steps": "0 fixed 5"}, "min_amount", "min_amount must be more than 0"),
        (Kind.BIRTHDAY, {"period": "week", "mode": "fixed", "value": "5"}, "period", "period must be day or month"),
        (Kind.REFERRAL, {"member_points": 0, "referrer_points": 0}, "member_points",
         "give points to the new member, the referrer or both"),
        (Kind.SPECIAL_DATE, {"dates": "", "mode": "fixed", "value": "5"}, "dates",
         "add at least one date (MM-DD every year, or YYYY-MM-DD)"),
        (Kind.SPECIAL_DATE, {"dates": "02-30", "mode": "fixed", "value": "5"}, "dates", "02-30 is not a date (MM-DD or YYYY-MM-DD)"),
        (Kind.SPECIAL_DATE, {"dates": "2026-13-01", "mode": "fixed", "value": "5"}, "dates",
         "2026-13-01 is not a date (MM-DD or YYYY-MM-DD)"),
        (Kind.SPECIAL_DATE, {"dates": "6-15", "mode": "fixed", "value": "5"}, "dates", "6-15 is not a date (MM-DD or YYYY-MM-DD)"),
    ],
)
def test_a_kind_refuses_bad_parameters_naming_the_field(code, raw, field, message):
    with pytest.raises(DomainError) as refused:
        KINDS[code].clean(raw)
    assert (refused.value.code, refused.value.field, refused.value.message) == (RULE_PARAMS_INVALID, field, message)


def test_a_leap_day_is_a_special_date_every_year():
    assert KINDS[Kind.SPECIAL_DATE].clean({"dates": "02-29", "mode": "fixed", "value": "5"})["dates"] == ["02-29"]


def test_an_unknown_key_in_a_spend_step_is_named():
    steps = [{"min_amount": "2000", "mode": "multiply", "value": "2"}, {"min_amount": "3000", "mode": "fixed", "value": "5", "zeta": 1, "alpha": 2}]
    with pytest.raises(DomainError) as refused:
        KINDS[Kind.SPEND].clean({"steps": steps})
    assert (refused.value.code, refused.value.field) == (UNKNOWN_PARAMETER, "steps")
    assert refused.value.message == "step 2: 'alpha' is not a step parameter (a step takes min_amount, mode and value)"


def test_steps_are_read_from_and_written_to_text_one_per_line():
    rows = parse_steps("3000 multiply 3\n\n  2,000 extra_times 1.5  \n")
    assert rows == [{"min_amount": "3000", "mode": "multiply", "value": "3"},
                    {"min_amount": "2000", "mode": "extra_times", "value": "1.5"}]
    assert steps_text(rows) == "3000 multiply 3\n2000 extra_times 1.5"
    assert parse_steps("") == []
    with pytest.raises(DomainError) as refused:
        parse_steps("2000 multiply")
    assert refused.value.message == "line 1: write 'amount mode value', e.g. '2000 multiply 2'"


# --- the shared parameter parsers ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "kw", "stored"),
    [
        ({"x": " 1,500.5 "}, {}, "1500.50"),
        ({"x": 0}, {}, "0.00"),
        ({"x": ""}, {"default": "7"}, "7.00"),
        ({}, {"default": "7"}, "7.00"),
        ({"x": None}, {"default": "7"}, "7.00"),
        ({"x": "0.01"}, {"strict": True}, "0.01"),
        ({"x": "5"}, {"minimum": D("5")}, "5.00"),
    ],
)
def test_money_parameters_are_stored_with_two_decimals(raw, kw, stored):
    assert money_param(raw, "x", **kw) == stored


@pytest.mark.parametrize(
    ("raw", "kw", "message"),
    [
        ({}, {}, "x is required"),
        ({"x": ""}, {}, "x is required"),
        ({"x": "ten"}, {}, "x must be an amount"),
        ({"x": "-1"}, {}, "x must be at least 0"),
        ({"x": "0"}, {"strict": True}, "x must be more than 0"),
        ({"x": "4.99"}, {"minimum": D("5")}, "x must be at least 5"),
        ({"x": "Infinity"}, {}, "x must be at least 0"),
        ({"x": "NaN"}, {}, "x must be at least 0"),
        ({"x": "1.234"}, {}, "x has at most two decimals"),
    ],
)
def test_money_parameters_refused(raw, kw, message):
    with pytest.raises(DomainError) as refused:
        money_param(raw, "x", **kw)
    assert (refused.value.code, refused.value.field, refused.value.message) == (RULE_PARAMS_INVALID, "x", message)


def test_whole_number_parameters():
    assert int_param({"n": " 7 "}, "n") == 7
    assert int_param({"n": ""}, "n", default=3) == 3
    assert int_param({}, "n", default=3) == 3
    assert int_param({"n": 10_000_000}, "n") == 10_000_000
    assert int_param({"n": 2}, "n", minimum=2) == 2
    for raw, kw, message in [
        ({"n": "1.5"}, {}, "n must be a whole number"),
        ({}, {}, "n must be a whole number"),
        ({"n": 10_000_001}, {}, "n must be between 0 and 10,000,000"),
        ({"n": 1}, {"minimum": 2}, "n must be between 2 and 10,000,000"),
    ]:
        with pytest.raises(DomainError) as refused:
            int_param(raw, "n", **kw)
        assert (refused.value.field, refused.value.message) == ("n", message)


def test_code_lists_are_trimmed_deduplicated_and_sorted():
    assert codes_param({"c": "B, A,,A , "}, "c") == ["A", "B"]
    assert codes_param({"c": [" B", "A", 3]}, "c") == ["3", "A", "B"]
    assert codes_param({"c": None}, "c") == codes_param({}, "c") == []


def test_boost_parameters():
    assert boost_param({"mode": "fixed", "value": "20"}) == {"mode": "fixed", "value": "20"}
    assert boost_param({"mode": "multiply", "value": "2.50"}) == {"mode": "multiply", "value": "2.5"}
    # a whole multiplier is stored in plain digits, not as "1E+2"
    assert boost_param({"mode": "multiply", "value": "100"}) == {"mode": "multiply", "value": "100"}
    assert boost_param({"mode": "extra_times", "value": "10.00"}) == {"mode": "extra_times", "value": "10"}
    assert boost_param({"mode": "extra_times", "value": "0.5"}) == {"mode": "extra_times", "value": "0.5"}
    assert boost_param({"s_mode": "fixed", "s_value": "1"}, "s_") == {"mode": "fixed", "value": "1"}
    for raw, field, message in [
        ({"value": "2"}, "mode", "mode must be multiply, extra_times or fixed"),
        ({"mode": "fixed", "value": "0"}, "value", "value must be between 1 and 10,000,000"),
        ({"mode": "multiply", "value": "1"}, "value", "a multiplier must be more than 1 (x2 doubles the base points)"),
        ({"mode": "extra_times", "value": "100.01"}, "value", "a multiplier must be at most 100"),
        ({"mode": "extra_times", "value": "0"}, "value", "value must be more than 0"),
    ]:
        with pytest.raises(DomainError) as refused:
            boost_param(raw)
        assert (refused.value.field, refused.value.message) == (field, message)


def test_boost_labels_of_incomplete_parameters():
    assert boost_label({}) == "+0 pts"
    assert boost_label({"mode": "multiply"}) == "x0"
    assert boost_label({"mode": "extra_times", "value": "1.5"}) == "extra x1.5"


def test_summaries_of_incomplete_parameters():
    # a list shows stored rules whatever they hold
    assert KINDS[Kind.SPECIAL_DATE].explain({"mode": "fixed", "value": "5"}) == ": +5 pts"
    assert KINDS[Kind.PRODUCT].explain({"mode": "fixed", "value": "5"}) == ": +5 pts"
    assert KINDS[Kind.SPEND].explain({}) == ""


def test_which_kinds_take_a_parameter():
    # (kinds_using has no caller in the source today; it is exported by the registry)
    assert kinds_using("per_amount") == [Kind.BASE]
    assert set(kinds_using("min_amount")) == {
        Kind.THRESHOLD, Kind.GOLDEN_MINUTE, Kind.BIRTHDAY, Kind.REFERRAL, Kind.SPECIAL_DATE}
    assert kinds_using("colour") == []


def test_a_product_rule_without_a_boost_multiplies_by_one():
    assert ProductRule(id=1, code="P", name="P").boost == Boost("multiply", D("1"))


def test_a_scope_sums_itself_up_by_dimension():
    scope = Scope(member_types=frozenset({"VIP", "GOLD"}), branches=frozenset({"B1"}), campaign_plans=frozenset({"P"}))
    assert scope.summary() == "member_types: GOLD, VIP; branches: B1; campaign_plans: P"
    assert Scope().summary() == ""


def test_a_when_window_over_midnight():
    night = When(time_from=dt.time(22), time_to=dt.time(2))
    at = dt.datetime(2026, 3, 2, 23, 30, tzinfo=dt.UTC)
    assert night.matches(at, at)
    assert night.matches(at.replace(hour=1, minute=59), at.replace(hour=1, minute=59))
    assert night.matches(at.replace(hour=22, minute=0), at.replace(hour=22, minute=0))  # from 22:00 itself
    assert not night.matches(at.replace(hour=2, minute=0), at.replace(hour=2, minute=0))
    assert not night.matches(at.replace(hour=21, minute=59), at.replace(hour=21, minute=59))
