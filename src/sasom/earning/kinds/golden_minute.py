"""Golden minute (นาทีทอง): a daily time window with a minimum spend (docs/points.md 3.5)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

from django.utils.translation import gettext_lazy as _

from sasom.earning.arithmetic import ZERO, Boost
from sasom.earning.bill import Bill
from sasom.earning.domain import Award
from sasom.earning.kinds._common import (
    Kind,
    Param,
    Params,
    Rule,
    RuleHead,
    RuleKind,
    bill_boost,
    default_boost,
)
from sasom.earning.kinds._params import (
    BOOST_PARAMS,
    boost_label,
    boost_of,
    boost_param,
    money_param,
)


@dataclass(frozen=True, slots=True)
class GoldenMinuteRule(Rule):
    """A daily time window (``when.time_from``–``when.time_to``, end exclusive) with a minimum spend."""

    min_amount: Decimal = ZERO
    boost: Boost = field(default_factory=default_boost)

    kind: ClassVar[str] = Kind.GOLDEN_MINUTE

    def evaluate(self, bill: Bill) -> tuple[Award, ...]:
        return bill_boost(self, bill, self.boost, self.min_amount, f"golden minute at {bill.local:%H:%M}")


def clean(p: Params) -> dict[str, Any]:
    return {"min_amount": money_param(p, "min_amount", default="0"), **boost_param(p)}


def build(head: RuleHead, p: Params) -> GoldenMinuteRule:
    return head.make(GoldenMinuteRule, min_amount=Decimal(p["min_amount"]), boost=boost_of(p))


def explain(p: Params) -> str:
    return boost_label(p)


KIND = RuleKind(
    code=Kind.GOLDEN_MINUTE,
    label=_("Golden minute"),
    description=_(
        "During a daily time window (the rule's daily from/until, end exclusive) a bill of at "
        "least a minimum spend earns more."
    ),
    params=(Param("min_amount", "the least eligible net of the bill (default 0)"), *BOOST_PARAMS),
    rule_class=GoldenMinuteRule,
    clean=clean,
    build=build,
    explain=explain,
    needs_time_window=True,
)
