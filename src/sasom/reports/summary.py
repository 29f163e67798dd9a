"""The daily sales summary: how it is built and how it stays exact (docs/decisions/0007).

Days are built set-based by :func:`summary_days_build`: one ``DELETE`` and one
``INSERT ... SELECT`` per run of consecutive days: the counted sales grouped by local day, branch and member (the same
expressions as ``salesdata``: net less returned net, points less reversed points; voided and
wholly returned bills out), then its :class:`SummaryDay` with the zone and the fingerprint. It is
idempotent per (organization, day) and serialised by a lock on that row. The same run rebuilds the
members' sale lines of those days (``linesummary``, decision 0012): one ``SummaryDay`` covers both.

Why a built day can go stale, and how a read notices, cheaply: a day's figures change only when
(1) a sale of that day arrives (today's, or a late one: an offline till, a day-end batch),
(2) a return is written for one of its sales (``ledger.sale_return``: a ``SaleReturn`` row), or
(3) one of its sales is voided (``ledger.sale_void``, which writes an ``AuditEvent`` "sale.void"
in the same transaction). Each of these writes a row with a new, higher id. A day remembers the
highest ids of the three tables when it was built (``*_mark``); before a report reads the
summary, :func:`summary_refresh` looks only at the rows above the lowest mark of the period
(the few written since the last build: an index range on the primary key), finds the days they
touch, and rebuilds those days (and the days never built, or built in another zone). The report
then reads summary rows only. Ledger and checkout import nothing of this.

An id is taken before its transaction commits, so a sale committed just after a build with an id
below the mark would be missed by the marks. The nightly job (:func:`summary_job`) closes that gap:
it compares every summarised day's counts (sales, returns, voided sales) with the raw rows and
rebuilds the days that differ, and it builds the closed days not built yet.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, IntegerField, Max, Min, Q, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from sasom.core.models import AuditEvent
from sasom.ledger.models import Sale, SaleReturn
from sasom.organizations.models import Organization
from sasom.reports.linesummary import lines_build
from sasom.reports.salesdata import AMOUNT, COUNTED_OUT, net_after_returns, points_after_returns
from sasom.reports.summary_models import DailyMemberSales, SummaryDay

VOID_ACTION = "sale.void"
COLUMNS = ("branch_id", "member_id", "bills", "earning_bills", "amount", "points", "first_at", "last_at")
BACKFILL_DAYS = 366 * 3  # the longest period a report covers (framework.MAX_DAYS)
BUILD_CHUNK_DAYS = 7  # the most days one transaction builds (docs/decisions/0007, second addendum)


def summary_on() -> bool:
    """Whether the moved reports read the summary (``REPORTS_SALES_SUMMARY``, on by default);
    off, they aggregate the raw sales: the tests compare both."""
    return bool(getattr(settings, "REPORTS_SALES_SUMMARY", True))


def _bounds(day: dt.date, zone: zoneinfo.ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    return (dt.datetime.combine(day, dt.time(0), tzinfo=zone),
            dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=zone))


def _marks() -> dict[str, int]:
    """The highest ids now; anything written later has a higher one."""
    return {
        "sale_mark": Sale.objects.aggregate(m=Max("id"))["m"] or 0,
        "return_mark": SaleReturn.objects.aggregate(m=Max("id"))["m"] or 0,
        "void_mark": AuditEvent.objects.aggregate(m=Max("id"))["m"] or 0,
    }


def _grouped(organization_id: int, zone: zoneinfo.ZoneInfo, start: dt.datetime, end: dt.datetime) -> Any:
    return (Sale.objects.filter(organization_id=organization_id, occurred_at__gte=start, occurred_at__lt=end)
            .exclude(status__in=COUNTED_OUT).order_by()
            .annotate(day=TruncDate("occurred_at", tzinfo=zone)).values("day", "branch_id", "member_id")
            .annotate(bills=Count("id"), earning_bills=Count("id", filter=Q(points_earned__gt=0)),
                      amount=Coalesce(Sum(net_after_returns(), output_field=AMOUNT), 0, output_field=AMOUNT),
                      points=Coalesce(Sum(points_after_returns(), output_field=IntegerField()), 0,
                                      output_field=IntegerField()),
                      first_at=Min("occurred_at"), last_at=Max("occurred_at")))


def _fingerprints(organization_id: int, zone: zoneinfo.ZoneInfo, start: dt.datetime,
                  end: dt.datetime) -> dict[dt.date, dict[str, int]]:
    """Per local day: its sales, voided sales and returns (two grouped queries)."""
    out: dict[dt.date, dict[str, int]] = {}
    for row in (Sale.objects.filter(organization_id=organization_id, occurred_at__gte=start, occurred_at__lt=end)
                .annotate(d=TruncDate("occurred_at", tzinfo=zone)).values("d")
                .annotate(n=Count("id"), v=Count("id", filter=Q(status=Sale.Status.VOIDED)))):
        out.setdefault(_as_date(row["d"]), {}).update(sales=row["n"], voided=row["v"])
    for row in (SaleReturn.objects.filter(organization_id=organization_id, sale__occurred_at__gte=start,
                                          sale__occurred_at__lt=end)
                .annotate(d=TruncDate("sale__occurred_at", tzinfo=zone)).values("d").annotate(n=Count("id"))):
        out.setdefault(_as_date(row["d"]), {})["returns"] = row["n"]
    return out


def _as_date(value: Any) -> dt.date:
    return dt.date.fromisoformat(value[:10]) if isinstance(value, str) else value


def _runs(days: Iterable[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Sorted days as runs of consecutive days (first, last)."""
    runs: list[tuple[dt.date, dt.date]] = []
    for day in sorted(set(days)):
        if runs and day == runs[-1][1] + dt.timedelta(days=1):
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


