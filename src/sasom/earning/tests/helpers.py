"""Small builders for engine tests (pure Python, no database)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

from sasom.earning.engine import (
    BaseRule,
    Basket,
    BasketLine,
    Boost,
    EarnPolicy,
    EarnResult,
    MemberContext,
    Mode,
    Rule,
    RuleSet,
    Scope,
    compute,
)

BKK = zoneinfo.ZoneInfo("Asia/Bangkok")
D = Decimal


def at(y: int, mo: int, d: int, h: int = 10, mi: int = 0, s: int = 0) -> dt.datetime:
    return dt.datetime(y, mo, d, h, mi, s, tzinfo=BKK)


def line(no: int, price: str, *, sku: str = "", qty: str = "1", discount: str = "0", category: str = "", brand: str = "") -> BasketLine:
    return BasketLine(
        line_no=no, sku=sku or f"SKU{no}", quantity=D(qty), unit_price=D(price), discount=D(discount),
        category=category, brand=brand,
    )


def basket(*lines: BasketLine, when: dt.datetime | None = None, **kw) -> Basket:
    return Basket(occurred_at=when or at(2025, 3, 10), lines=tuple(lines), **kw)


def gen(**kw) -> MemberContext:
    return MemberContext(member_id=kw.pop("member_id", 1), member_type=kw.pop("member_type", "GEN"), **kw)


def base(per_amount: str = "100", points: int = 1, *, types: tuple[str, ...] = ("GEN",), code: str = "", id: int = 1, **kw) -> BaseRule:
    return BaseRule(
        id=id, code=code or f"BASE-{'-'.join(types) or 'ALL'}", name="Base", per_amount=D(per_amount), points=points,
        scope=Scope(member_types=frozenset(types)), **kw,
    )


def x(m: str) -> Boost:
    return Boost(Mode.MULTIPLY, D(m))


def extra_x(m: str) -> Boost:
    return Boost(Mode.EXTRA_TIMES, D(m))


def plus(p: int) -> Boost:
    return Boost(Mode.FIXED, D(p))


def run(b: Basket, member: MemberContext, *rules: Rule, policy: EarnPolicy | None = None, campaigns=()) -> EarnResult:
    return compute(b, member, RuleSet(rules=rules, policy=policy, campaigns=campaigns), tz=BKK)


def points_by_code(result: EarnResult) -> dict[str, int]:
    return {a.rule_code: a.points for a in result.awards}
