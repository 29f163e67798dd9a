"""The earning rule kinds: one module per kind, registered in one explicit dict.

Each ``kinds/<kind>.py`` carries its label, description, parameter schema and validation
(``clean``), builder (stored rule → engine object), list summary (``explain``) and engine class
together, as one :class:`RuleKind` named ``KIND``. The forms, the API schemas, the model's choices
and the validator (:mod:`sasom.earning.params`) read :data:`KINDS`; nothing is looked up by name.
A new kind is a new module and one line here (its order is the order of the kind menus).
"""

from __future__ import annotations

from sasom.earning.kinds import (
    base,
    birthday,
    golden_minute,
    product,
    referral,
    special_date,
    spend,
    threshold,
)
from sasom.earning.kinds._common import Kind, Label, Param, Rule, RuleHead, RuleKind
from sasom.earning.kinds._params import RULE_PARAMS_INVALID, UNKNOWN_PARAMETER

KINDS: dict[str, RuleKind] = {
    Kind.BASE: base.KIND,
    Kind.THRESHOLD: threshold.KIND,
    Kind.PRODUCT: product.KIND,
    Kind.SPEND: spend.KIND,
    Kind.GOLDEN_MINUTE: golden_minute.KIND,
    Kind.BIRTHDAY: birthday.KIND,
    Kind.REFERRAL: referral.KIND,
    Kind.SPECIAL_DATE: special_date.KIND,
}

RULE_CLASSES: dict[str, type[Rule]] = {code: kind.rule_class for code, kind in KINDS.items()}


def kind_choices() -> list[tuple[str, Label]]:
    """``(code, label)`` of every kind, for choice fields (labels stay lazy: translated on render)."""
    return [(code, kind.label) for code, kind in KINDS.items()]


def kinds_using(param: str) -> list[str]:
    """The kinds that take parameter ``param``, in registry order."""
    return [code for code, kind in KINDS.items() if param in kind.param_names]


def all_param_names() -> frozenset[str]:
    return frozenset().union(*(kind.param_names for kind in KINDS.values()))


__all__ = [
    "KINDS",
    "RULE_CLASSES",
    "RULE_PARAMS_INVALID",
    "UNKNOWN_PARAMETER",
    "Kind",
    "Param",
    "Rule",
    "RuleHead",
    "RuleKind",
    "all_param_names",
    "kind_choices",
    "kinds_using",
]