@transaction.atomic
def summary_days_build(*, organization_id: int, first: dt.date, last: dt.date, zone_name: str) -> int:
    """(Re)build the organization's local days ``first``..``last``: one DELETE and one
    INSERT ... SELECT for the run, under a lock on its ``SummaryDay`` rows (idempotent)."""
    zone = zoneinfo.ZoneInfo(zone_name)
    days = _days(first, last)
    now = timezone.now()
    SummaryDay.objects.bulk_create([SummaryDay(organization_id=organization_id, day=d, zone=zone_name, built_at=now)
                                    for d in days], ignore_conflicts=True)
    rows = list(SummaryDay.objects.select_for_update().filter(organization_id=organization_id, day__gte=first,
                                                              day__lte=last).order_by("day"))
    marks = _marks()  # before reading the sales: a row written meanwhile is above them
    start, end = _bounds(first, zone)[0], _bounds(last, zone)[1]
    DailyMemberSales.objects.filter(organization_id=organization_id, day__gte=first, day__lte=last).delete()
    inner, params = _grouped(organization_id, zone, start, end).query.sql_with_params()
    table = connection.ops.quote_name(DailyMemberSales._meta.db_table)
    columns = ", ".join(("day", *COLUMNS))
    select = ", ".join(f"s.{c}" for c in ("day", *COLUMNS))
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} (organization_id, {columns}) "  # noqa: S608  (names are ours)
                       f"SELECT %s, {select} FROM ({inner}) s", [organization_id, *params])
    lines_build(organization_id=organization_id, zone=zone, first=first, last=last, start=start, end=end)
    counts = _fingerprints(organization_id, zone, start, end)
    for row in rows:
        found = counts.get(row.day, {})
        row.sales, row.voided, row.returns = found.get("sales", 0), found.get("voided", 0), found.get("returns", 0)
        row.sale_mark, row.return_mark, row.void_mark = marks["sale_mark"], marks["return_mark"], marks["void_mark"]
        row.zone, row.built_at = zone_name, now
    SummaryDay.objects.bulk_update(rows, ["sales", "voided", "returns", "sale_mark", "return_mark", "void_mark",
                                          "zone", "built_at"])
    return len(rows)


def summary_build(*, organization_id: int, days: Iterable[dt.date], zone_name: str) -> int:
    """Build ``days``, a run of consecutive days (at most ``BUILD_CHUNK_DAYS``) per transaction:
    a page rebuilding one of them while the job or the worker builds a year waits for one chunk,
    not for the year (its ``SummaryDay`` rows are locked until the chunk commits)."""
    return sum(summary_days_build(organization_id=organization_id, first=a, last=b, zone_name=zone_name)
               for a, b in _chunks(_runs(days)))


def _chunks(runs: list[tuple[dt.date, dt.date]]) -> list[tuple[dt.date, dt.date]]:
    """The runs cut into pieces of at most ``BUILD_CHUNK_DAYS`` days, in day order (the order every
    builder locks days in, so two of them inside longer transactions cannot deadlock)."""
    out: list[tuple[dt.date, dt.date]] = []
    for first, last in runs:
        while first <= last:
            end = min(last, first + dt.timedelta(days=BUILD_CHUNK_DAYS - 1))
            out.append((first, end))
            first = end + dt.timedelta(days=1)
    return out


def _days(start_on: dt.date, end_on: dt.date) -> list[dt.date]:
    return [start_on + dt.timedelta(days=i) for i in range((end_on - start_on).days + 1)]


