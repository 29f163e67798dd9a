"""Coupons: issued for points (one member, or many by a segment: :mod:`.coupons_bulk`), used once
at the POS, cancelled while unused (points come back).

A coupon's code is 12 characters drawn with :mod:`secrets` from an alphabet without look-alike
characters, unique per organization. Using a coupon is a conditional update of its row
(``status = issued`` → ``used``) after locking it, so two counters scanning the same coupon at
once get exactly one success; the other gets ``coupon_used``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sasom.core.audit import Actor, audit_record
from sasom.core.currency import currency_of, places_of, shop_money, unit_label
from sasom.core.errors import Conflict, DomainError, NotFound
from sasom.members.models import Member
from sasom.organizations.models import Branch, Organization, Staff

from .. import errors as E
from .. import points as ledger
from ..models import Coupon, CouponBatch, CouponTemplate
from ..pricing import (
    coupon_code_new,
    coupon_code_normalize,
    coupon_discount,
    coupon_expiry,
)
from ..selectors import member_tier, tier_allowed
from .coupon_events import coupon_announce
from .redeem import ensure_benefits, ensure_branch_allowed, ensure_member


@dataclass(frozen=True)
class BillLine:
    """What the coupon needs to know of a bill line: product, category and net amount."""

    sku: str
    category: str
    amount: Decimal


def _limit_check(member: Member, template: CouponTemplate, extra: int = 1) -> None:
    if template.per_member_limit is None:
        return
    held = Coupon.objects.filter(member=member, template=template).exclude(status=Coupon.Status.CANCELLED).count()
    if held + extra > template.per_member_limit:
        raise DomainError(
            E.COUPON_LIMIT_REACHED,
            _("Limit reached: this member already has %(n)s of this coupon.") % {"n": held},
            field="template",
        )


def _template_check(member: Member, template: CouponTemplate) -> None:
    if template.organization_id != member.organization_id:
        raise NotFound(E.COUPON_NOT_FOUND, _("No such coupon type."), field="template")
    if not template.is_active:
        raise DomainError(E.COUPON_TEMPLATE_INACTIVE, _("This coupon is no longer offered."), field="template")
    allowed = set(template.member_types.values_list("pk", flat=True))
    if allowed and member.member_type_id not in allowed:
        raise DomainError(
            E.NOT_ALLOWED_FOR_MEMBER_TYPE, _("This coupon is not offered to this member type."), field="template"
        )
    if template.tiers and not tier_allowed(template.tiers, member_tier(member)):
        raise DomainError(E.NOT_ALLOWED_FOR_TIER, _("This coupon is only for members of some tiers."), field="template")


def _create_with_unique_code(**fields: Any) -> Coupon:
    for _attempt in range(8):
        try:
            with transaction.atomic():
                return Coupon.objects.create(code=coupon_code_new(), **fields)
        except IntegrityError:
            continue
    raise Conflict(E.CODE_TAKEN, _("Could not make a unique coupon code; try again."))


@transaction.atomic
def coupon_issue(
    *,
    member: Member,
    template: CouponTemplate,
    actor: Actor,
    charge_points: bool = True,
    batch: CouponBatch | None = None,
    now: dt.datetime | None = None,
) -> Coupon:
    """Issue one coupon to the member, paid with ``template.points_cost`` points (soonest-expiring
    lots first) unless ``charge_points`` is False (a gift from marketing)."""
    now = now or timezone.now()
    ensure_member(member, template.organization_id, now)
    _template_check(member, template)
    account = ledger.lock_account(member)
    _limit_check(member, template)
    points = template.points_cost if charge_points else 0
    if points and account.spendable < points:
        raise DomainError(
            E.INSUFFICIENT_POINTS,
            _("Not enough points: %(have)s spendable, %(want)s needed.") % {"have": account.spendable, "want": points},
            field="template",
        )
    coupon = _create_with_unique_code(
        organization_id=template.organization_id,
        template=template,
        batch=batch,
        member=member,
        points=points,
        expires_at=coupon_expiry(
            issued_at=now, time_zone=member.organization.time_zone,
            validity_days=template.validity_days, valid_until_on=template.valid_until_on,
        ),
    )
    if points:
        coupon.spend_entry_id = ledger.spend(
            account, points=points, actor=actor, source_type="rewards.coupon", source_id=str(coupon.pk),
            reason=template.name,
        )
        coupon.save(update_fields=["spend_entry_id"])
    audit_record(
        organization_id=coupon.organization_id, actor=actor, action="coupon.issue", obj=coupon,
        object_repr=f"{template.code} → {member.code}", changes={"points": [0, points]},
    )
    coupon_announce(coupon, used=False, occurred_at=now, member_code=member.code)
    return coupon


# --- use and cancel -----------------------------------------------------------------------------


def coupon_get(organization_id: int, code: str) -> Coupon:
    coupon = (
        Coupon.objects.filter(organization_id=organization_id, code=coupon_code_normalize(code))
        .select_related("template", "member")
        .first()
    )
    if coupon is None:
        raise NotFound(E.COUPON_NOT_FOUND, _("No coupon has this code."), field="code")
    return coupon


def _eligible_amount(template: CouponTemplate, bill_amount: Decimal, lines: Iterable[BillLine] | None) -> Decimal:
    products, categories = set(template.product_codes or []), set(template.category_codes or [])
    if template.kind != CouponTemplate.Kind.DISCOUNT or not (products or categories):
        return bill_amount
    matched = [ln for ln in (lines or []) if ln.sku in products or ln.category in categories]
    if not matched:
        raise DomainError(
            E.COUPON_NOT_APPLICABLE, _("This coupon does not apply to any item on the bill."), field="code"
        )
    return sum((ln.amount for ln in matched), Decimal("0"))


def coupon_validate(
    coupon: Coupon, *, member: Member | None, bill_amount: Decimal, now: dt.datetime
) -> None:
    if coupon.status == Coupon.Status.USED:
        raise Conflict(E.COUPON_USED, _("This coupon was already used."), field="code")
    if coupon.status == Coupon.Status.CANCELLED:
        raise DomainError(E.COUPON_CANCELLED, _("This coupon was cancelled."), field="code")
    if member is None or coupon.member_id != member.pk:
        raise DomainError(E.COUPON_NOT_YOURS, _("This coupon belongs to another member."), field="code")
    ensure_benefits(member, now)
    if now >= coupon.expires_at:
        raise DomainError(E.COUPON_EXPIRED, _("This coupon has expired."), field="code")
    if bill_amount < coupon.template.min_spend:
        raise DomainError(
            E.BELOW_MINIMUM_SPEND,
            _("This coupon needs a bill of at least %(min)s.") % {"min": _shop_amount(coupon.template)},
            field="bill_amount",
        )


def _shop_amount(template: CouponTemplate) -> str:
    """The template's minimum spend as its shop reads it, its unit named (``200.00 THB``,
    ``20,000 toman``): the refusal's one extra query."""
    organization = Organization.objects.filter(pk=template.organization_id).first()
    shown = shop_money(template.min_spend, organization, language=translation.get_language() or "")
    return f"{shown} {unit_label(currency_of(organization))}"


