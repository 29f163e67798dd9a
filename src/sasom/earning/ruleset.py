"""An organization's compiled rules and campaigns, indexed by scope (:class:`RuleSet`).

Configuration rows are compiled into engine objects once per organization
(:func:`sasom.earning.selectors.ruleset_for`) and a :class:`RuleSet` indexes them by scope, so a
basket only looks at the rules that could match it (product rules by sku/category/brand, the others
by their most selective scope dimension).
"""

from __future__ import annotations

from sasom.earning.bill import EarnPolicy
from sasom.earning.campaigns import Campaign
from sasom.earning.conditions import basket_keys
from sasom.earning.domain import Basket, MemberContext
from sasom.earning.kinds._common import Kind, Rule


def rule_order(rule: Rule) -> tuple[bool, int, str, int]:
    """Base rules first (extras build on the base), then priority high → low, then code."""
    return (rule.kind != Kind.BASE, -rule.priority, rule.code, rule.id or 0)


class RuleSet:
    """An organization's compiled rules and campaigns, indexed by scope; immutable once built."""

    __slots__ = ("rules", "campaigns", "policy", "version", "currency", "_buckets", "_anywhere")

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
        buckets: dict[tuple[str, str], list[int]] = {}
        anywhere: list[int] = []
        for position, rule in enumerate(self.rules):
            keys = rule.index_keys()
            if not keys:
                anywhere.append(position)
            for key in keys:
                buckets.setdefault(key, []).append(position)
        self._buckets = {k: tuple(v) for k, v in buckets.items()}
        self._anywhere = tuple(anywhere)

    def __len__(self) -> int:
        return len(self.rules)

    def candidates(self, basket: Basket, member: MemberContext) -> list[Rule]:
        """The rules that could match ``basket``, in evaluation order (a superset; each still checks)."""
        positions = set(self._anywhere)
        buckets = self._buckets
        for key in basket_keys(basket, member):
            positions.update(buckets.get(key, ()))
        for line in basket.lines:
            positions.update(buckets.get(("sku", line.sku), ()))
            if line.category:
                positions.update(buckets.get(("category", line.category), ()))
            if line.brand:
                positions.update(buckets.get(("brand", line.brand), ()))
        rules = self.rules
        return [rules[p] for p in sorted(positions)]
