"""Points used as a bill discount: the most a member may use on a bill.

The commit (``checkout.services.points_discount_apply``) posts the sale with the points paid.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from sasom.core.errors import DomainError
from sasom.members.models import Member

from .. import errors as E
from .. import points as ledger
from ..pricing import DiscountQuote, points_discount_quote
from ..selectors import discount_rule_for


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