def coupon_quote(*, organization_id: int, code: str, member: Member | None, bill_amount: Decimal,
                 lines: Iterable[BillLine] | None = None, now: dt.datetime | None = None) -> tuple[Coupon, Decimal]:
    """What a coupon would be worth on a bill, refused as :func:`coupon_use` would refuse it;
    writes nothing (the sale's quote)."""
    bill_amount = Decimal(bill_amount)
    if bill_amount <= 0:
        raise DomainError(E.VALUE_INVALID, _("Enter the bill amount."), field="bill_amount")
    coupon = coupon_get(organization_id, code)
    coupon_validate(coupon, member=member, bill_amount=bill_amount, now=now or timezone.now())
    return coupon, _value(coupon.template, bill_amount, lines)


def _value(t: CouponTemplate, bill_amount: Decimal, lines: Iterable[BillLine] | None) -> Decimal:
    # a percent is cut to the currency's minor unit (a whole rial in IRR); a fixed value already fits it
    places = 2
    if t.discount_kind == "percent":
        currency = Organization.objects.filter(pk=t.organization_id).values_list("currency", flat=True).first()
        places = places_of(currency or "THB")
    return coupon_discount(kind=t.kind, discount_kind=t.discount_kind, value=t.value,
                           eligible_amount=_eligible_amount(t, bill_amount, lines), places=places)


