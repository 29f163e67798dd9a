"""Birthday (วันเกิด / เดือนเกิด): on the birthday or during the birth month (docs/points.md 3.6)."""

from __future__ import annotations

import datetime as dt
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
    fail,
    money_param,
)


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
    boost: Boost = field(default_factory=default_boost)

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


def clean(p: Params) -> dict[str, Any]:
    period = p.get("period") or "day"
    if period not in ("day", "month"):
        raise fail("period", "period must be day or month")
    return {"period": period, "min_amount": money_param(p, "min_amount", default="0"), **boost_param(p)}


def build(head: RuleHead, p: Params) -> BirthdayRule:
    return head.make(BirthdayRule, period=p["period"], min_amount=Decimal(p["min_amount"]), boost=boost_of(p))


def explain(p: Params) -> str:
    return f"{p.get('period')}: {boost_label(p)}"


KIND = RuleKind(
    code=Kind.BIRTHDAY,
    label=_("Birthday"),
    description=_(
        "A member earns more on the birthday or during the birth month (29 February is celebrated "
        "on 28 February in common years)."
    ),
    params=(
        Param("period", "day (on the birthday) or month (during the birth month)"),
        Param("min_amount", "the least eligible net of the bill (default 0)"),
        *BOOST_PARAMS,
    ),
    rule_class=BirthdayRule,
    clean=clean,
    build=build,
    explain=explain,
)
