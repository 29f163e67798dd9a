"""Points used as a bill discount: the quote (maximum usable) and the commit through the ledger.

The commit posts the sale with the ledger's ``sale_post`` (points paid with are spent there,
soonest-expiring lots first), so a later ``sale_return`` gives those points back in proportion to
the value returned, once per return number, and ``sale_void`` gives back the rest.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from sasom.core.audit import Actor
from sasom.core.errors import DomainError
from sasom.members.models import Member
from sasom.organizations.models import Branch, Organization, Staff, Terminal

from .. import errors as E
from .. import points as ledger
from ..pricing import DiscountQuote, points_discount_quote, points_to_money
from ..selectors import discount_rule_for
from .redeem import _ensure_member, ensure_branch_allowed


def bill_amount_of(basket: Any) -> Decimal:
    """What the member owes before points: lines less line, bill and coupon discounts."""
    lines = sum((ln.quantity * ln.unit_price - ln.discount for ln in basket.lines), Decimal("0"))
    return max(lines - basket.bill_discount - basket.coupon_discount, Decimal("0"))


def points_discount_quote_for(member: Member, *, bill_amount: Decimal, spendable: int | None = None) -> DiscountQuote:
    """The quote for this member on a bill of ``bill_amount`` (reads the balance unless given)."""
    rule = discount_rule_for(member.organization, member.member_type_id)
    if rule is None:
        raise DomainError(E.NO_DISCOUNT_RULE, _("Points cannot be used as money for this member."), field="points")
    if spendable is None:
        spendable = ledger.spendable_of(member)
    return points_discount_quote(bill_amount=bill_amount, rule=rule, spendable=spendable)


@transaction.atomic
def points_discount_apply(
    *,
    organization: Organization,
    branch: Branch,
    terminal: Terminal,
    receipt_id: str,
    basket: Any,
    member: Member,
    points: int,
    actor: Actor,
    staff: Staff | None = None,
) -> Any:
    """Post the sale with ``points`` used as money; refuses anything above the quote.

    The account is locked first, the quote recomputed on the locked balance, then the sale posted
    with ``points_discount`` = the money those points are worth and ``points_used`` = exactly
    ``points``. Returns the ledger's ``SalePostResult``.
    """
    from sasom.ledger.services import sale_post

    _ensure_member(member, organization.pk)
    ensure_branch_allowed(staff, branch)
    if not isinstance(points, int) or points < 1:
        raise DomainError(E.QUANTITY_INVALID, _("Enter the points to use."), field="points")
    account = ledger.lock_account(member)
    rule = discount_rule_for(organization, member.member_type_id)
    if rule is None:
        raise DomainError(E.NO_DISCOUNT_RULE, _("Points cannot be used as money for this member."), field="points")
    if points < rule.min_points:
        raise DomainError(
            E.BELOW_MINIMUM_POINTS,
            _("Use at least %(n)s points.") % {"n": rule.min_points},
            field="points",
        )
    if points > account.spendable:
        raise DomainError(
            E.INSUFFICIENT_POINTS,
            _("Not enough points: %(have)s spendable, %(want)s needed.") % {"have": account.spendable, "want": points},
            field="points",
        )
    quote = points_discount_quote(bill_amount=bill_amount_of(basket), rule=rule, spendable=account.spendable)
    if points > quote.max_points:
        raise DomainError(
            E.OVER_POINTS_CAP,
            _("At most %(n)s points can be used on this bill.") % {"n": quote.max_points},
            field="points",
        )
    amount = points_to_money(points, rule.points_per_unit)
    basket = dataclasses.replace(basket, points_discount=amount)
    return sale_post(
        organization=organization, branch=branch, terminal=terminal, receipt_id=receipt_id, basket=basket,
        member=member, actor=actor, points_used=points,
    )
