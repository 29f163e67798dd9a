"""Coupons: issued for points (one member or many by conditions), used once at the POS, cancelled
while unused (points come back).

A coupon's code is 12 characters drawn with :mod:`secrets` from an alphabet without look-alike
characters, unique per organization. Using a coupon is a conditional update of its row
(``status = issued`` → ``used``) after locking it, so two counters scanning the same coupon at
once get exactly one success; the other gets ``coupon_used``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from sasom.core.audit import Actor, audit_record
from sasom.core.errors import Conflict, DomainError, NotFound
from sasom.ledger.models import Entry, PointAccount
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
    local_midnight,
)
from ..selectors import member_tier, members_of_tiers, tier_allowed
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


# --- bulk issue ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class BulkConditions:
    member_type_ids: tuple[int, ...] = ()
    earned_from_on: dt.date | None = None
    earned_to_on: dt.date | None = None  # inclusive
    min_points: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "member_type_ids": list(self.member_type_ids),
            "earned_from_on": self.earned_from_on.isoformat() if self.earned_from_on else None,
            "earned_to_on": self.earned_to_on.isoformat() if self.earned_to_on else None,
            "min_points": self.min_points,
        }


def bulk_members(organization: Organization, conditions: BulkConditions) -> QuerySet[Member]:
    """Active members matching the conditions.

    With a date range, ``min_points`` applies to the points EARNED in that range (local dates,
    both ends included); without one, to the spendable balance now.
    """
    members = Member.objects.filter(organization=organization, status=Member.Status.ACTIVE)
    if conditions.member_type_ids:
        members = members.filter(member_type_id__in=conditions.member_type_ids)
    if conditions.earned_from_on or conditions.earned_to_on:
        tz = organization.time_zone
        earns = Entry.objects.filter(organization=organization, kind=Entry.Kind.EARN)
        if conditions.earned_from_on:
            earns = earns.filter(occurred_at__gte=local_midnight(conditions.earned_from_on, tz))
        if conditions.earned_to_on:
            earns = earns.filter(occurred_at__lt=local_midnight(conditions.earned_to_on + dt.timedelta(days=1), tz))
        ids = (
            earns.values("account__member_id")
            .annotate(total=Sum("amount"))
            .filter(total__gte=max(conditions.min_points, 1))
            .values("account__member_id")
        )
        members = members.filter(pk__in=ids)
    elif conditions.min_points > 0:
        members = members.filter(
            pk__in=PointAccount.objects.filter(
                organization=organization, spendable__gte=conditions.min_points
            ).values("member_id")
        )
    return members


def coupons_bulk_preview(*, organization: Organization, template: CouponTemplate, conditions: BulkConditions) -> int:
    """How many members a bulk issue would reach (before per-member limits)."""
    members = bulk_members(organization, conditions)
    allowed = list(template.member_types.values_list("pk", flat=True))
    if allowed:
        members = members.filter(member_type_id__in=allowed)
    if template.tiers:
        members = members.filter(pk__in=members_of_tiers(organization.pk, template.tiers))
    return members.count()


def coupons_bulk_issue(
    *,
    organization: Organization,
    template: CouponTemplate,
    conditions: BulkConditions,
    actor: Actor,
    charge_points: bool = False,
    expected_count: int | None = None,
    now: dt.datetime | None = None,
) -> CouponBatch:
    """Issue one coupon to every matching member (preview with :func:`coupons_bulk_preview` first).

    ``expected_count`` is the previewed count: when the members changed meanwhile the issue is
    refused so marketing sees the new number first. Members at their limit or (when charging)
    short of points are skipped; each member's coupon is its own transaction.
    """
    if template.organization_id != organization.pk:
        raise NotFound(E.COUPON_NOT_FOUND, _("No such coupon type."), field="template")
    if not template.is_active:
        raise DomainError(E.COUPON_TEMPLATE_INACTIVE, _("This coupon is no longer offered."), field="template")
    count = coupons_bulk_preview(organization=organization, template=template, conditions=conditions)
    if expected_count is not None and expected_count != count:
        raise Conflict(
            E.VALUE_INVALID,
            _("The number of members changed from %(a)s to %(b)s; check the preview again.") % {"a": expected_count, "b": count},
        )
    batch = CouponBatch.objects.create(
        organization=organization, template=template, conditions=conditions.as_json(),
        charge_points=charge_points, created_by_id=actor.user_id,
    )
    members = bulk_members(organization, conditions).select_related("organization", "member_type")
    issued = 0
    for member in members.iterator(chunk_size=500):
        try:
            coupon_issue(member=member, template=template, actor=actor, charge_points=charge_points, batch=batch, now=now)
        except DomainError:
            continue
        issued += 1
    CouponBatch.objects.filter(pk=batch.pk).update(issued_count=issued)
    batch.issued_count = issued
    audit_record(
        organization_id=organization.pk, actor=actor, action="coupon.bulk_issue", obj=batch,
        object_repr=f"{template.code} ×{issued}", changes={"issued": [0, issued], "conditions": [None, conditions.as_json()]},
    )
    return batch


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
            _("This coupon needs a bill of at least %(min)s.") % {"min": coupon.template.min_spend},
            field="bill_amount",
        )


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
    return coupon_discount(kind=t.kind, discount_kind=t.discount_kind, value=t.value,
                           eligible_amount=_eligible_amount(t, bill_amount, lines))


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


def bulk_conditions_from(data: Mapping[str, Any]) -> BulkConditions:
    return BulkConditions(
        member_type_ids=tuple(mt.pk for mt in data.get("member_types") or []),
        earned_from_on=data.get("earned_from_on"),
        earned_to_on=data.get("earned_to_on"),
        min_points=int(data.get("min_points") or 0),
    )
