"""Who, where and when a rule applies: :class:`Scope` (codes the basket carries) and :class:`When`
(period, weekdays, days of month, a daily window). Pure Python, no ORM."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sasom.earning.domain import Basket, MemberContext

DIMENSIONS = (
    "member_types",
    "tiers",
    "branches",
    "terminals",
    "salespersons",
    "document_types",
    "campaign_plans",
)


@dataclass(frozen=True, slots=True)
class Scope:
    """Who and where a rule applies; an empty set means "any"."""

    member_types: frozenset[str] = frozenset()
    tiers: frozenset[str] = frozenset()
    branches: frozenset[str] = frozenset()
    terminals: frozenset[str] = frozenset()
    salespersons: frozenset[str] = frozenset()
    document_types: frozenset[str] = frozenset()
    campaign_plans: frozenset[str] = frozenset()

    def matches(self, basket: Basket, member: MemberContext) -> bool:
        return (
            (not self.member_types or member.member_type in self.member_types)
            and (not self.tiers or member.tier in self.tiers)
            and (not self.branches or basket.branch_code in self.branches)
            and (not self.terminals or basket.terminal_code in self.terminals)
            and (not self.salespersons or basket.salesperson in self.salespersons)
            and (not self.document_types or basket.document_type in self.document_types)
            and (not self.campaign_plans or basket.campaign_plan in self.campaign_plans)
        )

    def anchor_keys(self) -> tuple[tuple[str, str], ...]:
        """Index keys on the most selective non-empty dimension; ``()`` when unscoped."""
        best: tuple[str, frozenset[str]] | None = None
        for name in DIMENSIONS:
            values: frozenset[str] = getattr(self, name)
            if values and (best is None or len(values) < len(best[1])):
                best = (name, values)
        if best is None:
            return ()
        return tuple((best[0], v) for v in sorted(best[1]))

    def summary(self) -> str:
        parts = [f"{name}: {', '.join(sorted(getattr(self, name)))}" for name in DIMENSIONS if getattr(self, name)]
        return "; ".join(parts)


def basket_keys(basket: Basket, member: MemberContext) -> tuple[tuple[str, str], ...]:
    return (
        ("member_types", member.member_type),
        ("tiers", member.tier),
        ("branches", basket.branch_code),
        ("terminals", basket.terminal_code),
        ("salespersons", basket.salesperson),
        ("document_types", basket.document_type),
        ("campaign_plans", basket.campaign_plan),
    )


def in_window(at: dt.time, start: dt.time, end: dt.time) -> bool:
    """Start inclusive, end exclusive; a window over midnight (22:00–02:00) wraps."""
    if start < end:
        return start <= at < end
    return at >= start or at < end


@dataclass(frozen=True, slots=True)
class When:
    """When a rule applies. ``valid_to`` and ``time_to`` are exclusive; weekdays 0 = Monday.

    Weekdays, days of month and the daily window are read in the organization's time zone.
    """

    valid_from: dt.datetime | None = None
    valid_to: dt.datetime | None = None
    weekdays: frozenset[int] = frozenset()
    days_of_month: frozenset[int] = frozenset()
    time_from: dt.time | None = None
    time_to: dt.time | None = None

    def matches(self, at: dt.datetime, local: dt.datetime) -> bool:
        if self.valid_from is not None and at < self.valid_from:
            return False
        if self.valid_to is not None and at >= self.valid_to:
            return False
        if self.weekdays and local.weekday() not in self.weekdays:
            return False
        if self.days_of_month and local.day not in self.days_of_month:
            return False
        if self.time_from is not None and self.time_to is not None:
            return in_window(local.time().replace(tzinfo=None), self.time_from, self.time_to)
        return True
