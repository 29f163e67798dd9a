"""Properties of the engine that hold for any basket."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from sasom.earning.engine import EarnPolicy, Rounding, Scope, Step, When, compute
from sasom.earning.rules import (
    BirthdayRule,
    GoldenMinuteRule,
    ProductRule,
    RuleSet,
    SpendRule,
    ThresholdRule,
)

from .helpers import BKK, D, base, basket, extra_x, gen, line, plus, x

CATEGORIES = ["BEAUTY", "FOOD", "TV", "TOBACCO", ""]

money = st.decimals(min_value=D("0.01"), max_value=D("5000"), places=2)
lines_st = st.lists(
    st.tuples(money, st.decimals(min_value=D("0.001"), max_value=D("20"), places=3), st.sampled_from(CATEGORIES), st.integers(0, 50)),
    min_size=1, max_size=8,
)
moment = st.datetimes(min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2026, 12, 31)).map(lambda d: d.replace(tzinfo=BKK))
policy_st = st.builds(
    EarnPolicy,
    rounding=st.sampled_from([Rounding.BILL, Rounding.LINE]),
    base_includes_vat=st.booleans(),
    excluded_categories=st.sampled_from([frozenset(), frozenset({"TOBACCO"})]),
)

RULES = (
    base("25", types=("GEN",), id=1),
    base("20", types=("VIP",), id=2),
    ProductRule(id=3, code="BEAUTY", name="Beauty x3", categories=frozenset({"BEAUTY"}), boost=x("3"), priority=50),
    ProductRule(id=4, code="TV", name="TV extra x1.5", categories=frozenset({"TV"}), boost=extra_x("1.5")),
    SpendRule(id=5, code="STEPS", name="Steps", steps=(Step(D("2000"), x("2")), Step(D("3000"), x("3")))),
    GoldenMinuteRule(id=6, code="GOLD", name="Gold", boost=x("2"), when=When(time_from=dt.time(12), time_to=dt.time(13))),
    BirthdayRule(id=7, code="BM", name="BM", period="month", boost=plus(20)),
    ThresholdRule(id=8, code="T", name="T", min_amount=D("1000"), points=10, stop_further=True),
)


def make_basket(rows, when, bill_discount):
    return basket(
        *(line(i, str(price), qty=str(qty), category=cat, discount="0") for i, (price, qty, cat, _) in enumerate(rows, 1)),
        when=when, bill_discount=bill_discount,
    )


@settings(max_examples=150, deadline=None)
@given(rows=lines_st, when=moment, discount=st.decimals(min_value=0, max_value=1000, places=2), policy=policy_st,
       member_type=st.sampled_from(["GEN", "VIP", "STAFF"]))
def test_points_are_non_negative_ints_and_deterministic(rows, when, discount, policy, member_type):
    b = make_basket(rows, when, discount)
    member = gen(member_type=member_type, birth_on=dt.date(1990, 6, 1))
    rules = RuleSet(rules=RULES, policy=policy)
    first = compute(b, member, rules, tz=BKK)
    again = compute(b, member, RuleSet(rules=tuple(reversed(RULES)), policy=policy), tz=BKK)
    assert first == again
    assert all(isinstance(a.points, int) and a.points > 0 for a in first.awards)
    assert first.member_points >= 0 and first.eligible_net >= 0


@settings(max_examples=150, deadline=None)
@given(rows=lines_st, when=moment, discount=st.decimals(min_value=0, max_value=1000, places=2), policy=policy_st,
       drop=st.integers(min_value=0, max_value=7))
def test_removing_a_line_never_increases_base_points(rows, when, discount, policy, drop):
    rules = RuleSet(rules=RULES[:2], policy=policy)
    full = compute(make_basket(rows, when, discount), gen(), rules, tz=BKK)
    fewer_rows = [r for i, r in enumerate(rows) if i != drop % len(rows)]
    if not fewer_rows:
        return
    fewer = compute(make_basket(fewer_rows, when, discount), gen(), rules, tz=BKK)
    assert fewer.member_points <= full.member_points
    assert fewer.eligible_net <= full.eligible_net


unrelated_st = st.sampled_from([
    ProductRule(id=90, code="ZZ-SKU", name="other sku", skus=frozenset({"NOPE"}), boost=x("10")),
    ThresholdRule(id=91, code="ZZ-B9", name="other branch", min_amount=D("1"), points=99, scope=Scope(branches=frozenset({"B9"}))),
    ThresholdRule(id=92, code="ZZ-TYPE", name="other type", min_amount=D("1"), points=99, scope=Scope(member_types=frozenset({"EXEC"}))),
    SpendRule(id=93, code="ZZ-PLAN", name="other plan", steps=(Step(D("1"), x("5")),), scope=Scope(campaign_plans=frozenset({"P9"}))),
    base("1", types=("EXEC",), id=94, priority=1000),
])


@settings(max_examples=150, deadline=None)
@given(rows=lines_st, when=moment, policy=policy_st, extra=unrelated_st, member_type=st.sampled_from(["GEN", "VIP"]))
def test_an_unrelated_scope_rule_never_changes_the_result(rows, when, policy, extra, member_type):
    b = make_basket(rows, when, D("0"))
    member = gen(member_type=member_type)
    without = compute(b, member, RuleSet(rules=RULES, policy=policy), tz=BKK)
    with_extra = compute(b, member, RuleSet(rules=(*RULES, extra), policy=policy), tz=BKK)
    assert with_extra == without


def test_index_only_hands_back_rules_that_could_match():
    # given 2,000 product rules on distinct skus and 200 branch rules elsewhere
    rules = [ProductRule(id=i, code=f"P{i}", name="p", skus=frozenset({f"S{i}"}), boost=x("2")) for i in range(2000)]
    rules += [
        ThresholdRule(id=5000 + i, code=f"B{i}", name="b", min_amount=D("1"), points=1, scope=Scope(branches=frozenset({f"BR{i}"})))
        for i in range(200)
    ]
    ruleset = RuleSet(rules=[base("25"), *rules])
    b = basket(line(1, "100", sku="S7"), line(2, "100", sku="S8"), branch_code="BR3")
    # when
    candidates = ruleset.candidates(b, gen())
    # then only the base, two sku rules and one branch rule are looked at
    assert [r.code for r in candidates] == ["BASE-GEN", "B3", "P7", "P8"]
