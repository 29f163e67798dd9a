"""An organization's compiled rules and campaigns, indexed by scope (:class:`RuleSet`).

Configuration rows are compiled into engine objects once per organization
(:func:`sasom.earning.selectors.ruleset_for`) and a :class:`RuleSet` indexes them by scope, so a
basket only looks at the rules that could match it (:mod:`sasom.earning.index`: product rules by
sku/category/brand, the others by their most selective scope dimension, unscoped ones by weekday
and hour).
"""

from __future__ import annotations

from sasom.earning.bill import EarnPolicy
from sasom.earning.campaigns import Campaign
from sasom.earning.domain import Basket, MemberContext
from sasom.earning.index import RuleIndex
from sasom.earning.kinds._common import Kind, Rule


def rule_order(rule: Rule) -> tuple[bool, int, str, int]:
    """Base rules first (extras build on the base), then priority high → low, then code."""
    return (rule.kind != Kind.BASE, -rule.priority, rule.code, rule.id or 0)


class RuleSet:
    """An organization's compiled rules and campaigns, indexed by scope; immutable once built."""

    __slots__ = ("rules", "campaigns", "policy", "version", "currency", "index")

    def __init__(
        self,
        *,
        rules: tuple[Rule, ...] | list[Rule] = (),
        campaigns: tuple[Campaign, ...] | list[Campaign] = (),
        policy: EarnPolicy | None = None,
        version: int = 0,
        currency: str = "THB",
    ):
        self.rules: tuple[Rule, ...] = tuple(sorted(rules, key=rule_order))
        self.campaigns: tuple[Campaign, ...] = tuple(sorted(campaigns, key=lambda c: (-c.priority, c.code, c.id or 0)))
        self.policy = policy or EarnPolicy()
        self.version = version
        self.currency = currency
        self.index = RuleIndex(self.rules)

    def __len__(self) -> int:
        return len(self.rules)

    def candidates(self, basket: Basket, member: MemberContext) -> list[Rule]:
        """The rules that could match ``basket``, in evaluation order (a superset; each still checks)."""
        return [rule for _, rule, _ in self.index.candidates(basket, member)]