@transaction.atomic
def coupon_use(
    *,
    organization_id: int,
    code: str,
    member: Member | None,
    bill_amount: Decimal,
    bill_reference: str,
    branch: Branch,
    actor: Actor,
    staff: Staff | None = None,
    lines: Iterable[BillLine] | None = None,
    now: dt.datetime | None = None,
) -> Coupon:
    """Use a coupon on a bill, once: as a payment (cash coupon) or a discount (discount coupon).

    ``used_amount`` is the money it stands for on this bill, never more than the bill (or, for a
    coupon limited to some products or categories, than those lines).
    """
    now = now or timezone.now()
    ensure_branch_allowed(staff, branch)
    if branch.organization_id != organization_id:
        raise DomainError(E.BRANCH_NOT_ALLOWED, _("This branch belongs to another organization."), field="branch")
    bill_amount = Decimal(bill_amount)
    if bill_amount <= 0:
        raise DomainError(E.VALUE_INVALID, _("Enter the bill amount."), field="bill_amount")
    bill_reference = (bill_reference or "").strip()
    if not bill_reference:
        raise DomainError(E.VALUE_INVALID, _("Enter the receipt number."), field="bill_reference")
    found = coupon_get(organization_id, code)
    coupon = Coupon.objects.select_for_update().select_related("template").get(pk=found.pk)
    coupon_validate(coupon, member=member, bill_amount=bill_amount, now=now)
    amount = _value(coupon.template, bill_amount, lines)
    won = Coupon.objects.filter(pk=coupon.pk, status=Coupon.Status.ISSUED).update(
        status=Coupon.Status.USED, used_at=now, used_bill_reference=bill_reference[:100], used_branch=branch,
        used_amount=amount,
    )
    if not won:
        raise Conflict(E.COUPON_USED, _("This coupon was already used."), field="code")
    coupon.refresh_from_db()
    audit_record(
        organization_id=organization_id, actor=actor, action="coupon.use", obj=coupon,
        object_repr=f"{coupon.code} {bill_reference}",
        changes={"status": [Coupon.Status.ISSUED, Coupon.Status.USED], "amount": [None, str(amount)]},
    )
    coupon_announce(coupon, used=True, occurred_at=now)
    return coupon


@transaction.atomic
def coupon_cancel(*, coupon: Coupon, actor: Actor, reason: str) -> Coupon:
    """Cancel an unused coupon; the points paid for it come back (new lots, original expiry)."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(E.REASON_REQUIRED, _("Give the reason for cancelling."), field="reason")
    account = ledger.lock_account(coupon.member)
    coupon = Coupon.objects.select_for_update().get(pk=coupon.pk)
    if coupon.status == Coupon.Status.USED:
        raise Conflict(E.COUPON_USED, _("A used coupon cannot be cancelled."))
    if coupon.status == Coupon.Status.CANCELLED:
        raise Conflict(E.ALREADY_CANCELLED, _("This coupon is already cancelled."))
    if coupon.points and coupon.spend_entry_id:
        ledger.give_back(
            account, entry_id=coupon.spend_entry_id, points=None, actor=actor,
            source_type="rewards.coupon_cancel", source_id=str(coupon.pk), reason=reason,
        )
    Coupon.objects.filter(pk=coupon.pk).update(
        status=Coupon.Status.CANCELLED, cancelled_at=timezone.now(), cancel_reason=reason[:200]
    )
    coupon.refresh_from_db()
    audit_record(
        organization_id=coupon.organization_id, actor=actor, action="coupon.cancel", obj=coupon,
        changes={"status": [Coupon.Status.ISSUED, Coupon.Status.CANCELLED], "points_returned": [0, coupon.points]},
        reason=reason,
    )
    return coupon
