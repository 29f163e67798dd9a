"""Bag campaigns (ไม่รับถุง) as the engine sees them, and which of them apply to a bill.
Pure Python, no ORM."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from sasom.earning.arithmetic import ZERO, fmt_decimal, fmt_money
from sasom.earning.bill import Bill
from sasom.earning.domain import Award, Basket, MemberContext
from sasom.earning.kinds._common import Kind


@dataclass(frozen=True, slots=True)
class Campaign:
    """A bag campaign: members who decline a plastic bag earn ``bag_percent`` % of the eligible net
    and/or ``bag_points`` per bill; for a non-member the declined bag adds ``donation_per_bag`` to
    the campaign's fund. Members also get ``extra_discount`` while the campaign applies."""

    id: int | None
    code: str
    name: str
    priority: int = 0
    valid_from: dt.datetime | None = None
    valid_to: dt.datetime | None = None
    member_types: frozenset[str] = frozenset()
    branches: frozenset[str] = frozenset()
    plans: frozenset[str] = frozenset()
    bag_percent: Decimal = ZERO
    bag_points: int = 0
    donation_per_bag: Decimal = ZERO
    extra_discount: Decimal = ZERO
    combinable: bool = False

    def applies(self, basket: Basket, member: MemberContext) -> bool:
        at = basket.occurred_at
        return (
            (self.valid_from is None or at >= self.valid_from)
            and (self.valid_to is None or at < self.valid_to)
            and (not self.member_types or member.member_type in self.member_types)
            and (not self.branches or basket.branch_code in self.branches)
            and (not self.plans or basket.campaign_plan in self.plans)
        )

    def bag_award(self, bill: Bill) -> tuple[Award, ...]:
        by_percent = math.floor(Fraction(bill.eligible_net) * Fraction(self.bag_percent) / 100)
        points = by_percent + self.bag_points
        parts = []
        if self.bag_percent:
            parts.append(f"{fmt_decimal(self.bag_percent)}% of {fmt_money(bill.eligible_net, bill.places)} {bill.currency} = {by_percent} pts")
        if self.bag_points:
            parts.append(f"+{self.bag_points} pts per bill")
        if points <= 0:
            return ()
        return (
            Award(
                rule_id=self.id,
                rule_code=self.code,
                rule_name=self.name,
                kind=Kind.CAMPAIGN_BAG,
                points=points,
                base_amount=bill.eligible_net,
                explanation=f"{self.name}: plastic bag declined: {'; '.join(parts)}",
                extra=points,
            ),
        )


def choose_campaigns(campaigns: tuple[Campaign, ...]) -> tuple[Campaign, ...]:
    """At most two campaigns on a bill. ``campaigns`` come in order (priority high first, then
    code): the first always applies; a second joins only when both are combinable."""
    if not campaigns:
        return ()
    first = campaigns[0]
    if not first.combinable:
        return (first,)
    for other in campaigns[1:]:
        if other.combinable:
            return (first, other)
    return (first,)
