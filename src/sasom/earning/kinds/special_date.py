"""Special dates (วันพิเศษ): chosen dates, every year or once (docs/points.md 3.8)."""

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
    DATE_RE,
    boost_label,
    boost_of,
    boost_param,
    codes_param,
    fail,
    money_param,
)


@dataclass(frozen=True, slots=True)
class SpecialDateRule(Rule):
    """Chosen dates: ``"MM-DD"`` every year (store anniversary) or ``"YYYY-MM-DD"`` once."""

    dates: frozenset[str] = frozenset()
    min_amount: Decimal = ZERO
    boost: Boost = field(default_factory=default_boost)

    kind: ClassVar[str] = Kind.SPECIAL_DATE

    def evaluate(self, bill: Bill) -> tuple[Award, ...]:
        today = bill.local.date()
        if today.isoformat() not in self.dates and f"{today:%m-%d}" not in self.dates:
            return ()
        return bill_boost(self, bill, self.boost, self.min_amount, f"special date {today.isoformat()}")


def clean(p: Params) -> dict[str, Any]:
    dates = codes_param(p, "dates")
    if not dates:
        raise fail("dates", "add at least one date (MM-DD every year, or YYYY-MM-DD)")
    for value in dates:
        ok = bool(DATE_RE.match(value))
        if ok:
            try:
                dt.date.fromisoformat(value if len(value) == 10 else f"2000-{value}")
            except ValueError:
                ok = False
        if not ok:
            raise fail("dates", f"{value} is not a date (MM-DD or YYYY-MM-DD)")
    return {"dates": dates, "min_amount": money_param(p, "min_amount", default="0"), **boost_param(p)}


def build(head: RuleHead, p: Params) -> SpecialDateRule:
    return head.make(SpecialDateRule, dates=frozenset(p["dates"]), min_amount=Decimal(p["min_amount"]), boost=boost_of(p))


def explain(p: Params) -> str:
    return f"{', '.join(p.get('dates', []))}: {boost_label(p)}"


KIND = RuleKind(
    code=Kind.SPECIAL_DATE,
    label=_("Special date"),
    description=_("Chosen dates earn more: MM-DD every year (a store anniversary) or YYYY-MM-DD once."),
    params=(
        Param("dates", "MM-DD (every year) or YYYY-MM-DD (once)"),
        Param("min_amount", "the least eligible net of the bill (default 0)"),
        *BOOST_PARAMS,
    ),
    rule_class=SpecialDateRule,
    clean=clean,
    build=build,
    explain=explain,
)
