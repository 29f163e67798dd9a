"""Compiled earning rules: pure Python, no ORM.

Configuration rows are compiled into these frozen objects once per organization
(:func:`sasom.earning.selectors.ruleset_for`) and a :class:`RuleSet` indexes them by scope, so a
basket only looks at the rules that could match it (product rules by sku/category/brand, the others
by their most selective scope dimension).

Arithmetic (decided in docs/points.md):

* money is rounded in one place, :func:`money` (2 places, half up); everything before it is exact
  (``Fraction``), so no float ever touches a point;
* points are floored once per bill (default) or once per line (``EarnPolicy.rounding = "line"``);
* award modes: ``multiply`` "x m" makes the matched base points m times as large (the award adds
  base × (m − 1)); ``extra_times`` "extra x m" adds base × m on top of the base; ``fixed`` adds points.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import ClassVar

from sasom.core.money import money
from sasom.earning.domain import Award, Basket, BasketLine, Beneficiary, MemberContext

ZERO = Decimal("0")


class Kind:
    BASE = "base"
    THRESHOLD = "threshold"
    PRODUCT = "product"
    SPEND = "spend"
    GOLDEN_MINUTE = "golden_minute"
    BIRTHDAY = "birthday"
    REFERRAL = "referral"
    SPECIAL_DATE = "special_date"
    CAMPAIGN_BAG = "campaign_bag"


class Mode:
    MULTIPLY = "multiply"  # "x m": total m × base, the award is base × (m − 1)
    EXTRA_TIMES = "extra_times"  # "extra x m": the award is base × m on top of the base
    FIXED = "fixed"  # "+ P points"


class Rounding:
    BILL = "bill"
    LINE = "line"


def fmt_money(value: Decimal) -> str:
    return f"{value:,.2f}"


def fmt_points(value: Fraction | int) -> str:
    value = Fraction(value)
    if value.denominator == 1:
        return f"{value.numerator:,}"
    shown = money(value)
    return f"{shown:,.2f}".rstrip("0").rstrip(".")


def fmt_decimal(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


# --- conditions -------------------------------------------------------------------------------

DIMENSIONS = (
    "member_types",
    "tiers",
    "branches",
    "terminals",
    "salespersons",
    "document_types",
    "campaign_plans",
)


@dataclass(frozen=True, slots=True)
class Scope:
    """Who and where a rule applies; an empty set means "any"."""

    member_types: frozenset[str] = frozenset()
    tiers: frozenset[str] = frozenset()
    branches: frozenset[str] = frozenset()
    terminals: frozenset[str] = frozenset()
    salespersons: frozenset[str] = frozenset()
    document_types: frozenset[str] = frozenset()
    campaign_plans: frozenset[str] = frozenset()

    def matches(self, basket: Basket, member: MemberContext) -> bool:
        return (
            (not self.member_types or member.member_type in self.member_types)
            and (not self.tiers or member.tier in self.tiers)
            and (not self.branches or basket.branch_code in self.branches)
            and (not self.terminals or basket.terminal_code in self.terminals)
            and (not self.salespersons or basket.salesperson in self.salespersons)
            and (not self.document_types or basket.document_type in self.document_types)
            and (not self.campaign_plans or basket.campaign_plan in self.campaign_plans)
        )

    def anchor_keys(self) -> tuple[tuple[str, str], ...]:
        """Index keys on the most selective non-empty dimension; ``()`` when unscoped."""
        best: tuple[str, frozenset[str]] | None = None
        for name in DIMENSIONS:
            values = getattr(self, name)
            if values and (best is None or len(values) < len(best[1])):
                best = (name, values)
        if best is None:
            return ()
        return tuple((best[0], v) for v in sorted(best[1]))

    def summary(self) -> str:
        parts = [f"{name}: {', '.join(sorted(getattr(self, name)))}" for name in DIMENSIONS if getattr(self, name)]
        return "; ".join(parts)


def basket_keys(basket: Basket, member: MemberContext) -> tuple[tuple[str, str], ...]:
    return (
        ("member_types", member.member_type),
        ("tiers", member.tier),
        ("branches", basket.branch_code),
        ("terminals", basket.terminal_code),
        ("salespersons", basket.salesperson),
        ("document_types", basket.document_type),
        ("campaign_plans", basket.campaign_plan),
    )


def in_window(at: dt.time, start: dt.time, end: dt.time) -> bool:
    """Start inclusive, end exclusive; a window over midnight (22:00–02:00) wraps."""
    if start < end:
        return start <= at < end
    return at >= start or at < end


@dataclass(frozen=True, slots=True)
class When:
    """When a rule applies. ``valid_to`` and ``time_to`` are exclusive; weekdays 0 = Monday.

    Weekdays, days of month and the daily window are read in the organization's time zone.
    """

    valid_from: dt.datetime | None = None
    valid_to: dt.datetime | None = None
    weekdays: frozenset[int] = frozenset()
    days_of_month: frozenset[int] = frozenset()
    time_from: dt.time | None = None
    time_to: dt.time | None = None

    def matches(self, at: dt.datetime, local: dt.datetime) -> bool:
        if self.valid_from is not None and at < self.valid_from:
            return False
        if self.valid_to is not None and at >= self.valid_to:
            return False
        if self.weekdays and local.weekday() not in self.weekdays:
            return False
        if self.days_of_month and local.day not in self.days_of_month:
            return False
        if self.time_from is not None and self.time_to is not None:
            return in_window(local.time().replace(tzinfo=None), self.time_from, self.time_to)
        return True


@dataclass(frozen=True, slots=True)
class Boost:
    """How a promotion rewards: ``multiply`` / ``extra_times`` (``value`` = m) or ``fixed`` points."""

    mode: str
    value: Decimal

    def label(self) -> str:
        if self.mode == Mode.MULTIPLY:
            return f"x{fmt_decimal(self.value)}"
        if self.mode == Mode.EXTRA_TIMES:
            return f"extra x{fmt_decimal(self.value)}"
        return f"+{int(self.value)} pts"

    def apply(self, base: Fraction | int) -> tuple[int, str]:
        """Award points on ``base`` points, and the arithmetic in words."""
        m = fraction_of(self.value)
        if self.mode == Mode.MULTIPLY:
            points = math.floor(Fraction(base) * (m - 1))
            return points, f"{fmt_points(base)} base pts × ({fmt_decimal(self.value)} − 1) = {points} pts"
        if self.mode == Mode.EXTRA_TIMES:
            points = math.floor(Fraction(base) * m)
            return points, f"{fmt_points(base)} base pts × {fmt_decimal(self.value)} extra = {points} pts"
        points = int(self.value)
        return points, f"+{points} pts"

    @property
    def multiplier(self) -> Decimal | None:
        return None if self.mode == Mode.FIXED else self.value


# --- the bill as the rules see it -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EarnPolicy:
    """Per-organization arithmetic settings (``EarnSettings`` compiled)."""

    rounding: str = Rounding.BILL
    base_includes_vat: bool = True
    vat_rate: Decimal = Decimal("7")
    excluded_categories: frozenset[str] = frozenset()
    expired_card_earns: bool = False


class Bill:
    """A basket prepared once per compute: every line's eligible net (exact), the base rate chosen.

    Everything a rule asks of the basket (a set of lines' net, their base points) is computed once
    per ``compute`` and remembered, so the rules of a large rule set share the arithmetic. In the
    common case (no bill-level discount, prices with VAT) every line's eligible net is a whole
    number of cents and the sums run on integers; the result is the same exact value.
    """

    __slots__ = (
        "basket", "member", "local", "policy", "currency", "lines", "exact", "cents", "eligible_pos",
        "eligible_net", "base_rule", "base_points", "_net_of", "_base_of",
    )

    def __init__(self, basket: Basket, member: MemberContext, local: dt.datetime, policy: EarnPolicy, currency: str):
        self.basket = basket
        self.member = member
        self.local = local
        self.policy = policy
        self.currency = currency
        self.lines: tuple[BasketLine, ...] = basket.lines
        self._net_of: dict[tuple[int, ...], Decimal] = {}
        self._base_of: dict[tuple[int, ...], Fraction] = {}
        self.base_rule: BaseRule | None = None
        self.base_points = 0
        cents = _cents_of(basket, policy)
        self.cents = cents
        if cents is not None:
            self.exact = [Fraction(c, 100) for c in cents]
            self.eligible_pos = tuple(i for i, c in enumerate(cents) if c > 0)
            self.eligible_net = _money_cents(sum(cents))
            return
        nets = [
            max(Fraction(0), Fraction(money(line.quantity * line.unit_price)) - Fraction(line.discount))
            for line in basket.lines
        ]
        total = sum(nets, Fraction(0))
        bill_discount = Fraction(basket.bill_discount + basket.points_discount + basket.coupon_discount)
        factor = max(Fraction(0), 1 - bill_discount / total) if total > 0 else Fraction(0)
        vat = 1 + Fraction(policy.vat_rate) / 100
        exact: list[Fraction] = []
        for line, net in zip(basket.lines, nets, strict=True):
            value = net * factor
            if line.category and line.category in policy.excluded_categories:
                value = Fraction(0)
            elif not policy.base_includes_vat:
                value = value / vat
            exact.append(value)
        self.exact = exact
        self.eligible_pos = tuple(i for i, v in enumerate(exact) if v > 0)
        self.eligible_net = money(sum(exact, Fraction(0)))

    def net_of(self, positions: tuple[int, ...]) -> Decimal:
        done = self._net_of.get(positions)
        if done is None:
            if self.cents is not None:
                cents = self.cents
                done = _money_cents(sum(cents[i] for i in positions))
            else:
                done = money(sum((self.exact[i] for i in positions), Fraction(0)))
            self._net_of[positions] = done
        return done

    def line_nos(self, positions: tuple[int, ...]) -> tuple[int, ...]:
        return tuple(self.lines[i].line_no for i in positions)

    def base_of(self, positions: tuple[int, ...]) -> Fraction:
        """Base points of some lines: exact in per-bill rounding, floored per line otherwise."""
        rule = self.base_rule
        if rule is None:
            return Fraction(0)
        done = self._base_of.get(positions)
        if done is None:
            if self.policy.rounding == Rounding.LINE:
                done = Fraction(sum(self._line_points(i) for i in positions))
            else:
                done = Fraction(self.net_of(positions)) * rate_of(rule)
            self._base_of[positions] = done
        return done

    def _line_points(self, i: int) -> int:
        rule = self.base_rule
        assert rule is not None
        if self.cents is not None:
            return rule.points_on(_money_cents(self.cents[i]))
        return rule.points_on(money(self.exact[i]))

    def set_base(self, rule: BaseRule) -> None:
        self.base_rule = rule
        self._base_of.clear()
        if self.policy.rounding == Rounding.LINE:
            self.base_points = sum(self._line_points(i) for i in self.eligible_pos)
        else:
            self.base_points = rule.points_on(self.eligible_net)


def _money_cents(cents: int) -> Decimal:
    """``money(Fraction(cents, 100))`` without the Fraction (the same Decimal)."""
    return money(Decimal(cents) / 100)


def _cents_of(basket: Basket, policy: EarnPolicy) -> list[int] | None:
    """Every line's eligible net in whole cents when that is exact: no bill-level discount, prices
    with VAT (or nothing to take off) and line discounts of at most two places; None otherwise."""
    if basket.bill_discount or basket.points_discount or basket.coupon_discount:
        return None
    excluded = policy.excluded_categories
    includes_vat = policy.base_includes_vat
    out: list[int] = []
    for line in basket.lines:
        net = int(money(line.quantity * line.unit_price).scaleb(2))
        discount = line.discount
        if discount:
            exponent = discount.as_tuple().exponent
            if not isinstance(exponent, int) or exponent < -2:
                return None
            net -= int(discount.scaleb(2))
        if net < 0:
            net = 0
        if line.category and line.category in excluded:
            net = 0
        elif not includes_vat and net:
            return None
        out.append(net)
    return out


_RATES: dict[tuple[int, Decimal], Fraction] = {}
_FRACTIONS: dict[Decimal, Fraction] = {}


def rate_of(rule: BaseRule) -> Fraction:
    """``rule.rate``, remembered per (points, per_amount)."""
    key = (rule.points, rule.per_amount)
    rate = _RATES.get(key)
    if rate is None:
        rate = _RATES[key] = Fraction(rule.points) / Fraction(rule.per_amount)
    return rate


def fraction_of(value: Decimal) -> Fraction:
    """``Fraction(value)``, remembered (rule constants repeat across baskets)."""
    done = _FRACTIONS.get(value)
    if done is None:
        if len(_FRACTIONS) > 10_000:
            _FRACTIONS.clear()
        done = _FRACTIONS[value] = Fraction(value)
    return done


# --- rule kinds -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rule:
    id: int | None
    code: str
    name: str
    priority: int = 0
    stop_further: bool = False
    scope: Scope = field(default_factory=Scope)
    when: When = field(default_factory=When)

    kind: ClassVar[str] = ""

    def index_keys(self) -> tuple[tuple[str, str], ...]:
        return self.scope.anchor_keys()

    def applies(self, bill: Bill) -> bool:
        return self.scope.matches(bill.basket, bill.member) and self.when.matches(bill.basket.occurred_at, bill.local)

    def evaluate(self, bill: Bill) -> tuple[Award, ...]:
        raise NotImplementedError

    def award(self, points: int, base_amount: Decimal, explanation: str, **kw: object) -> tuple[Award, ...]:
        if points <= 0:
            return ()
        return (
            Award(
                rule_id=self.id,
                rule_code=self.code,
                rule_name=self.name,
                kind=self.kind,
                points=points,
                base_amount=base_amount,
                explanation=explanation,
                **kw,  # type: ignore[arg-type]
            ),
        )


@dataclass(frozen=True, slots=True)
class BaseRule(Rule):
    """Every ``per_amount`` money earns ``points`` (GEN: 25 THB = 1 pt). Only one base rule applies
    to a bill: the first in order whose scope matches (scope it by member type)."""

    per_amount: Decimal = Decimal("1")
    points: int = 1

    kind: ClassVar[str] = Kind.BASE

    @property
    def rate(self) -> Fraction:
        return Fraction(self.points) / Fraction(self.per_amount)

    def points_on(self, amount: Decimal) -> int:
        return math.floor(Fraction(amount) * rate_of(self))

    def evaluate(self, bill: Bill) -> tuple[Award, ...]:
        how = " (floored per line)" if bill.policy.rounding == Rounding.LINE else ""
        text = (
            f"{fmt_money(bill.eligible_net)} {bill.currency} ÷ {fmt_decimal(self.per_amount)} × {self.points}"
            f"{how} = {bill.base_points} pts"
        )
        return self.award(bill.base_points, bill.eligible_net, text, line_nos=bill.line_nos(bill.eligible_pos))


@dataclass(frozen=True, slots=True)
class ThresholdRule(Rule):
    """A bill of at least ``min_amount`` (eligible net) earns ``points``."""

    min_amount: Decimal = ZERO
    points: int = 0

    kind: ClassVar[str] = Kind.THRESHOLD

    def evaluate(self, bill: Bill) -> tuple[Award, ...]:
        if bill.eligible_net <= 0 or bill.eligible_net < self.min_amount:
            return ()
        text = f"bill {fmt_money(bill.eligible_net)} {bill.currency} ≥ {fmt_money(self.min_amount)}: +{self.points} pts"
        return self.award(self.points, bill.eligible_net, text, extra=self.points)


@dataclass(frozen=True, slots=True)
class ProductRule(Rule):
    """Lines whose sku, category or brand is listed: ``multiply`` / ``extra_times`` their base
    points, or ``fixed`` points per bill (per unit when ``per_quantity``)."""

    skus: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    brands: frozenset[str] = frozenset()
    boost: Boost = field(default_factory=lambda: Boost(Mode.MULTIPLY, Decimal("1")))
    per_quantity: bool = False

    kind: ClassVar[str] = Kind.PRODUCT

    def index_keys(self) -> tuple[tuple[str, str], ...]:
        return (
            tuple(("sku", v) for v in sorted(self.skus))
            + tuple(("category", v) for v in sorted(self.categories))
            + tuple(("brand", v) for v in sorted(self.brands))
        )

    def matches_line(self, line: BasketLine) -> bool:
        return (
            line.sku in self.skus
            or (bool(line.category) and line.category in self.categories)
            or (bool(line.brand) and line.brand in self.brands)
        )

    def evaluate(self, bill: Bill) -> tuple[Award, ...]:
        positions = tuple(i for i in bill.eligible_pos if self.matches_line(bill.lines[i]))
        if not positions:
            return ()
        amount = bill.net_of(positions)
        if self.boost.mode == Mode.FIXED and self.per_quantity:
            qty = sum((Fraction(bill.lines[i].quantity) for i in positions), Fraction(0))
            points = math.floor(qty * Fraction(self.boost.value))
            phrase = f"{fmt_points(qty)} units × {int(self.boost.value)} pts = {points} pts"
        else:
            points, phrase = self.boost.apply(bill.base_of(positions))
        text = f"{self.name}: matched lines {fmt_money(amount)} {bill.currency}: {phrase}"
        return self.award(
            points,
            amount,
            text,
            multiplier=self.boost.multiplier,
            extra=points if self.boost.mode == Mode.FIXED else None,
            line_nos=bill.line_nos(positions),
        )


def bill_boost(rule: Rule, bill: Bill, boost: Boost, min_amount: Decimal, reason: str) -> tuple[Award, ...]:
    """A bill-level promotion: ``boost`` on the bill's (integer) base points."""
    if bill.eligible_net <= 0 or bill.eligible_net < min_amount:
        return ()
    points, phrase = boost.apply(bill.base_points)
    text = f"{reason}, bill {fmt_money(bill.eligible_net)} {bill.currency}: {phrase}"
    return rule.award(
        points,
        bill.eligible_net,
        text,
        multiplier=boost.multiplier,
        extra=points if boost.mode == Mode.FIXED else None,
    )


@dataclass(frozen=True, slots=True)
class Step:
    min_amount: Decimal
    boost: Boost


@dataclass(frozen=True, slots=True)
class SpendRule(Rule):
    """Spend steps on the bill's eligible net; only the highest step reached applies."""

    steps: tuple[Step, ...] = ()

    kind: ClassVar[str] = Kind.SPEND

    def evaluate(self, bill: Bill) -> tuple[Award, ...]:
        reached = [s for s in self.steps if bill.eligible_net >= s.min_amount]
        if not reached:
            return ()
        step = max(reached, key=lambda s: s.min_amount)
        return bill_boost(self, bill, step.boost, step.min_amount, f"step ≥ {fmt_money(step.min_amount)}")


@dataclass(frozen=True, slots=True)
class GoldenMinuteRule(Rule):
    """A daily time window (``when.time_from``–``when.time_to``, end exclusive) with a minimum spend."""

    min_amount: Decimal = ZERO
    boost: Boost = field(default_factory=lambda: Boost(Mode.MULTIPLY, Decimal("1")))

    kind: ClassVar[str] = Kind.GOLDEN_MINUTE

    def evaluate(self, bill: Bill) -> tuple[Award, ...]:
        return bill_boost(self, bill, self.boost, self.min_amount, f"golden minute at {bill.local:%H:%M}")


def birthday_in(year: int, birth_on: dt.date) -> dt.date:
    """The day a member celebrates in ``year``: 29 February falls on 28 February in common years."""
    try:
        return birth_on.replace(year=year)
    except ValueError:
        return dt.date(year, 2, 28)


@dataclass(frozen=True, slots=True)
class BirthdayRule(Rule):
    """On the birthday (``period = "day"``) or during the birth month (``"month"``)."""

    period: str = "day"
    min_amount: Decimal = ZERO
    boost: Boost = field(default_factory=lambda: Boost(Mode.MULTIPLY, Decimal("1")))

    kind: ClassVar[str] = Kind.BIRTHDAY

    def evaluate(self, bill: Bill) -> tuple[Award, ...]:
        birth_on = bill.member.birth_on
        if birth_on is None:
            return ()
        today = bill.local.date()
        if self.period == "month":
            if today.month != birth_on.month:
                return ()
            reason = "birth month"
        else:
            if today != birthday_in(today.year, birth_on):
                return ()
            reason = "birthday"
        return bill_boost(self, bill, self.boost, self.min_amount, reason)


@dataclass(frozen=True, slots=True)
class ReferralRule(Rule):
    """On a referred member's first purchase: points to the new member and to the referrer."""

    member_points: int = 0
    referrer_points: int = 0
    min_amount: Decimal = ZERO

    kind: ClassVar[str] = Kind.REFERRAL

    def evaluate(self, bill: Bill) -> tuple[Award, ...]:
        member = bill.member
        if not member.is_first_purchase or member.referred_by_member_id is None:
            return ()
        if bill.eligible_net <= 0 or bill.eligible_net < self.min_amount:
            return ()
        net = bill.eligible_net
        return self.award(
            self.member_points, net, f"first purchase of a referred member: +{self.member_points} pts",
            extra=self.member_points,
        ) + self.award(
            self.referrer_points, net, f"referrer's bonus for the new member's first purchase: +{self.referrer_points} pts",
            extra=self.referrer_points, beneficiary=Beneficiary.REFERRER,
        )


@dataclass(frozen=True, slots=True)
class SpecialDateRule(Rule):
    """Chosen dates: ``"MM-DD"`` every year (store anniversary) or ``"YYYY-MM-DD"`` once."""

    dates: frozenset[str] = frozenset()
    min_amount: Decimal = ZERO
    boost: Boost = field(default_factory=lambda: Boost(Mode.MULTIPLY, Decimal("1")))

    kind: ClassVar[str] = Kind.SPECIAL_DATE

    def evaluate(self, bill: Bill) -> tuple[Award, ...]:
        today = bill.local.date()
        if today.isoformat() not in self.dates and f"{today:%m-%d}" not in self.dates:
            return ()
        return bill_boost(self, bill, self.boost, self.min_amount, f"special date {today.isoformat()}")


RULE_CLASSES: dict[str, type[Rule]] = {
    Kind.BASE: BaseRule,
    Kind.THRESHOLD: ThresholdRule,
    Kind.PRODUCT: ProductRule,
    Kind.SPEND: SpendRule,
    Kind.GOLDEN_MINUTE: GoldenMinuteRule,
    Kind.BIRTHDAY: BirthdayRule,
    Kind.REFERRAL: ReferralRule,
    Kind.SPECIAL_DATE: SpecialDateRule,
}


# --- campaigns ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Campaign:
    """A bag campaign: members who decline a plastic bag earn ``bag_percent`` % of the eligible net
    and/or ``bag_points`` per bill; for a non-member the declined bag adds ``donation_per_bag`` to
    the campaign's fund. Members also get ``extra_discount`` while the campaign applies."""

    id: int | None
    code: str
    name: str
    priority: int = 0
    valid_from: dt.datetime | None = None
    valid_to: dt.datetime | None = None
    member_types: frozenset[str] = frozenset()
    branches: frozenset[str] = frozenset()
    plans: frozenset[str] = frozenset()
    bag_percent: Decimal = ZERO
    bag_points: int = 0
    donation_per_bag: Decimal = ZERO
    extra_discount: Decimal = ZERO
    combinable: bool = False

    def applies(self, basket: Basket, member: MemberContext) -> bool:
        at = basket.occurred_at
        return (
            (self.valid_from is None or at >= self.valid_from)
            and (self.valid_to is None or at < self.valid_to)
            and (not self.member_types or member.member_type in self.member_types)
            and (not self.branches or basket.branch_code in self.branches)
            and (not self.plans or basket.campaign_plan in self.plans)
        )

    def bag_award(self, bill: Bill) -> tuple[Award, ...]:
        by_percent = math.floor(Fraction(bill.eligible_net) * Fraction(self.bag_percent) / 100)
        points = by_percent + self.bag_points
        parts = []
        if self.bag_percent:
            parts.append(f"{fmt_decimal(self.bag_percent)}% of {fmt_money(bill.eligible_net)} {bill.currency} = {by_percent} pts")
        if self.bag_points:
            parts.append(f"+{self.bag_points} pts per bill")
        if points <= 0:
            return ()
        return (
            Award(
                rule_id=self.id,
                rule_code=self.code,
                rule_name=self.name,
                kind=Kind.CAMPAIGN_BAG,
                points=points,
                base_amount=bill.eligible_net,
                explanation=f"{self.name}: plastic bag declined: {'; '.join(parts)}",
                extra=points,
            ),
        )


def choose_campaigns(campaigns: tuple[Campaign, ...]) -> tuple[Campaign, ...]:
    """At most two campaigns on a bill. ``campaigns`` come in order (priority high first, then
    code): the first always applies; a second joins only when both are combinable."""
    if not campaigns:
        return ()
    first = campaigns[0]
    if not first.combinable:
        return (first,)
    for other in campaigns[1:]:
        if other.combinable:
            return (first, other)
    return (first,)


# --- the rule set ------------------------------------------------------------------------------


def rule_order(rule: Rule) -> tuple[bool, int, str, int]:
    """Base rules first (extras build on the base), then priority high → low, then code."""
    return (rule.kind != Kind.BASE, -rule.priority, rule.code, rule.id or 0)


class RuleSet:
    """An organization's compiled rules and campaigns, indexed by scope; immutable once built."""

    __slots__ = ("rules", "campaigns", "policy", "version", "currency", "_buckets", "_anywhere")

    def __init__(
        self,
        *,
        rules: tuple[Rule, ...] | list[Rule] = (),
        campaigns: tuple[Campaign, ...] | list[Campaign] = (),
        policy: EarnPolicy | None = None,
        version: int = 0,
        currency: str = "THB",
    ):
        self.rules: tuple[Rule, ...] = tuple(sorted(rules, key=rule_order))
        self.campaigns: tuple[Campaign, ...] = tuple(sorted(campaigns, key=lambda c: (-c.priority, c.code, c.id or 0)))
        self.policy = policy or EarnPolicy()
        self.version = version
        self.currency = currency
        buckets: dict[tuple[str, str], list[int]] = {}
        anywhere: list[int] = []
        for position, rule in enumerate(self.rules):
            keys = rule.index_keys()
            if not keys:
                anywhere.append(position)
            for key in keys:
                buckets.setdefault(key, []).append(position)
        self._buckets = {k: tuple(v) for k, v in buckets.items()}
        self._anywhere = tuple(anywhere)

    def __len__(self) -> int:
        return len(self.rules)

    def candidates(self, basket: Basket, member: MemberContext) -> list[Rule]:
        """The rules that could match ``basket``, in evaluation order (a superset; each still checks)."""
        positions = set(self._anywhere)
        buckets = self._buckets
        for key in basket_keys(basket, member):
            positions.update(buckets.get(key, ()))
        for line in basket.lines:
            positions.update(buckets.get(("sku", line.sku), ()))
            if line.category:
                positions.update(buckets.get(("category", line.category), ()))
            if line.brand:
                positions.update(buckets.get(("brand", line.brand), ()))
        rules = self.rules
        return [rules[p] for p in sorted(positions)]
