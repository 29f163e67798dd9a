"""Referral (แนะนำเพื่อน): a referred member's first purchase earns points for both (docs/points.md 3.7)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from django.utils.translation import gettext_lazy as _

from sasom.earning.arithmetic import ZERO
from sasom.earning.bill import Bill
from sasom.earning.domain import Award, Beneficiary
from sasom.earning.kinds._common import Kind, Param, Params, Rule, RuleHead, RuleKind
from sasom.earning.kinds._params import fail, int_param, money_param


@dataclass(frozen=True, slots=True)
class ReferralRule(Rule):
    """On a referred member's first purchase: points to the new member and to the referrer."""

    member_points: int = 0
    referrer_points: int = 0
    min_amount: Decimal = ZERO

    kind: ClassVar[str] = Kind.REFERRAL

    def evaluate(self, bill: Bill) -> tuple[Award, ...]:
        member = bill.member
        if not member.is_first_purchase or member.referred_by_member_id is None:
            return ()
        if bill.eligible_net <= 0 or bill.eligible_net < self.min_amount:
            return ()
        net = bill.eligible_net
        return self.award(
            self.member_points, net, f"first purchase of a referred member: +{self.member_points} pts",
            extra=self.member_points,
        ) + self.award(
            self.referrer_points, net, f"referrer's bonus for the new member's first purchase: +{self.referrer_points} pts",
            extra=self.referrer_points, beneficiary=Beneficiary.REFERRER,
        )


def clean(p: Params) -> dict[str, Any]:
    out = {
        "member_points": int_param(p, "member_points", default=0),
        "referrer_points": int_param(p, "referrer_points", default=0),
        "min_amount": money_param(p, "min_amount", default="0"),
    }
    if not (out["member_points"] or out["referrer_points"]):
        raise fail("member_points", "give points to the new member, the referrer or both")
    return out


def build(head: RuleHead, p: Params) -> ReferralRule:
    return head.make(
        ReferralRule, member_points=int(p["member_points"]), referrer_points=int(p["referrer_points"]),
        min_amount=Decimal(p["min_amount"]),
    )


def explain(p: Params) -> str:
    return f"new member +{p.get('member_points')}, referrer +{p.get('referrer_points')}"


KIND = RuleKind(
    code=Kind.REFERRAL,
    label=_("Referral"),
    description=_("A referred member's first purchase earns points for the new member and for the referrer."),
    params=(
        Param("member_points", "points for the new member"),
        Param("referrer_points", "points for the referrer"),
        Param("min_amount", "the least eligible net of the first purchase (default 0)"),
    ),
    rule_class=ReferralRule,
    clean=clean,
    build=build,
    explain=explain,
)
