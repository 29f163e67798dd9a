"""The compiled earning rules, as one import: kept so ``from sasom.earning.rules import ...`` works.

The code lives by concern: :mod:`sasom.earning.arithmetic` (modes, rounding, boosts),
:mod:`sasom.earning.conditions` (scope, when), :mod:`sasom.earning.bill` (the bill and the
earn policy), :mod:`sasom.earning.kinds` (one module per rule kind, and the registry),
:mod:`sasom.earning.campaigns` and :mod:`sasom.earning.ruleset` (the index).
"""

from __future__ import annotations

from sasom.earning.arithmetic import (
    ZERO,
    Boost,
    Mode,
    Rounding,
    fmt_decimal,
    fmt_money,
    fmt_points,
    fraction_of,
    rate_of,
)
from sasom.earning.bill import Bill, EarnPolicy
from sasom.earning.campaigns import Campaign, choose_campaigns
from sasom.earning.conditions import DIMENSIONS, Scope, When, basket_keys, in_window
from sasom.earning.kinds import KINDS, RULE_CLASSES, Kind, Rule
from sasom.earning.kinds._common import bill_boost
from sasom.earning.kinds.base import BaseRule
from sasom.earning.kinds.birthday import BirthdayRule, birthday_in
from sasom.earning.kinds.golden_minute import GoldenMinuteRule
from sasom.earning.kinds.product import ProductRule
from sasom.earning.kinds.referral import ReferralRule
from sasom.earning.kinds.special_date import SpecialDateRule
from sasom.earning.kinds.spend import SpendRule, Step
from sasom.earning.kinds.threshold import ThresholdRule
from sasom.earning.ruleset import RuleSet, rule_order

__all__ = [
    "DIMENSIONS",
    "KINDS",
    "RULE_CLASSES",
    "ZERO",
    "BaseRule",
    "Bill",
    "BirthdayRule",
    "Boost",
    "Campaign",
    "EarnPolicy",
    "GoldenMinuteRule",
    "Kind",
    "Mode",
    "ProductRule",
    "ReferralRule",
    "Rounding",
    "Rule",
    "RuleSet",
    "Scope",
    "SpecialDateRule",
    "SpendRule",
    "Step",
    "ThresholdRule",
    "When",
    "basket_keys",
    "bill_boost",
    "birthday_in",
    "choose_campaigns",
    "fmt_decimal",
    "fmt_money",
    "fmt_points",
    "fraction_of",
    "in_window",
    "rate_of",
    "rule_order",
]
