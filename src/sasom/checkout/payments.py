"""Coupons and points as payment at the checkout: what they are worth on a bill (the quote) and
their use (the commit), with the same arithmetic and the same refusals.

Discount coupons lower the bill and the points base, cash coupons are payments (DOMAIN.md 2, 9);
points paid with are checked against the balance (as read for a quote, locked for a commit) and
the organization's points-discount rule.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from sasom.core.audit import Actor
from sasom.core.errors import DomainError
from sasom.core.money import money
from sasom.earning import engine
from sasom.ledger.models import Sale
from sasom.ledger.services import sale_post
from sasom.ledger.services.sales import SalePostResult
from sasom.members.models import Member
from sasom.organizations.models import Branch, Organization, Staff, Terminal
from sasom.rewards import errors as reward_errors
from sasom.rewards import points as reward_points
from sasom.rewards import selectors as reward_selectors
from sasom.rewards.models import Coupon
from sasom.rewards.pricing import DiscountRuleData, points_discount_quote, points_to_money
from sasom.rewards.services.coupons import BillLine, coupon_quote, coupon_use
from sasom.rewards.services.discount import bill_amount_of
from sasom.rewards.services.redeem import ensure_branch_allowed, ensure_member

__all__ = ["CouponUsed", "coupons_apply", "coupons_of_sale", "coupons_value", "points_discount_apply", "points_value"]


@dataclass(frozen=True)
class CouponUsed:
    code: str
    kind: str
    amount: Decimal



def coupons_apply(organization_id: int, *, codes: list[str], member: Member | None, basket: engine.Basket,
                   receipt_id: str, branch: Branch, actor: Actor, staff: Staff | None
                   ) -> tuple[engine.Basket, list[CouponUsed]]:
    """Use each coupon on the bill: discount coupons lower the points base, cash coupons are payments."""
    lines = _bill_lines(basket)
    used: list[CouponUsed] = []
    coupon_discount = Decimal("0")
    for code in codes:
        coupon = coupon_use(
            organization_id=organization_id, code=code, member=member,
            bill_amount=bill_amount_of(dataclasses.replace(basket, coupon_discount=coupon_discount)),
            bill_reference=receipt_id, branch=branch, actor=actor, staff=staff, lines=lines,
        )
        used_amount = _used_amount(coupon)
        used.append(CouponUsed(code=coupon.code, kind=coupon.template.kind, amount=money(used_amount)))
        if coupon.template.kind == "discount":
            coupon_discount += used_amount
    return dataclasses.replace(basket, coupon_discount=coupon_discount), used


def coupons_value(organization_id: int, *, codes: list[str], member: Member | None, basket: engine.Basket
                   ) -> tuple[engine.Basket, list[CouponUsed]]:
    """:func:`coupons_apply` without using the coupons: what they would be worth on this bill."""
    lines = _bill_lines(basket)
    used: list[CouponUsed] = []
    coupon_discount = Decimal("0")
    for code in codes:
        coupon, amount = coupon_quote(
            organization_id=organization_id, code=code, member=member,
            bill_amount=bill_amount_of(dataclasses.replace(basket, coupon_discount=coupon_discount)), lines=lines,
        )
        used.append(CouponUsed(code=coupon.code, kind=coupon.template.kind, amount=money(amount)))
        if coupon.template.kind == "discount":
            coupon_discount += amount
    return dataclasses.replace(basket, coupon_discount=coupon_discount), used


def _bill_lines(basket: engine.Basket) -> list[BillLine]:
    return [BillLine(sku=ln.sku, category=ln.category, amount=ln.quantity * ln.unit_price - ln.discount)
            for ln in basket.lines]


def coupons_of_sale(organization_id: int, sale: Sale) -> list[CouponUsed]:
    rows = Coupon.objects.filter(
        organization_id=organization_id, used_bill_reference=sale.receipt_id, used_branch_id=sale.branch_id
    ).select_related("template")
    return [CouponUsed(code=c.code, kind=c.template.kind, amount=_used_amount(c)) for c in rows]


def _used_amount(coupon: Coupon) -> Decimal:
    """The money a used coupon stood for (``coupon_use`` always sets it; only unused coupons
    have none)."""
    assert coupon.used_amount is not None
    return coupon.used_amount


@transaction.atomic
def points_discount_apply(
    *,
    organization: Organization,
    branch: Branch,
    terminal: Terminal,
    receipt_id: str,
    basket: engine.Basket,
    member: Member,
    points: int,
    actor: Actor,
    staff: Staff | None = None,
    field: str = "points",
) -> SalePostResult:
    """Post the sale with ``points`` used as money; refuses anything above the quote (naming
    ``field``, the caller's name for the points).

    The account is locked first, the quote recomputed on the locked balance, then the sale posted
    with ``points_discount`` = the money those points are worth and ``points_used`` = exactly
    ``points`` (spent by the ledger, soonest-expiring lots first, so a later return gives them back
    in proportion and a void gives back the rest).
    """
    ensure_member(member, organization.pk)
    ensure_branch_allowed(staff, branch)
    account = reward_points.lock_account(member)
    rule = reward_selectors.discount_rule_for(organization, member.member_type_id)
    basket = dataclasses.replace(basket, points_discount=points_value(rule, basket, points, account.spendable, field))
    return sale_post(organization=organization, branch=branch, terminal=terminal, receipt_id=receipt_id,
                     basket=basket, member=member, actor=actor, points_used=points)


def points_value(rule: DiscountRuleData | None, basket: engine.Basket, points: int, spendable: int,
                  field: str = "redeem_points") -> Decimal:
    """The money ``points`` stand for on this bill, or the reason they cannot be used (named
    ``field``, the input's name): the quote checks the balance as read, the commit the locked one."""
    if not isinstance(points, int) or points < 1:
        raise DomainError(reward_errors.QUANTITY_INVALID, _("Enter the points to use."), field=field)
    if rule is None:
        raise DomainError(reward_errors.NO_DISCOUNT_RULE, _("Points cannot be used as money for this member."),
                          field=field)
    if points < rule.min_points:
        raise DomainError(reward_errors.BELOW_MINIMUM_POINTS, _("Use at least %(n)s points.") % {"n": rule.min_points},
                          field=field)
    if points > spendable:
        raise DomainError(
            reward_errors.INSUFFICIENT_POINTS,
            _("Not enough points: %(have)s spendable, %(want)s needed.") % {"have": spendable, "want": points},
            field=field,
        )
    quote = points_discount_quote(bill_amount=bill_amount_of(basket), rule=rule, spendable=spendable)
    if points > quote.max_points:
        raise DomainError(reward_errors.OVER_POINTS_CAP,
                          _("At most %(n)s points can be used on this bill.") % {"n": quote.max_points}, field=field)
    return points_to_money(points, rule.points_per_unit, rule.places, per_amount=rule.per_amount)
