"""The earning engine: ``compute(basket, member, rules, tz=...)`` → :class:`EarnResult`.

Pure Python over frozen dataclasses — no ORM here. The ledger calls :func:`compute` on a sale,
and again on a return with the basket minus the returned lines, the ORIGINAL ``occurred_at`` and the
rule set as it is now; it reverses the difference (never more than the sale earned). See
docs/points.md for the arithmetic and worked examples.
"""

from __future__ import annotations

import dataclasses
import zoneinfo

from sasom.earning.arithmetic import Boost, Mode, Rounding
from sasom.earning.bill import Bill, EarnPolicy
from sasom.earning.campaigns import Campaign, choose_campaigns
from sasom.earning.conditions import Scope, When
from sasom.earning.domain import (
    DOCUMENT_TYPES,
    Award,
    Basket,
    BasketLine,
    Beneficiary,
    DocumentType,
    EarnResult,
    MemberContext,
)
from sasom.earning.kinds import RULE_CLASSES, Kind, Rule
from sasom.earning.kinds.base import BaseRule
from sasom.earning.kinds.product import ProductRule
from sasom.earning.kinds.spend import Step
from sasom.earning.ruleset import RuleSet

__all__ = [
    "DOCUMENT_TYPES",
    "DocumentType",
    "RULE_CLASSES",
    "Award",
    "BaseRule",
    "Basket",
    "BasketLine",
    "Beneficiary",
    "Boost",
    "Campaign",
    "EarnPolicy",
    "EarnResult",
    "Kind",
    "MemberContext",
    "Mode",
    "Rounding",
    "Rule",
    "RuleSet",
    "Scope",
    "Step",
    "When",
    "compute",
    "member_earns",
]


def member_earns(member: MemberContext, policy: EarnPolicy) -> bool:
    """Members earn; non-members, member types that cannot earn and expired cards (unless the
    organization allows it) do not."""
    if member.member_id is None or not member.can_earn:
        return False
    return not member.card_expired or policy.expired_card_earns


def compute(basket: Basket, member: MemberContext, rules: RuleSet, *, tz: zoneinfo.ZoneInfo) -> EarnResult:
    """Every award ``basket`` earns for ``member`` under ``rules``, each with its explanation.

    Order: the first matching base rule, then the other matching rules by priority (high first);
    a rule with ``stop_further`` ends the rules only when it gave an award. Campaigns come after
    and are not stopped by rules.
    """
    if basket.occurred_at.tzinfo is None:
        raise ValueError("basket.occurred_at must be timezone-aware")
    local = basket.occurred_at.astimezone(tz)
    bill = Bill(basket, member, local, rules.policy, rules.currency)
    awards: list[Award] = []
    earns = member_earns(member, rules.policy)
    if earns:
        has_base = False
        for _, rule, hits in rules.index.candidates(basket, member, local):
            is_base = rule.kind == Kind.BASE
            if (is_base and has_base) or not rule.applies(bill):
                continue
            if is_base:
                has_base = True
                # kind BASE means a kinds.base.BaseRule, which has points_on; mypy cannot narrow Rule on kind.
                bill.set_base(rule)  # type: ignore[arg-type]
            if hits is not None and isinstance(rule, ProductRule):
                given = rule.evaluate_lines(bill, hits)
            else:
                given = rule.evaluate(bill)
            awards.extend(given)
            if given and rule.stop_further:
                break

    donation = extra_discount = bill.eligible_net * 0
    chosen = choose_campaigns(tuple(c for c in rules.campaigns if c.applies(basket, member)))
    donors: list[str] = []
    for campaign in chosen:
        if member.member_id is None:
            if basket.bag_declined and campaign.donation_per_bag:
                donation += campaign.donation_per_bag
                donors.append(campaign.code)
            continue
        extra_discount += campaign.extra_discount
        if earns and basket.bag_declined:
            awards.extend(campaign.bag_award(bill))
    result = EarnResult(awards=tuple(awards), eligible_net=bill.eligible_net, donation=donation,
                        extra_discount=extra_discount, campaigns=tuple(c.code for c in chosen),
                        donation_campaigns=tuple(donors))
    if result.member_points:
        return result
    return dataclasses.replace(result, no_points=_no_points(member, rules.policy, bill))


def _no_points(member: MemberContext, policy: EarnPolicy, bill: Bill) -> str:
    """Why a bill earned its member nothing (see ``EarnResult.no_points``)."""
    if member.member_id is None:
        return "not_member"
    if not member.can_earn:
        return "type_does_not_earn"
    if member.card_expired and not policy.expired_card_earns:
        return "card_expired"
    if bill.eligible_net <= 0:
        return "nothing_eligible"
    if bill.base_rule is not None:
        return "below_first_point"
    return "no_rule"