def _touched(organization_id: int, zone: zoneinfo.ZoneInfo, built: dict[dt.date, SummaryDay],
             start_at: dt.datetime, end_at: dt.datetime) -> set[dt.date]:
    """The built days a sale, return or void written after their build touches (see the module)."""
    if not built:
        return set()
    low = {name: min(getattr(s, name) for s in built.values()) for name in ("sale_mark", "return_mark", "void_mark")}
    newest: list[tuple[Any, str, int]] = []
    for row in (Sale.objects.filter(organization_id=organization_id, id__gt=low["sale_mark"],
                                    occurred_at__gte=start_at, occurred_at__lt=end_at)
                .annotate(d=TruncDate("occurred_at", tzinfo=zone)).values("d").annotate(m=Max("id"))):
        newest.append((row["d"], "sale_mark", row["m"]))
    for row in (SaleReturn.objects.filter(organization_id=organization_id, id__gt=low["return_mark"],
                                          sale__occurred_at__gte=start_at, sale__occurred_at__lt=end_at)
                .annotate(d=TruncDate("sale__occurred_at", tzinfo=zone)).values("d").annotate(m=Max("id"))):
        newest.append((row["d"], "return_mark", row["m"]))
    voids = dict(AuditEvent.objects.filter(organization_id=organization_id, action=VOID_ACTION,
                                           id__gt=low["void_mark"]).values_list("object_id", "id"))
    if voids:
        for pk, occurred_at in Sale.objects.filter(
                organization_id=organization_id, pk__in=[int(k) for k in voids if k.isdigit()],
                occurred_at__gte=start_at, occurred_at__lt=end_at).values_list("pk", "occurred_at"):
            newest.append((occurred_at.astimezone(zone).date(), "void_mark", voids[str(pk)]))
    return {day for day, mark, value in newest if day in built and value > getattr(built[day], mark)}


def summary_refresh(*, organization: Any, start_on: dt.date, end_on: dt.date) -> list[dt.date]:
    """Make the summary exact for the organization's days ``start_on``..``end_on``: build the
    days never built (or built in another zone) and rebuild those written to since; return them."""
    stale = summary_stale(organization=organization, start_on=start_on, end_on=end_on)
    summary_build(organization_id=organization.pk, days=stale, zone_name=organization.time_zone)
    return sorted(stale)


def summary_stale(*, organization: Any, start_on: dt.date, end_on: dt.date) -> set[dt.date]:
    """The days of ``start_on``..``end_on`` whose summary rows are not exact now: never built, built
    in another zone, or written to since (read only: what a replica reads raw)."""
    zone_name = organization.time_zone
    zone = zoneinfo.ZoneInfo(zone_name)
    built = {s.day: s for s in SummaryDay.objects.filter(organization_id=organization.pk, day__gte=start_on,
                                                          day__lte=end_on, zone=zone_name)}
    start_at, end_at = _bounds(start_on, zone)[0], _bounds(end_on, zone)[1]
    stale = {d for d in _days(start_on, end_on) if d not in built}
    return stale | _touched(organization.pk, zone, built, start_at, end_at)


def _differing(organization_id: int, zone: zoneinfo.ZoneInfo, built: dict[dt.date, SummaryDay]) -> set[dt.date]:
    """The built days whose sales, returns or voided sales no longer count what they did."""
    if not built:
        return set()
    start, end = _bounds(min(built), zone)[0], _bounds(max(built), zone)[1]
    now = _fingerprints(organization_id, zone, start, end)
    return {day for day, summary in built.items()
            if any(now.get(day, {}).get(k, 0) != getattr(summary, k) for k in ("sales", "voided", "returns"))}


def summary_job(*, organization_id: int, on_date: dt.date) -> dict[str, int]:
    """Build the closed days not built yet (back to the longest report period) and rebuild the
    built ones whose counts changed (a sale, return or void the marks could not see)."""
    organization = Organization.objects.get(pk=organization_id)
    zone_name = organization.time_zone
    zone = zoneinfo.ZoneInfo(zone_name)
    last = on_date - dt.timedelta(days=1)
    first_sale = Sale.objects.filter(organization_id=organization_id).aggregate(m=Min("occurred_at"))["m"]
    if first_sale is None:
        return {"built_days": 0, "rebuilt_days": 0}
    first = max(first_sale.astimezone(zone).date(), on_date - dt.timedelta(days=BACKFILL_DAYS))
    built = {s.day: s for s in SummaryDay.objects.filter(organization_id=organization_id, day__gte=first,
                                                          day__lte=last, zone=zone_name)}
    missing = [d for d in _days(first, last) if d not in built] if first <= last else []
    changed = _differing(organization_id, zone, built)
    summary_build(organization_id=organization_id, days=[*missing, *changed], zone_name=zone_name)
    return {"built_days": len(missing), "rebuilt_days": len(changed)}
