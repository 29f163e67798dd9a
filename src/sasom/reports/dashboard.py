"""Dashboard figures and charts. Set-based aggregates only: the cost does not grow with the number
of members or sales shown (a few counts and grouped queries), and the charts are pygal SVG drawn
on the server (``charts``), the same pictures the reports print."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal
from typing import Any

from django.db.models import Count, DateField, IntegerField, Q, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from sasom.core.currency import currency_of, shop_money, unit_label
from sasom.core.permissions import branch_ids_in_scope
from sasom.ledger.models import Entry, Lot, Sale
from sasom.members.models import Member
from sasom.reports import charts
from sasom.reports.points import point_values, points_value
from sasom.reports.replica import days_fresh, summary_rebuilds
from sasom.reports.salesdata import AMOUNT, COUNTED_OUT, net_after_returns, points_after_returns
from sasom.reports.summary import _grouped as summary_grouped
from sasom.reports.summary import summary_on, summary_stale
from sasom.reports.summary_catchup import summary_catch_up
from sasom.reports.summary_mixed import during, mixed
from sasom.reports.summary_models import DailyMemberSales

CHART_DAYS = 14
TREND_DAYS = (14, 30, 90)


def _local_today(org: Any) -> tuple[zoneinfo.ZoneInfo, dt.date]:
    tz = zoneinfo.ZoneInfo(org.time_zone)
    return tz, timezone.now().astimezone(tz).date()


def dashboard_figures(staff: Any) -> list[dict[str, Any]]:
    org = staff.organization
    tz, today = _local_today(org)
    start = dt.datetime.combine(today, dt.time(0), tzinfo=tz)
    members = Member.objects.filter(organization_id=org.pk).aggregate(
        total=Count("id"), active=Count("id", filter=Q(status=Member.Status.ACTIVE)),
        new_today=Count("id", filter=Q(joined_on=today)),
    )
    sales = Sale.objects.filter(organization_id=org.pk, occurred_at__gte=start).exclude(status__in=COUNTED_OUT)
    scope = branch_ids_in_scope(staff)
    if scope is not None:
        sales = sales.filter(branch_id__in=scope)
    day = sales.aggregate(n=Count("id"), points=Sum(points_after_returns()),
                          members=Count("id", filter=Q(member__isnull=False)))
    share = f"{100 * (day['members'] or 0) / day['n']:.0f}%" if day["n"] else "–"
    points, value = outstanding(staff)
    return [
        {"key": "members", "label": gettext_lazy("Members"), "value": members["total"]},
        {"key": "active_members", "label": gettext_lazy("Active members"), "value": members["active"]},
        {"key": "new_members_today", "label": gettext_lazy("New members today"), "value": members["new_today"]},
        {"key": "sales_today", "label": gettext_lazy("Sales today"), "value": day["n"] or 0},
        {"key": "points_today", "label": gettext_lazy("Points given today"), "value": day["points"] or 0},
        {"key": "member_share_today", "label": gettext_lazy("Share of sales by members today"), "value": share},
        {"key": "points_outstanding", "label": gettext_lazy("Points outstanding"), "value": points},
        {"key": "points_outstanding_value", "label": gettext_lazy("Their value"),
         "value": shop_money(value, org, language=get_language() or "") if value is not None else "–"},
    ]


def outstanding(staff: Any) -> tuple[int, Decimal | None]:
    """Open points (spendable and pending) and what they buy as a bill discount, by member type."""
    org = staff.organization
    lots = Lot.objects.filter(organization_id=org.pk, remaining__gt=0)
    scope = branch_ids_in_scope(staff)
    if scope is not None:
        lots = lots.filter(entry__branch_id__in=scope)
    by_type = list(lots.values("account__member__member_type_id").annotate(points=Sum("remaining")))
    default, rules = point_values(org.pk)
    places = currency_of(org).places
    total, value = 0, Decimal(0)
    priced = False
    for row in by_type:
        total += row["points"]
        worth = points_value(row["points"], rules.get(row["account__member__member_type_id"], default), places)
        if worth is not None:
            value += worth
            priced = True
    return total, (value if priced or not by_type else None)


def dashboard_charts(staff: Any, days: int = CHART_DAYS) -> dict[str, Any]:
    """The trend of points in and out and of earning sales over ``days``, the top branches by
    sales and the members by type: four grouped queries, four SVG charts."""
    org = staff.organization
    cur = currency_of(org)
    tz, today = _local_today(org)
    first = today - dt.timedelta(days=days - 1)
    since = dt.datetime.combine(first, dt.time(0), tzinfo=tz)
    scope = branch_ids_in_scope(staff)
    entries = Entry.objects.filter(organization_id=org.pk, occurred_at__gte=since)
    sales = Sale.objects.filter(organization_id=org.pk, occurred_at__gte=since).exclude(status__in=COUNTED_OUT)
    if scope is not None:
        entries, sales = entries.filter(branch_id__in=scope), sales.filter(branch_id__in=scope)
    calendar = [first + dt.timedelta(days=i) for i in range(days)]
    issued = dict.fromkeys(calendar, 0)
    redeemed = dict.fromkeys(calendar, 0)
    expired = dict.fromkeys(calendar, 0)
    for row in (entries.annotate(day=TruncDate("occurred_at", tzinfo=tz)).values("day", "kind")
                .annotate(points=Coalesce(Sum("amount"), 0, output_field=IntegerField()))):
        if row["day"] not in issued:
            continue
        if row["kind"] == Entry.Kind.EARN:
            issued[row["day"]] += row["points"]
        elif row["kind"] in (Entry.Kind.REDEEM, Entry.Kind.PURCHASE):
            redeemed[row["day"]] += row["points"]
        elif row["kind"] == Entry.Kind.EXPIRE:
            expired[row["day"]] += row["points"]
    earning = dict.fromkeys(calendar, 0)
    earners = dict.fromkeys(calendar, 0)
    usable = summary_on() and (summary_rebuilds() or days_fresh(org, first, today))  # replica: no rebuild
    summary = _summary_days(org, scope, first, today) if usable else None
    for day, n, members in _earning_per_day(summary, sales, tz):
        if day in earning:
            earning[day], earners[day] = n, members
    branches = _top_branches(summary, sales)
    types = list(Member.objects.filter(organization_id=org.pk, status=Member.Status.ACTIVE)
                 .values("member_type__name").annotate(n=Count("id")).order_by("-n"))
    labels = [f"{d.day:02d}/{d.month:02d}" for d in calendar]
    return {
        "days": days, "choices": TREND_DAYS,
        "points_total": sum(issued.values()),
        "issued": [issued[d] for d in calendar],
        "points": charts.lines(_("Points per day"), labels, [
            (_("Points given"), [issued[d] for d in calendar]), (_("Redeemed"), [redeemed[d] for d in calendar]),
            (_("Expired"), [expired[d] for d in calendar])]),
        "earning": charts.bars(_("Earning sales and members who earned"), labels, [
            (_("Earning sales"), [earning[d] for d in calendar]), (_("Members who earned"), [earners[d] for d in calendar])],
            height=260),
        "branch_sales": [(b["branch__code"], b["net"]) for b in branches],
        "branches": charts.top_bars(_("Top branches by sales (%(unit)s)") % {"unit": unit_label(cur)},
                                    [(b["branch__code"], float(cur.shown(b["net"] or Decimal(0)))) for b in branches]),
        "types": charts.pie(_("Active members by type"), [(t["member_type__name"], t["n"]) for t in types]),
    }


def _summary_days(org: Any, scope: set[int] | None, first: dt.date, today: dt.date) -> Any:
    """The summary rows (members and walk-ins) of the days shown, or None to read the raw sales.
    On the primary the stale days are handled as a report page handles them (``summary_catchup``,
    decision 0007's second addendum): at most ``REPORTS_SUMMARY_REQUEST_DAYS`` of them rebuilt in
    the request (the newest), the others read from the raw sales in the same query
    (``summary_mixed``) and queued once for the worker; so a trend of 90 days after an upgrade no
    longer rebuilds 90 days in its first view. On a replica they are exact already
    (``replica.days_fresh``)."""
    rows = DailyMemberSales.objects.filter(organization_id=org.pk, day__gte=first, day__lte=today)
    if scope is not None:
        rows = rows.filter(branch_id__in=scope)
    if not summary_rebuilds():
        return rows
    stale = summary_stale(organization=org, start_on=first, end_on=today)
    raw_days = summary_catch_up(organization=org, stale=stale) if stale else []
    if not raw_days:
        return rows
    if len(raw_days) == (today - first).days + 1:  # no day built: the raw sales alone
        return None
    zone = zoneinfo.ZoneInfo(org.time_zone)
    start, end = dt.datetime.combine(first, dt.time(0), tzinfo=zone), dt.datetime.combine(
        today + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
    raw = summary_grouped(org.pk, zone, start, end).filter(during("occurred_at", raw_days, zone))
    return mixed(rows, DailyMemberSales, org.pk, raw_days, raw, {})


def _earning_per_day(summary: Any, sales: Any, tz: zoneinfo.ZoneInfo) -> list[tuple[dt.date, int, int]]:
    """(day, earning bills, members who earned): from the daily summary, or the raw sales."""
    if summary is not None:
        return [(r["day"], r["n"] or 0, r["members"]) for r in summary
                .filter(earning_bills__gt=0).values("day")
                .annotate(n=Sum("earning_bills"), members=Count("member_id", distinct=True))]
    return [(r["day"], r["n"], r["members"]) for r in sales.filter(points_earned__gt=0)
            .annotate(day=TruncDate("occurred_at", tzinfo=tz, output_field=DateField()))
            .values("day").annotate(n=Count("id"), members=Count("member_id", distinct=True))]


def _top_branches(summary: Any, sales: Any) -> list[dict[str, Any]]:
    """The eight branches that sold the most (net of returns) over the days shown."""
    if summary is not None:
        rows = summary.values("branch__code", "branch__name").annotate(net=Sum("amount"))
    else:
        rows = sales.values("branch__code", "branch__name").annotate(net=Sum(net_after_returns(), output_field=AMOUNT))
    return list(rows.order_by("-net", "branch__code")[:8])
