"""Birthday (วันเกิด / เดือนเกิด): on the birthday or during the birth month (docs/points.md 3.6).

Days and months are the organization's period calendar's (``EarnPolicy.period_calendar``): a Jalali
shop's birth month is the Jalali month the member was born in (born 1370/12/30: all of Esfand), and
a birthday the year lacks (30 Esfand, 29 February) falls on that month's last day
(``core.calendars.birthday_in``), as the birthday messages do."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

from django.utils.translation import gettext_lazy as _

from sasom.core import calendars
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
        calendar = bill.policy.period_calendar
        if self.period == "month":
            if calendars.birth_month(today, calendar) != calendars.birth_month(birth_on, calendar):
                return ()
            reason = "birth month"
        else:
            if not calendars.is_birthday(birth_on, today, calendar):
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
