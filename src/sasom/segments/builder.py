"""Evaluating a segment: clean its conditions, select its members, preview a count and a sample."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from sasom.core import calendars
from sasom.core.errors import DomainError
from sasom.members.models import Member
from sasom.organizations.models import Organization

from .conditions import CONDITIONS, Context, condition_clean
from .errors import E_CONDITION

MAX_CONDITIONS = 30


def segment_clean(conditions: Any) -> list[dict[str, Any]]:
    """The conditions with their values typed; a :class:`DomainError` names the first bad field."""
    if not isinstance(conditions, list) or len(conditions) > MAX_CONDITIONS:
        raise DomainError(E_CONDITION, _("A segment is a list of up to 30 conditions."), field="conditions")
    clean = [condition_clean(i, c) for i, c in enumerate(conditions)]
    for i, c in enumerate(clean):
        for low, high in (("from_on", "to_on"), ("min_amount", "max_amount"), ("min_points", "max_points"),
                          ("min_age", "max_age")):
            if low in c and high in c and c[low] > c[high]:
                raise DomainError(E_CONDITION, _("The start is after the end."), field=f"conditions.{i}.{high}")
    return clean


def segment_plain(conditions: Any) -> list[dict[str, Any]]:
    """The conditions cleaned and made plain JSON to store (dates as ISO, amounts as strings); a
    stored segment is cleaned again whenever it is read."""
    return [{k: (v.isoformat() if isinstance(v, dt.date) else str(v) if isinstance(v, Decimal) else v)
             for k, v in condition.items()} for condition in segment_clean(conditions)]


def segment_members(*, organization_id: int, conditions: Any, today: dt.date | None = None,
                    time_zone: str | None = None) -> QuerySet[Member]:
    """Members of the organization meeting every condition (never an anonymized member). Given the
    organization's ``time_zone``, building the queryset reads nothing."""
    clean = segment_clean(conditions)
    calendar = ""  # read with the zone when the zone is read; else only if a condition needs it
    if not time_zone:
        organization = (Organization.objects.filter(pk=organization_id)
                        .only("time_zone", "calendar", "periods_follow_calendar").first())
        time_zone = organization.time_zone if organization is not None else ""
        calendar = calendars.period_calendar(organization)
    zone = time_zone or "Asia/Bangkok"
    ctx = Context(organization_id=organization_id, time_zone=zone, calendar=calendar,
                  today=today or timezone.localdate(timezone=zoneinfo.ZoneInfo(zone)))
    qs = Member.objects.filter(organization_id=organization_id, anonymized_at__isnull=True).exclude(
        status=Member.Status.ANONYMIZED)
    for condition in clean:
        qs = CONDITIONS[condition["kind"]].apply(qs, condition, ctx)
    return qs


@dataclass(frozen=True)
class SegmentPreview:
    count: int
    sample: list[Member]


def segment_preview(*, organization_id: int, conditions: Any, sample: int = 10,
                    today: dt.date | None = None) -> SegmentPreview:
    members = segment_members(organization_id=organization_id, conditions=conditions, today=today)
    return SegmentPreview(count=members.count(),
                          sample=list(members.select_related("member_type").order_by("code")[:max(0, min(sample, 50))]))
