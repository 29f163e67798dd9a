"""The bill's two paths (whole cents, and exact fractions once a bill-level discount is shared out)
at their edges, campaigns that add up, scopes on every dimension, the index and the rate caches.
Pure; mutation testing runs these (scripts/mutation.sh)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal
from fractions import Fraction

import pytest

from sasom.earning import arithmetic
from sasom.earning.arithmetic import fraction_of, rate_of
from sasom.earning.engine import Campaign, EarnPolicy, MemberContext, RuleSet, Scope, When, compute
from sasom.earning.rules import GoldenMinuteRule, ThresholdRule

from .helpers import BKK, D, at, base, basket, gen, line, run, x

PER_SATANG = base("0.01")  # 1 point a satang: the points show every satang of the base
NO_TOBACCO = EarnPolicy(excluded_categories=frozenset({"TOBACCO"}))


def net_and_lines(result):
    (award,) = [a for a in result.awards if a.kind == "base"] or [None]
    return result.eligible_net, (award.line_nos if award else ())


@pytest.mark.parametrize(
    ("lines", "kw", "net", "line_nos"),
    [
        # whole cents: a line discount, one larger than its line, one of three places (exact path)
        ([line(1, "600", qty="2", discount="100")], {}, "1100.00", (1,)),
        ([line(1, "50", discount="80"), line(2, "100")], {}, "100.00", (2,)),
        ([line(1, "100", discount="0.127")], {}, "99.87", (1,)),
        # an excluded line and a line of one satang
        ([line(1, "100", category="FOOD"), line(2, "100", category="TOBACCO")], {}, "100.00", (1,)),
        ([line(1, "0.01"), line(2, "100")], {}, "100.01", (1, 2)),
        # exact path (a bill discount shared by amount): the same edges
        ([line(1, "100", category="FOOD"), line(2, "100", category="TOBACCO")], {"bill_discount": D("20")}, "90.00", (1,)),
        ([line(1, "50", discount="80"), line(2, "100")], {"bill_discount": D("10")}, "90.00", (2,)),
        ([line(1, "0.50"), line(2, "100")], {"bill_discount": D("0.10")}, "100.40", (1, 2)),
        ([line(1, "0.50")], {"bill_discount": D("0.10")}, "0.40", (1,)),
        ([line(1, "0")], {"bill_discount": D("5")}, "0.00", ()),
    ],
)
def test_the_base_counts_each_line_at_its_edges(lines, kw, net, line_nos):
    result = run(basket(*lines, **kw), gen(), PER_SATANG, policy=NO_TOBACCO)
    assert net_and_lines(result) == (D(net), line_nos)
    assert result.member_points == int(D(net) * 100)


def test_a_bill_promotion_needs_a_base_rule():
    golden = GoldenMinuteRule(id=6, code="G", name="Golden", boost=x("2"), when=When(time_from=dt.time(12), time_to=dt.time(13)))
    assert run(basket(line(1, "1000"), when=at(2025, 5, 20, 12, 30)), gen(), golden).awards == ()


def test_times_are_read_in_the_organizations_time_zone():
    # 12:30 in Bangkok is 14:30 in Tokyo: a Tokyo shop's 14:00-15:00 golden minute
    golden = GoldenMinuteRule(id=6, code="G", name="Golden", boost=x("2"), when=When(time_from=dt.time(14), time_to=dt.time(15)))
    b = basket(line(1, "1000"), when=at(2025, 5, 20, 12, 30))
    rules = RuleSet(rules=(base("100"), golden))
    assert compute(b, gen(), rules, tz=zoneinfo.ZoneInfo("Asia/Tokyo")).member_points == 20
    assert compute(b, gen(), rules, tz=BKK).member_points == 10


def test_a_naive_time_is_refused_with_its_reason():
    with pytest.raises(ValueError, match="^basket.occurred_at must be timezone-aware$"):
        run(basket(line(1, "10"), when=dt.datetime(2025, 5, 20, 12)), gen(), base("100"))


def test_two_combinable_campaigns_add_up():
    a = Campaign(id=1, code="A", name="A", priority=2, combinable=True, donation_per_bag=D("1.00"), extra_discount=D("2.00"))
    b = Campaign(id=2, code="B", name="B", priority=1, combinable=True, donation_per_bag=D("0.50"), extra_discount=D("3.00"))
    bill = basket(line(1, "100"), bag_declined=True)
    assert run(bill, MemberContext(member_id=None), campaigns=(a, b)).donation == D("1.50")
    assert run(bill, gen(), campaigns=(a, b)).extra_discount == D("5.00")


@pytest.mark.parametrize(
    ("scope", "fits", "other"),
    [
        (Scope(terminals=frozenset({"T1"})), {"terminal_code": "T1"}, {"terminal_code": "T2"}),
        (Scope(salespersons=frozenset({"S1"})), {"salesperson": "S1"}, {"salesperson": "S2"}),
        (Scope(document_types=frozenset({"tax_invoice"})), {"document_type": "tax_invoice"}, {}),
        (Scope(campaign_plans=frozenset({"P1"})), {"campaign_plan": "P1"}, {"campaign_plan": "P2"}),
    ],
)
def test_a_rule_scoped_by_one_dimension_is_found_by_it(scope, fits, other):
    rule = ThresholdRule(id=2, code="ONE", name="one", min_amount=D("1"), points=9, scope=scope)
    assert run(basket(line(1, "100"), **fits), gen(), rule).member_points == 9
    assert run(basket(line(1, "100"), **other), gen(), rule).member_points == 0


def test_a_rule_applies_from_the_first_moment_of_its_period():
    rule = ThresholdRule(id=2, code="MARCH", name="March", min_amount=D("1"), points=5,
                         when=When(valid_from=at(2025, 3, 1, 0), valid_to=at(2025, 4, 1, 0)))
    assert run(basket(line(1, "10"), when=at(2025, 3, 1, 0)), gen(), rule).member_points == 5


def test_a_rule_set_keeps_its_version():
    assert RuleSet().version == 0 and RuleSet(version=7).version == 7


def test_rates_and_fractions_are_exact_the_first_time_and_the_next(monkeypatch):
    # given empty caches (other tests fill them in this process)
    monkeypatch.setattr(arithmetic, "_RATES", {})
    arithmetic.fraction_of.cache_clear()
    rule = base("37.37", points=3)
    assert rate_of(rule) == Fraction(300, 3737) == rate_of(rule)
    assert fraction_of(Decimal("12.3457")) == Fraction(123457, 10000) == fraction_of(Decimal("12.3457"))
