"""Dashboard figures and the points chart. Set-based aggregates only: the cost does not grow with
the number of members or sales shown (two grouped queries for the chart, a few counts)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sasom.core.permissions import branch_ids_in_scope
from sasom.ledger.models import Sale
from sasom.members.models import Member

CHART_DAYS = 14


def dashboard_figures(staff: Any) -> list[dict[str, Any]]:
    org = staff.organization
    tz = zoneinfo.ZoneInfo(org.time_zone)
    today = timezone.now().astimezone(tz).date()
    start = dt.datetime.combine(today, dt.time(0), tzinfo=tz)
    members = Member.objects.filter(organization_id=org.pk).aggregate(
        total=Count("id"), active=Count("id", filter=Q(status=Member.Status.ACTIVE)),
        new_today=Count("id", filter=Q(joined_on=today)),
    )
    sales = Sale.objects.filter(organization_id=org.pk, occurred_at__gte=start).exclude(status=Sale.Status.VOIDED)
    scope = branch_ids_in_scope(staff)
    if scope is not None:
        sales = sales.filter(branch_id__in=scope)
    day = sales.aggregate(n=Count("id"), points=Sum("points_earned"), net=Sum("net"),
                          members=Count("id", filter=Q(member__isnull=False)))
    share = f"{100 * (day['members'] or 0) / day['n']:.0f}%" if day["n"] else "–"
    return [
        {"key": "members", "label": _("Members"), "value": members["total"]},
        {"key": "active_members", "label": _("Active members"), "value": members["active"]},
        {"key": "new_members_today", "label": _("New members today"), "value": members["new_today"]},
        {"key": "sales_today", "label": _("Sales today"), "value": day["n"] or 0},
        {"key": "points_today", "label": _("Points given today"), "value": day["points"] or 0},
        {"key": "member_share_today", "label": _("Share of sales by members today"), "value": share},
    ]


def points_chart(staff: Any) -> dict[str, Any]:
    """Points given and net sales per day for the last ``CHART_DAYS`` days, as SVG bar geometry."""
    org = staff.organization
    tz = zoneinfo.ZoneInfo(org.time_zone)
    today = timezone.now().astimezone(tz).date()
    first = today - dt.timedelta(days=CHART_DAYS - 1)
    sales = Sale.objects.filter(
        organization_id=org.pk, occurred_at__gte=dt.datetime.combine(first, dt.time(0), tzinfo=tz)
    ).exclude(status=Sale.Status.VOIDED)
    scope = branch_ids_in_scope(staff)
    if scope is not None:
        sales = sales.filter(branch_id__in=scope)
    rows = {
        r["day"]: r["points"] or 0
        for r in sales.annotate(day=TruncDate("occurred_at", tzinfo=tz)).values("day").annotate(points=Sum("points_earned"))
    }
    days = [first + dt.timedelta(days=i) for i in range(CHART_DAYS)]
    values = [int(rows.get(d, 0)) for d in days]
    top = max(values) or 1
    width, height, gap = 36, 120, 8
    bars = [
        {"x": i * (width + gap), "y": height - round(height * v / top), "h": round(height * v / top),
         "w": width, "value": v, "label": d.strftime("%d/%m"), "lx": i * (width + gap) + width / 2}
        for i, (d, v) in enumerate(zip(days, values, strict=True))
    ]
    return {"bars": bars, "width": CHART_DAYS * (width + gap), "height": height, "total": sum(values)}
