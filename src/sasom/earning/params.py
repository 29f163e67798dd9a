"""Kind-specific rule parameters: validated and normalized before they are stored in
``EarnRule.params`` (JSON), and turned into engine objects by :func:`build_rule`.

Pure Python (no ORM). Money is stored as a string ("2000.00"), points as integers.
Errors carry the code ``RULE_PARAMS_INVALID`` and the field they are about.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from sasom.core.errors import DomainError
from sasom.core.money import is_cents, money_text
from sasom.earning.rules import (
    BaseRule,
    BirthdayRule,
    Boost,
    GoldenMinuteRule,
    Kind,
    Mode,
    ProductRule,
    ReferralRule,
    Rule,
    Scope,
    SpecialDateRule,
    SpendRule,
    Step,
    ThresholdRule,
    When,
)

RULE_PARAMS_INVALID = "rule_params_invalid"
MODES = (Mode.MULTIPLY, Mode.EXTRA_TIMES, Mode.FIXED)
DATE_RE = re.compile(r"^(\d{4}-)?\d{2}-\d{2}$")


def _fail(field: str, message: str) -> DomainError:
    return DomainError(RULE_PARAMS_INVALID, message, field=field)


def _money(params: dict[str, Any], name: str, *, minimum: Decimal = Decimal("0"), strict: bool = False, default: str | None = None) -> str:
    raw = params.get(name, default)
    if raw in (None, ""):
        raw = default
    if raw in (None, ""):
        raise _fail(name, f"{name} is required")
    try:
        value = Decimal(str(raw).replace(",", "").strip())
    except InvalidOperation:
        raise _fail(name, f"{name} must be an amount") from None
    if not value.is_finite() or value < minimum or (strict and value == minimum):
        raise _fail(name, f"{name} must be {'more than' if strict else 'at least'} {minimum}")
    if not is_cents(value):
        raise _fail(name, f"{name} has at most two decimals")
    return money_text(value)


def _int(params: dict[str, Any], name: str, *, minimum: int = 0, default: int | None = None) -> int:
    raw = params.get(name, default)
    if raw in (None, ""):
        raw = default
    try:
        value = int(str(raw).strip())
    except (TypeError, ValueError):
        raise _fail(name, f"{name} must be a whole number") from None
    if value < minimum or value > 10_000_000:
        raise _fail(name, f"{name} must be between {minimum} and 10,000,000")
    return value


def _codes(params: dict[str, Any], name: str) -> list[str]:
    raw = params.get(name) or []
    if isinstance(raw, str):
        raw = raw.split(",")
    return sorted({str(v).strip() for v in raw if str(v).strip()})


def _boost(params: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    mode = params.get(f"{prefix}mode") or ""
    if mode not in MODES:
        raise _fail(f"{prefix}mode", "mode must be multiply, extra_times or fixed")
    value_name = f"{prefix}value"
    if mode == Mode.FIXED:
        return {"mode": mode, "value": str(_int(params, value_name, minimum=1))}
    value = Decimal(_money(params, value_name, minimum=Decimal("0"), strict=True))
    if mode == Mode.MULTIPLY and value <= 1:
        raise _fail(value_name, "a multiplier must be more than 1 (x2 doubles the base points)")
    if value > 100:
        raise _fail(value_name, "a multiplier must be at most 100")
    return {"mode": mode, "value": str(value.normalize())}


def _base(p: dict[str, Any]) -> dict[str, Any]:
    return {"per_amount": _money(p, "per_amount", strict=True), "points": _int(p, "points", minimum=1)}


def _threshold(p: dict[str, Any]) -> dict[str, Any]:
    return {"min_amount": _money(p, "min_amount", strict=True), "points": _int(p, "points", minimum=1)}


def _product(p: dict[str, Any]) -> dict[str, Any]:
    out = {"skus": _codes(p, "skus"), "categories": _codes(p, "categories"), "brands": _codes(p, "brands")}
    if not (out["skus"] or out["categories"] or out["brands"]):
        raise _fail("categories", "name at least one sku, category or brand")
    out.update(_boost(p))
    out["per_quantity"] = bool(p.get("per_quantity")) and out["mode"] == Mode.FIXED
    return out


def _spend(p: dict[str, Any]) -> dict[str, Any]:
    raw = p.get("steps")
    if isinstance(raw, str):
        raw = parse_steps(raw)
    if not raw:
        raise _fail("steps", "add at least one step")
    steps = []
    for row in raw:
        step = {"min_amount": _money(row, "min_amount", strict=True)}
        try:
            step.update(_boost(row))
        except DomainError as exc:
            raise _fail("steps", f"step ≥ {step['min_amount']}: {exc.message}") from None
        steps.append(step)
    amounts = [Decimal(s["min_amount"]) for s in steps]
    if len(set(amounts)) != len(amounts):
        raise _fail("steps", "two steps have the same minimum amount")
    return {"steps": sorted(steps, key=lambda s: Decimal(s["min_amount"]))}


def parse_steps(text: str) -> list[dict[str, str]]:
    """``"2000 multiply 2"`` per line (amount, mode, value) → step dicts."""
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        parts = line.replace(",", "").split()
        if not parts:
            continue
        if len(parts) != 3:
            raise _fail("steps", f"line {number}: write 'amount mode value', e.g. '2000 multiply 2'")
        rows.append({"min_amount": parts[0], "mode": parts[1], "value": parts[2]})
    return rows


def steps_text(steps: list[dict[str, str]]) -> str:
    return "\n".join(f"{s['min_amount']} {s['mode']} {s['value']}" for s in steps)


def _golden(p: dict[str, Any]) -> dict[str, Any]:
    return {"min_amount": _money(p, "min_amount", default="0"), **_boost(p)}


def _birthday(p: dict[str, Any]) -> dict[str, Any]:
    period = p.get("period") or "day"
    if period not in ("day", "month"):
        raise _fail("period", "period must be day or month")
    return {"period": period, "min_amount": _money(p, "min_amount", default="0"), **_boost(p)}


def _referral(p: dict[str, Any]) -> dict[str, Any]:
    out = {
        "member_points": _int(p, "member_points", default=0),
        "referrer_points": _int(p, "referrer_points", default=0),
        "min_amount": _money(p, "min_amount", default="0"),
    }
    if not (out["member_points"] or out["referrer_points"]):
        raise _fail("member_points", "give points to the new member, the referrer or both")
    return out


def _special_date(p: dict[str, Any]) -> dict[str, Any]:
    dates = _codes(p, "dates")
    if not dates:
        raise _fail("dates", "add at least one date (MM-DD every year, or YYYY-MM-DD)")
    for value in dates:
        ok = bool(DATE_RE.match(value))
        if ok:
            try:
                dt.date.fromisoformat(value if len(value) == 10 else f"2000-{value}")
            except ValueError:
                ok = False
        if not ok:
            raise _fail("dates", f"{value} is not a date (MM-DD or YYYY-MM-DD)")
    return {"dates": dates, "min_amount": _money(p, "min_amount", default="0"), **_boost(p)}


VALIDATORS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    Kind.BASE: _base,
    Kind.THRESHOLD: _threshold,
    Kind.PRODUCT: _product,
    Kind.SPEND: _spend,
    Kind.GOLDEN_MINUTE: _golden,
    Kind.BIRTHDAY: _birthday,
    Kind.REFERRAL: _referral,
    Kind.SPECIAL_DATE: _special_date,
}


def validate_params(kind: str, params: dict[str, Any]) -> dict[str, Any]:
    """Normalized params for ``kind``, or a :class:`DomainError` naming the bad field."""
    validator = VALIDATORS.get(kind)
    if validator is None:
        raise _fail("kind", f"unknown rule kind {kind!r}")
    return validator(params or {})


def _boost_of(p: dict[str, Any]) -> Boost:
    return Boost(p["mode"], Decimal(p["value"]))


def build_rule(
    *, kind: str, id: int | None, code: str, name: str, priority: int, stop_further: bool,
    scope: Scope, when: When, params: dict[str, Any],
) -> Rule:
    """Engine object for one stored rule (params already validated)."""
    common: dict[str, Any] = {
        "id": id, "code": code, "name": name, "priority": priority, "stop_further": stop_further,
        "scope": scope, "when": when,
    }
    p = params
    if kind == Kind.BASE:
        return BaseRule(**common, per_amount=Decimal(p["per_amount"]), points=int(p["points"]))
    if kind == Kind.THRESHOLD:
        return ThresholdRule(**common, min_amount=Decimal(p["min_amount"]), points=int(p["points"]))
    if kind == Kind.PRODUCT:
        return ProductRule(
            **common, skus=frozenset(p["skus"]), categories=frozenset(p["categories"]),
            brands=frozenset(p["brands"]), boost=_boost_of(p), per_quantity=bool(p.get("per_quantity")),
        )
    if kind == Kind.SPEND:
        steps = tuple(Step(Decimal(s["min_amount"]), _boost_of(s)) for s in p["steps"])
        return SpendRule(**common, steps=steps)
    if kind == Kind.GOLDEN_MINUTE:
        return GoldenMinuteRule(**common, min_amount=Decimal(p["min_amount"]), boost=_boost_of(p))
    if kind == Kind.BIRTHDAY:
        return BirthdayRule(**common, period=p["period"], min_amount=Decimal(p["min_amount"]), boost=_boost_of(p))
    if kind == Kind.REFERRAL:
        return ReferralRule(
            **common, member_points=int(p["member_points"]), referrer_points=int(p["referrer_points"]),
            min_amount=Decimal(p["min_amount"]),
        )
    if kind == Kind.SPECIAL_DATE:
        return SpecialDateRule(**common, dates=frozenset(p["dates"]), min_amount=Decimal(p["min_amount"]), boost=_boost_of(p))
    raise _fail("kind", f"unknown rule kind {kind!r}")


def describe(kind: str, params: dict[str, Any]) -> str:
    """A short English summary of the params for lists."""
    p = params or {}

    def boost() -> str:
        return Boost(p.get("mode", Mode.FIXED), Decimal(p.get("value", "0"))).label()

    if kind == Kind.BASE:
        return f"{p.get('per_amount')} = {p.get('points')} pt"
    if kind == Kind.THRESHOLD:
        return f"≥ {p.get('min_amount')}: +{p.get('points')} pts"
    if kind == Kind.PRODUCT:
        what = ", ".join(p.get("skus", []) + p.get("categories", []) + p.get("brands", []))
        return f"{what}: {boost()}"
    if kind == Kind.SPEND:
        return "; ".join(
            f"≥ {s['min_amount']} {Boost(s['mode'], Decimal(s['value'])).label()}" for s in p.get("steps", [])
        )
    if kind == Kind.REFERRAL:
        return f"new member +{p.get('member_points')}, referrer +{p.get('referrer_points')}"
    if kind == Kind.SPECIAL_DATE:
        return f"{', '.join(p.get('dates', []))}: {boost()}"
    if kind == Kind.BIRTHDAY:
        return f"{p.get('period')}: {boost()}"
    return boost()
