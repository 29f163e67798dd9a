"""Bill threshold award (ซื้อครบรับแต้ม): a bill of at least A earns P points (docs/points.md 3.2)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from django.utils.translation import gettext_lazy as _

from sasom.earning.arithmetic import ZERO, fmt_money
from sasom.earning.bill import Bill
from sasom.earning.domain import Award
from sasom.earning.kinds._common import Kind, Param, Params, Rule, RuleHead, RuleKind
from sasom.earning.kinds._params import int_param, money_param


@dataclass(frozen=True, slots=True)
class ThresholdRule(Rule):
    """A bill of at least ``min_amount`` (eligible net) earns ``points``."""

    min_amount: Decimal = ZERO
    points: int = 0

    kind: ClassVar[str] = Kind.THRESHOLD

    def evaluate(self, bill: Bill) -> tuple[Award, ...]:
        if bill.eligible_net <= 0 or bill.eligible_net < self.min_amount:
            return ()
        text = f"bill {fmt_money(bill.eligible_net, bill.places)} {bill.currency} ≥ {fmt_money(self.min_amount, bill.places)}: +{self.points} pts"
        return self.award(self.points, bill.eligible_net, text, extra=self.points)


def clean(p: Params) -> dict[str, Any]:
    return {"min_amount": money_param(p, "min_amount", strict=True), "points": int_param(p, "points", minimum=1)}


def build(head: RuleHead, p: Params) -> ThresholdRule:
    return head.make(ThresholdRule, min_amount=Decimal(p["min_amount"]), points=int(p["points"]))


def explain(p: Params) -> str:
    return f"≥ {p.get('min_amount')}: +{p.get('points')} pts"


KIND = RuleKind(
    code=Kind.THRESHOLD,
    label=_("Bill threshold award"),
    description=_("A bill whose eligible net is at least an amount earns a number of extra points."),
    params=(
        Param("min_amount", "the least eligible net of the bill"),
        Param("points", "the points it earns"),
    ),
    rule_class=ThresholdRule,
    clean=clean,
    build=build,
    explain=explain,
)
