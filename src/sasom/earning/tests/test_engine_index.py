"""The rule set's index (earning/index.py) changes nothing but the work: random rule sets and
baskets give the same result (points, explanations, order) as an engine that looks at every rule."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sasom.earning.engine import Scope, Step, When, compute
from sasom.earning.index import RuleIndex, could_match_at
from sasom.earning.rules import (
    BirthdayRule,
    GoldenMinuteRule,
    ProductRule,
    RuleSet,
    SpendRule,
    ThresholdRule,
)

from .helpers import BKK, D, base, basket, extra_x, gen, line, plus, x


class ScanIndex(RuleIndex):
    """Every rule is a candidate, no lines handed over: the engine before any index."""

    def candidates(self, basket, member, local=None):
        return [(p, rule, None) for p, rule in enumerate(self.rules)]


def scanning(ruleset: RuleSet) -> RuleSet:
    scan = RuleSet(rules=ruleset.rules, campaigns=ruleset.campaigns, policy=ruleset.policy, currency=ruleset.currency)
    scan.index = ScanIndex(scan.rules)
    return scan


SKUS = ["S1", "S2", "S3", "S4", "S5"]
CATS = ["", "BEAUTY", "FOOD", "TV"]
BRANDS = ["", "B-A", "B-B"]
BRANCHES = ["", "B1", "B2"]
TYPES = ["GEN", "VIP", "EXEC"]
codes = st.frozensets
small = {"max_size": 2}
hours = st.builds(dt.time, st.integers(0, 23), st.sampled_from([0, 15, 30, 59]))
when_st = st.builds(
    When,
    weekdays=codes(st.integers(0, 6), max_size=3),
    days_of_month=codes(st.integers(1, 31), max_size=2) | st.just(frozenset()),
    time_from=st.none() | hours,
    time_to=st.none() | hours,
    valid_from=st.none() | st.just(dt.datetime(2025, 6, 1, tzinfo=BKK)),
)
scope_st = st.builds(
    Scope,
    member_types=codes(st.sampled_from(TYPES), **small),
    branches=codes(st.sampled_from(BRANCHES[1:]), **small),
    tiers=codes(st.sampled_from(["GOLD"]), max_size=1),
)
boost_st = st.sampled_from([x("2"), x("1.5"), extra_x("3"), plus(7)])


@st.composite
def rule_st(draw, n):
    kind = draw(st.sampled_from(["product", "product", "product", "threshold", "spend", "golden", "birthday", "base"]))
    head = {"id": n, "code": f"R{n:03d}", "name": f"rule {n}", "priority": draw(st.integers(0, 3)),
            "stop_further": draw(st.booleans()) and draw(st.booleans()), "scope": draw(scope_st), "when": draw(when_st)}
    if kind == "product":
        return ProductRule(**head, skus=draw(codes(st.sampled_from(SKUS), **small)),
                           categories=draw(codes(st.sampled_from(CATS[1:]), **small)),
                           brands=draw(codes(st.sampled_from(BRANDS[1:]), max_size=1)), boost=draw(boost_st),
                           per_quantity=draw(st.booleans()))
    if kind == "threshold":
        return ThresholdRule(**head, min_amount=D(draw(st.sampled_from(["0", "100", "900"]))), points=draw(st.integers(1, 9)))
    if kind == "spend":
        return SpendRule(**head, steps=(Step(D("300"), x("2")), Step(D("800"), extra_x("1"))))
    if kind == "golden":
        head["when"] = When(time_from=draw(hours), time_to=draw(hours), weekdays=draw(codes(st.integers(0, 6), max_size=2)))
        return GoldenMinuteRule(**head, boost=draw(boost_st))
    if kind == "birthday":
        return BirthdayRule(**head, period="month", boost=draw(boost_st))
    head.pop("scope")
    head.pop("name")
    return base(draw(st.sampled_from(["20", "25", "100"])), types=draw(st.sampled_from([("GEN",), ("VIP",), ()])), **head)


rules_st = st.integers(0, 14).flatmap(lambda k: st.tuples(*(rule_st(n) for n in range(1, k + 1))))
lines_st = st.lists(
    st.tuples(st.sampled_from(SKUS + ["S9"]), st.sampled_from(CATS), st.sampled_from(BRANDS),
              st.decimals(min_value=D("0.01"), max_value=D("900"), places=2), st.sampled_from(["1", "2", "0.5"]),
              st.sampled_from(["0", "0", "5.00"])),
    min_size=1, max_size=6,
)
moment = st.datetimes(min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2026, 12, 31)).map(lambda d: d.replace(tzinfo=BKK))


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(rules=rules_st, rows=lines_st, when=moment, branch=st.sampled_from(BRANCHES), member_type=st.sampled_from(TYPES),
       tier=st.sampled_from(["", "GOLD"]), bill_discount=st.sampled_from([D("0"), D("0"), D("30")]))
def test_the_index_gives_what_a_scan_of_every_rule_gives(rules, rows, when, branch, member_type, tier, bill_discount):
    # given a random rule set and a random basket
    b = basket(*(line(i, str(price), sku=sku, category=cat, brand=brand, qty=qty, discount=disc)
                 for i, (sku, cat, brand, price, qty, disc) in enumerate(rows, 1)),
               when=when, branch_code=branch, bill_discount=bill_discount)
    member = gen(member_type=member_type, tier=tier, birth_on=dt.date(1990, when.month, 1))
    ruleset = RuleSet(rules=rules)
    # when the indexed engine and the scanning one compute it
    indexed = compute(b, member, ruleset, tz=BKK)
    scanned = compute(b, member, scanning(ruleset), tz=BKK)
    # then the awards, their explanations and their order are the same
    assert indexed == scanned


def test_unscoped_rules_are_left_out_only_at_weekdays_and_hours_they_cannot_match():
    # given a weekend rule, a 22:00-02:00 window and a 12:00-13:00 window
    weekend = When(weekdays=frozenset({5, 6}))
    night = When(time_from=dt.time(22), time_to=dt.time(2))
    noon = When(time_from=dt.time(12), time_to=dt.time(13))
    # then each is kept wherever some minute of the hour can match it
    assert [could_match_at(weekend, d, 10) for d in range(7)] == [False] * 5 + [True] * 2
    assert [h for h in range(24) if could_match_at(night, 0, h)] == [0, 1, 22, 23]
    assert [h for h in range(24) if could_match_at(noon, 2, h)] == [12]
    assert could_match_at(When(time_from=dt.time(12, 59), time_to=dt.time(13, 1)), 0, 13)


def test_two_thousand_rules_that_cannot_apply_are_not_candidates():
    # given 200 weekend rules, 200 evening windows, 200 other products and the base
    rules = [ThresholdRule(id=i, code=f"W{i}", name="w", min_amount=D("1"), points=1, when=When(weekdays=frozenset({6})))
             for i in range(200)]
    rules += [GoldenMinuteRule(id=300 + i, code=f"G{i}", name="g", boost=x("2"),
                               when=When(time_from=dt.time(18), time_to=dt.time(19))) for i in range(200)]
    rules += [ProductRule(id=600 + i, code=f"P{i}", name="p", skus=frozenset({f"U{i}"}), boost=x("2")) for i in range(200)]
    ruleset = RuleSet(rules=[base("25"), *rules, ProductRule(id=999, code="P-S1", name="s1", skus=frozenset({"S1"}),
                                                             categories=frozenset({"TV"}), boost=x("2"))])
    # a Wednesday at 12:30, one line hitting P-S1 by its sku and its category, one not
    b = basket(line(1, "100", sku="S1", category="TV"), line(2, "100", sku="S2"), when=dt.datetime(2026, 3, 4, 12, 30, tzinfo=BKK))
    # when
    found = ruleset.index.candidates(b, gen(), b.occurred_at)
    # then only the base and P-S1 are looked at, P-S1 with its one line once
    assert [(r.code, hits) for _, r, hits in found] == [("BASE-GEN", None), ("P-S1", (0,))]
