"""Base rate (อัตราพื้นฐาน): every X money earns Y points (docs/points.md 3.1)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, ClassVar

from django.utils.translation import gettext_lazy as _

from sasom.earning.arithmetic import Rounding, fmt_decimal, fmt_money, rate_of
from sasom.earning.bill import Bill
from sasom.earning.domain import Award
from sasom.earning.kinds._common import Kind, Param, Params, Rule, RuleHead, RuleKind
from sasom.earning.kinds._params import int_param, money_param


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
        """``floor(amount × rate)``, in integers (``amount`` exactly: ``Fraction(amount)``'s terms)."""
        numerator, denominator = amount.as_integer_ratio()
        rate = rate_of(self)
        return (numerator * rate.numerator) // (denominator * rate.denominator)

    def evaluate(self, bill: Bill) -> tuple[Award, ...]:
        how = " (floored per line)" if bill.policy.rounding == Rounding.LINE else ""
        text = (
            f"{fmt_money(bill.eligible_net, bill.places)} {bill.currency} ÷ {fmt_decimal(self.per_amount)} × {self.points}"
            f"{how} = {bill.base_points} pts"
        )
        return self.award(bill.base_points, bill.eligible_net, text, line_nos=bill.line_nos(bill.eligible_pos))


def clean(p: Params) -> dict[str, Any]:
    return {"per_amount": money_param(p, "per_amount", strict=True), "points": int_param(p, "points", minimum=1)}


def build(head: RuleHead, p: Params) -> BaseRule:
    return head.make(BaseRule, per_amount=Decimal(p["per_amount"]), points=int(p["points"]))


def explain(p: Params) -> str:
    return f"{p.get('per_amount')} = {p.get('points')} pt"


KIND = RuleKind(
    code=Kind.BASE,
    label=_("Base rate"),
    description=_(
        "Every amount of money earns points (e.g. 25 THB = 1 point). Only one base rate applies to "
        "a bill: the first, by priority, whose scope matches; scope it by member type."
    ),
    params=(
        Param("per_amount", "every this much money…"),
        Param("points", "…earns this many points"),
    ),
    rule_class=BaseRule,
    clean=clean,
    build=build,
    explain=explain,
)
