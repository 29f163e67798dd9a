"""Parsing helpers the kinds' ``clean`` functions share. Money is stored as a string
("2000.00"), points as integers; errors carry the code ``RULE_PARAMS_INVALID`` and the field."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from sasom.core.currency import input_places
from sasom.core.errors import DomainError
from sasom.core.money import is_cents, money_text
from sasom.earning.arithmetic import Boost, Mode
from sasom.earning.errors import RULE_PARAMS_INVALID as RULE_PARAMS_INVALID  # re-exported
from sasom.earning.errors import UNKNOWN_PARAMETER as UNKNOWN_PARAMETER  # re-exported
from sasom.earning.kinds._common import Param, Params

MODES = (Mode.MULTIPLY, Mode.EXTRA_TIMES, Mode.FIXED)
DATE_RE = re.compile(r"^(\d{4}-)?\d{2}-\d{2}$")

BOOST_PARAMS = (
    Param("mode", "multiply (x m), extra_times (extra x m) or fixed (+ points)"),
    Param("value", "the multiplier m, or the points for fixed"),
)


def fail(field: str, message: str) -> DomainError:
    return DomainError(RULE_PARAMS_INVALID, message, field=field)


def money_param(
    params: Params, name: str, *, minimum: Decimal = Decimal("0"), strict: bool = False, default: str | None = None,
) -> str:
    raw = params.get(name, default)
    if raw in (None, ""):
        raw = default
    if raw in (None, ""):
        raise fail(name, f"{name} is required")
    try:
        value = Decimal(str(raw).replace(",", "").strip())
    except InvalidOperation:
        raise fail(name, f"{name} must be an amount") from None
    if not value.is_finite() or value < minimum or (strict and value == minimum):
        raise fail(name, f"{name} must be {'more than' if strict else 'at least'} {minimum}")
    places = input_places()  # the organization's minor unit (the service sets it: core.currency.amounts_in)
    if not is_cents(value, places):
        raise fail(name, f"{name} has at most two decimals" if places else f"{name} is a whole amount")
    return money_text(value, places)


def int_param(params: Params, name: str, *, minimum: int = 0, default: int | None = None) -> int:
    raw = params.get(name, default)
    if raw in (None, ""):
        raw = default
    try:
        value = int(str(raw).strip())
    except (TypeError, ValueError):
        raise fail(name, f"{name} must be a whole number") from None
    if value < minimum or value > 10_000_000:
        raise fail(name, f"{name} must be between {minimum} and 10,000,000")
    return value


def codes_param(params: Params, name: str) -> list[str]:
    raw = params.get(name) or []
    if isinstance(raw, str):
        raw = raw.split(",")
    return sorted({str(v).strip() for v in raw if str(v).strip()})


def boost_param(params: Params, prefix: str = "") -> dict[str, Any]:
    mode = params.get(f"{prefix}mode") or ""
    if mode not in MODES:
        raise fail(f"{prefix}mode", "mode must be multiply, extra_times or fixed")
    value_name = f"{prefix}value"
    if mode == Mode.FIXED:
        return {"mode": mode, "value": str(int_param(params, value_name, minimum=1))}
    value = Decimal(money_param(params, value_name, minimum=Decimal("0"), strict=True))
    if mode == Mode.MULTIPLY and value <= 1:
        raise fail(value_name, "a multiplier must be more than 1 (x2 doubles the base points)")
    if value > 100:
        raise fail(value_name, "a multiplier must be at most 100")
    # plain digits: str(Decimal("100").normalize()) would store "1E+2"
    return {"mode": mode, "value": format(value.normalize(), "f")}


def boost_of(params: Params) -> Boost:
    """The engine's boost of stored (normalized) parameters."""
    return Boost(params["mode"], Decimal(params["value"]))


def boost_label(params: Params) -> str:
    """The boost of possibly incomplete parameters, for a list summary."""
    return Boost(params.get("mode", Mode.FIXED), Decimal(params.get("value", "0"))).label()
