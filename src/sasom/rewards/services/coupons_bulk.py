"""Bulk issue: one coupon to every member a segment selects, with the segment builder that
broadcasts, mailing labels and reports use (:mod:`sasom.segments`, docs/decisions/0004-segments.md).

The members reached are those the conditions select that are active and allowed the coupon type
(its member types and tiers). Marketing previews the count and a sample first; the issue carries
the previewed count and is refused when the members changed meanwhile. The back-office form runs
once (``core.forms_once``), so a double click or a resend issues nothing more. Each member's coupon
is its own transaction; members at their limit or (when charging) short of points are skipped.

The batch stores the cleaned conditions (``segment_plain``). Batches made before the segment
builder stored an object (``member_type_ids``, ``earned_from_on``, ``earned_to_on``,
``min_points``); nothing evaluates a batch's conditions again, so those rows stay as written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from sasom.core.audit import Actor, audit_record
from sasom.core.errors import Conflict, DomainError, NotFound
from sasom.members.models import Member
from sasom.organizations.models import Organization
from sasom.segments.builder import segment_members, segment_plain

from .. import errors as E
from ..models import CouponBatch, CouponTemplate
from ..selectors import members_of_tiers
from .coupons import coupon_issue

SAMPLE = 10


def bulk_recipients(*, organization: Organization, template: CouponTemplate, conditions: Any) -> QuerySet[Member]:
    """The active members the conditions select that the coupon type is offered to."""
    members = segment_members(organization_id=organization.pk, conditions=conditions).filter(
        status=Member.Status.ACTIVE)
    allowed = list(template.member_types.values_list("pk", flat=True))
    if allowed:
        members = members.filter(member_type_id__in=allowed)
    if template.tiers:
        members = members.filter(pk__in=members_of_tiers(organization.pk, template.tiers))
    return members


@dataclass(frozen=True)
class BulkPreview:
    count: int
    sample: list[Member]


def coupons_bulk_preview(*, organization: Organization, template: CouponTemplate, conditions: Any,
                         sample: int = SAMPLE) -> BulkPreview:
    """How many members a bulk issue would reach (before per-member limits) and a few of them."""
    members = bulk_recipients(organization=organization, template=template, conditions=conditions)
    return BulkPreview(count=members.count(),
                       sample=list(members.select_related("member_type").order_by("code")[:max(0, sample)]))


def coupons_bulk_issue(
    *,
    organization: Organization,
    template: CouponTemplate,
    conditions: Any,
    actor: Actor,
    charge_points: bool = False,
    expected_count: int | None = None,
    now: dt.datetime | None = None,
) -> CouponBatch:
    """Issue one coupon to every member :func:`bulk_recipients` selects (preview first).

    ``expected_count`` is the previewed count: when the members changed meanwhile the issue is
    refused so marketing sees the new number first."""
    if template.organization_id != organization.pk:
        raise NotFound(E.COUPON_NOT_FOUND, _("No such coupon type."), field="template")
    if not template.is_active:
        raise DomainError(E.COUPON_TEMPLATE_INACTIVE, _("This coupon is no longer offered."), field="template")
    stored = segment_plain(conditions)
    members = bulk_recipients(organization=organization, template=template, conditions=stored)
    count = members.count()
    if expected_count is not None and expected_count != count:
        raise Conflict(
            E.VALUE_INVALID,
            _("The number of members changed from %(a)s to %(b)s; check the preview again.") % {"a": expected_count, "b": count},
            field="expected_count",
        )
    batch = CouponBatch.objects.create(
        organization=organization, template=template, conditions=stored,
        charge_points=charge_points, created_by_id=actor.user_id,
    )
    issued = 0
    for member in members.select_related("organization", "member_type").order_by("pk").iterator(chunk_size=500):
        try:
            coupon_issue(member=member, template=template, actor=actor, charge_points=charge_points, batch=batch, now=now)
        except DomainError:
            continue
        issued += 1
    CouponBatch.objects.filter(pk=batch.pk).update(issued_count=issued)
    batch.issued_count = issued
    audit_record(
        organization_id=organization.pk, actor=actor, action="coupon.bulk_issue", obj=batch,
        object_repr=f"{template.code} ×{issued}", changes={"issued": [0, issued], "conditions": [None, stored]},
    )
    return batch
