"""Rule parameters, read from the kind registry (:data:`sasom.earning.kinds.KINDS`): validated
and normalized before they are stored in ``EarnRule.params`` (JSON), and turned into engine
objects by :func:`build_rule`.

Pure Python (no ORM). Money is stored as a string ("2000.00"), points as integers. A bad value is
refused with the code ``RULE_PARAMS_INVALID``, a parameter the kind does not take with
``UNKNOWN_PARAMETER``; both name the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sasom.core.errors import DomainError
from sasom.earning.arithmetic import Boost, Mode
from sasom.earning.conditions import Scope, When
from sasom.earning.kinds import KINDS, RuleHead, RuleKind
from sasom.earning.kinds._common import Rule
from sasom.earning.kinds._params import (
    DATE_RE,
    MODES,
    RULE_PARAMS_INVALID,
    UNKNOWN_PARAMETER,
    fail,
)
from sasom.earning.kinds.spend import parse_steps, steps_text

__all__ = [
    "DATE_RE",
    "MODES",
    "RULE_PARAMS_INVALID",
    "UNKNOWN_PARAMETER",
    "build_rule",
    "describe",
    "parse_steps",
    "refuse_unknown",
    "steps_text",
    "validate_params",
]


def _kind(code: str) -> RuleKind:
    kind = KINDS.get(code)
    if kind is None:
        raise fail("kind", f"unknown rule kind {code!r}")
    return kind


def refuse_unknown(kind: RuleKind, params: Mapping[str, Any]) -> None:
    """A parameter ``kind`` does not take is an error, never silently dropped."""
    unknown = sorted(str(name) for name in params if name not in kind.param_names)
    if unknown:
        takes = ", ".join(p.name for p in kind.params)
        raise DomainError(
            UNKNOWN_PARAMETER,
            f"{unknown[0]!r} is not a parameter of a {kind.code} rule (it takes {takes})",
            field=unknown[0],
        )


def validate_params(kind: str, params: Mapping[str, Any] | None) -> dict[str, Any]:
    """Normalized params for ``kind``, or a :class:`DomainError` naming the bad field."""
    rule_kind = _kind(kind)
    raw = params or {}
    refuse_unknown(rule_kind, raw)
    return rule_kind.clean(raw)


def build_rule(
    *, kind: str, id: int | None, code: str, name: str, priority: int, stop_further: bool,
    scope: Scope, when: When, params: Mapping[str, Any],
) -> Rule:
    """Engine object for one stored rule (params already validated)."""
    head = RuleHead(id=id, code=code, name=name, priority=priority, stop_further=stop_further, scope=scope, when=when)
    return _kind(kind).build(head, params)


def describe(kind: str, params: Mapping[str, Any] | None) -> str:
    """A short English summary of the params for lists."""
    p = params or {}
    rule_kind = KINDS.get(kind)
    if rule_kind is None:
        return Boost(p.get("mode", Mode.FIXED), Decimal(p.get("value", "0"))).label()
    return rule_kind.explain(p)
