"""The rule set's index, compiled once per rule-set version (:class:`RuleIndex`).

A basket looks only at the rules that could match it; a rule that cannot (another product,
category, brand, branch, member type, weekday or hour) costs nothing per basket:

* product rules are filed under each sku, category and brand they list; a basket's lines look
  their keys up, and each product rule found is handed the lines that hit it, so it does not test
  every line again (``ProductRule.evaluate_lines``);
* other rules with a scope are filed under their most selective scope dimension
  (``Scope.anchor_keys``: member type, tier, branch, terminal, ...);
* the rest (no scope) "apply to everything": they are kept per weekday and hour of the
  organization's local time, so a weekend-only or golden-minute rule is not looked at on a
  Wednesday morning. That list is built the first time a (weekday, hour) is asked for.

Every candidate still runs its own ``applies`` (period, day of month, the exact minute, the other
scope dimensions): the index only leaves out rules that cannot match. Pure Python, no ORM.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sasom.earning.conditions import When, basket_keys
from sasom.earning.domain import Basket, MemberContext
from sasom.earning.kinds._common import Rule
from sasom.earning.kinds.product import ProductRule

# a candidate: its position in the rule set's order, the rule, and for a product rule the
# positions of the basket's lines that hit it (None for the other kinds)
Candidate = tuple[int, Rule, tuple[int, ...] | None]

_HOUR = dt.timedelta(hours=1)


def could_match_at(when: When, weekday: int, hour: int) -> bool:
    """False only when ``when`` cannot match any moment of ``hour`` on ``weekday`` (local)."""
    if when.weekdays and weekday not in when.weekdays:
        return False
    start, end = when.time_from, when.time_to
    if start is None or end is None:
        return True
    h_from = dt.time(hour)
    h_to = dt.time(hour + 1) if hour < 23 else None  # None: midnight, the day's end
    # the window [start, end) (wrapping over midnight when start >= end) meets [h_from, h_to)
    if start < end:
        return (h_to is None or start < h_to) and end > h_from
    return h_to is None or start < h_to or end > h_from


class RuleIndex:
    """Where each of ``rules`` (already in evaluation order) is filed; immutable once built."""

    __slots__ = ("rules", "_line_keys", "_scoped", "_unscoped", "_slots")

    def __init__(self, rules: Sequence[Rule]):
        self.rules = tuple(rules)
        line_keys: dict[tuple[str, str], list[int]] = {}
        scoped: dict[tuple[str, str], list[int]] = {}
        unscoped: list[int] = []
        for position, rule in enumerate(self.rules):
            if isinstance(rule, ProductRule) and type(rule) is ProductRule:
                for key in rule.index_keys():
                    line_keys.setdefault(key, []).append(position)
                continue
            keys = rule.index_keys()
            if not keys:
                unscoped.append(position)
            for key in keys:
                scoped.setdefault(key, []).append(position)
        self._line_keys = {k: tuple(v) for k, v in line_keys.items()}
        self._scoped = {k: tuple(v) for k, v in scoped.items()}
        self._unscoped = tuple(unscoped)
        self._slots: dict[tuple[int, int], tuple[int, ...]] = {}

    def unscoped_at(self, weekday: int, hour: int) -> tuple[int, ...]:
        """The unscoped rules that could match at ``hour`` of ``weekday`` (local), remembered."""
        slot = (weekday, hour)
        found = self._slots.get(slot)
        if found is None:
            rules = self.rules
            found = tuple(p for p in self._unscoped if could_match_at(rules[p].when, weekday, hour))
            self._slots[slot] = found
        return found

    def candidates(self, basket: Basket, member: MemberContext, local: dt.datetime | None = None) -> list[Candidate]:
        """The rules that could match ``basket`` (a superset; each still checks), in evaluation
        order, each product rule with the basket's lines that hit it. ``local``: the basket's
        moment in the organization's zone; without it no rule is left out by weekday or hour."""
        positions: set[int] = set(self._unscoped if local is None else self.unscoped_at(local.weekday(), local.hour))
        scoped = self._scoped
        for key in basket_keys(basket, member):
            found = scoped.get(key)
            if found:
                positions.update(found)
        hits: dict[int, list[int]] = {}
        line_keys = self._line_keys
        for i, line in enumerate(basket.lines):
            found = line_keys.get(("sku", line.sku))
            if found:
                for p in found:
                    hits.setdefault(p, []).append(i)
            if line.category:
                found = line_keys.get(("category", line.category))
                if found:
                    for p in found:
                        hits.setdefault(p, []).append(i)
            if line.brand:
                found = line_keys.get(("brand", line.brand))
                if found:
                    for p in found:
                        hits.setdefault(p, []).append(i)
        rules = self.rules
        out: list[Candidate] = [(p, rules[p], None) for p in positions]
        # a line listed under two of a rule's keys (its sku and its category) is one hit
        out.extend((p, rules[p], tuple(sorted(set(lines)))) for p, lines in hits.items())
        out.sort(key=_position)
        return out


def _position(candidate: Candidate) -> int:
    return candidate[0]
