"""Points reports: movement by kind and period, the member points summary and the points
liability. Each aggregates ``ledger.Entry`` or ``ledger.Lot`` in the database; docs/reports.md
says how each one's totals reconcile with the ledger."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import (
    Case,
    Count,
    DateField,
    Max,
    Min,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from sasom.core import calendars
from sasom.core.currency import currency_of
from sasom.ledger.models import Entry, Lot
from sasom.members.models import MemberType
from sasom.reports import periods
from sasom.reports.charts import movement_chart
from sasom.reports.formatting import DATE, INT, MONEY, MONTH, TEXT
from sasom.reports.framework import (
    Column,
    Report,
    ReportForm,
    Rows,
    Scope,
    branch_filter,
    register,
    tier_filter,
)
from sasom.reports.points_buckets import month_search, period_search, searched, unbucket
from sasom.reports.points_summary import (
    ADJUST_KINDS,
    RETURN_KINDS,
    SIGNED,
    SPENT_KINDS,
    balances_apply,
    summary_rows,
    summary_totals,
)
from sasom.reports.points_summary import sum_of as _sum
from sasom.reports.regroup import ListRows
from sasom.rewards.models import PointsDiscountRule
from sasom.rewards.pricing import points_to_money

__all__ = ["ADJUST_KINDS", "RETURN_KINDS", "SIGNED", "SPENT_KINDS", "entries_in", "member_name", "point_values",
           "points_value"]


def entries_in(scope: Scope, *, before_end_only: bool = False) -> QuerySet[Entry]:
    """The organization's entries for the scope's branches and member type; in the period, or
    (``before_end_only``) everything up to the period's end (balances at both ends)."""
    entries = Entry.objects.filter(organization_id=scope.organization.pk, occurred_at__lt=scope.end_at,
                                   **branch_filter(scope, "branch_id"))
    if not before_end_only:
        entries = entries.filter(occurred_at__gte=scope.start_at)
    if scope.member_type is not None:
        entries = entries.filter(account__member__member_type_id=scope.member_type.pk)
    entries = entries.filter(tier_filter(scope, "account__member_id"))
    return entries


def member_name(row: dict[str, Any], prefix: str = "") -> str:
    return " ".join(p for p in (row.get(f"{prefix}first_name"), row.get(f"{prefix}last_name")) if p)


class MovementForm(ReportForm):
    period = forms.ChoiceField(label=_("Group by"), required=False, initial="month", choices=[
        ("month", _("Month")), ("week", _("Week")), ("day", _("Day"))])
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *Entry.Kind.choices])


@register
class PointsMovement(Report):
    slug = "points-movement"
    group = _("Points")
    title = _("Points movement by kind and period")
    description = _("Points earned, spent, expired, returned and adjusted, per day, week or month.")
    form_class = MovementForm
    default_sort = "period"
    columns = (
        Column("period", _("Period"), MONTH),
        Column("kind_label", _("Kind"), TEXT, order="kind"),
        Column("entries", _("Entries"), INT, total=True),
        Column("members", _("Members"), INT),
        Column("credit", _("Points in"), INT, total=True),
        Column("debit", _("Points out"), INT, total=True),
        Column("net", _("Net points"), INT, total=True),
    )
    note = _("Net points = points in − points out: the change of all balances over the period.")

    def columns_of(self, scope: Scope) -> tuple[Column, ...]:
        if scope.data.get("period") in ("day", "week"):
            return (Column("period", _("Period"), DATE), *self.columns[1:])
        return self.columns

    def _entries(self, scope: Scope) -> QuerySet[Entry]:
        entries = entries_in(scope)
        if scope.data.get("kind"):
            entries = entries.filter(kind=scope.data["kind"])
        return entries

    def rows(self, scope: Scope) -> Rows:
        """Periods × kinds (a few hundred rows at most): one grouped query per screen, shared by
        the page, its count, the totals and the chart. It reads only columns of
        ``entry_org_occurred_idx`` (``COUNT(*)``, not the id): an index-only range of the period."""
        if "movement_rows" not in scope.cache:
            kind = scope.data.get("period") or "month"
            entries = self._entries(scope).order_by()
            if searched(entries):  # PostgreSQL: a binary search over the periods' edges (points_buckets)
                bucket, starts = period_search(scope, kind)
            else:
                bucket, starts = periods.period_bucket(kind, "occurred_at", scope), []
            rows = list(entries.annotate(period=bucket).values("period", "kind")
                        .annotate(entries=Count("*"), members=Count("account_id", distinct=True),
                                  credit=_sum("amount", Q(sign=1)), debit=_sum("amount", Q(sign=-1)),
                                  net=_sum(SIGNED)))
            scope.cache["movement_rows"] = unbucket(rows, "period", starts) if starts else rows
        return ListRows(scope.cache["movement_rows"])  # type: ignore[return-value]

    def totals(self, scope: Scope) -> dict[str, Any]:
        rows = list(self.rows(scope))
        return {key: sum(r[key] for r in rows) for key in ("entries", "credit", "debit", "net")}

    def finish(self, rows: list[dict[str, Any]], scope: Scope) -> list[dict[str, Any]]:
        labels = dict(Entry.Kind.choices)
        for row in rows:
            row["kind_label"] = str(labels.get(row["kind"], row["kind"]))
        return rows

    def chart(self, scope: Scope) -> Any:
        return movement_chart(self, scope)


class SummaryForm(ReportForm):
    code = forms.CharField(label=_("Member code"), required=False, max_length=40)


@register
class MemberPointsSummary(Report):
    slug = "member-points"
    group = _("Points")
    title = _("Member points summary")
    description = _("Per member: opening balance, points earned, spent, expired, returned and adjusted, closing balance.")
    form_class = SummaryForm
    default_sort = "code"
    columns = (
        Column("code", _("Member code"), TEXT, order="account__member__code"),
        Column("name", _("Name"), TEXT, order="account__member__first_name"),
        Column("member_type", _("Member type"), TEXT, order="account__member__member_type__name"),
        Column("opening", _("Opening balance"), INT, total=True),
        Column("earned", _("Earned"), INT, total=True),
        Column("bought", _("Bought"), INT, total=True),
        Column("spent", _("Spent"), INT, total=True),
        Column("expired", _("Expired"), INT, total=True),
        Column("returned", _("Returns and voids"), INT, total=True),
        Column("adjusted", _("Adjustments"), INT, total=True),
        Column("closing", _("Closing balance"), INT, total=True),
    )
    note = _("Opening + earned + bought − spent − expired + returns and voids + adjustments = closing. "
             "A balance is the sum of the member's entries (spendable and pending, less any debt).")

    def _measures(self, scope: Scope) -> dict[str, Any]:
        inside = Q(occurred_at__gte=scope.start_at)
        return {
            "opening": _sum(SIGNED, Q(occurred_at__lt=scope.start_at)),
            "earned": _sum("amount", inside & Q(kind=Entry.Kind.EARN)),
            "bought": _sum("amount", inside & Q(kind=Entry.Kind.BUY)),
            "spent": _sum("amount", inside & Q(kind__in=SPENT_KINDS)),
            "expired": _sum("amount", inside & Q(kind=Entry.Kind.EXPIRE)),
            "returned": _sum(SIGNED, inside & Q(kind__in=RETURN_KINDS)),
            "adjusted": _sum(SIGNED, inside & Q(kind__in=ADJUST_KINDS)),
            "closing": _sum(SIGNED),
        }

    def _entries(self, scope: Scope) -> QuerySet[Entry]:
        entries = entries_in(scope, before_end_only=True)
        if scope.data.get("code"):
            entries = entries.filter(account__member__code=scope.data["code"].strip())
        return entries

    def rows(self, scope: Scope) -> Rows:
        if balances_apply(scope):  # the accounts' balances and the period's entries only
            return summary_rows(scope)  # type: ignore[return-value]
        return (self._entries(scope)
                .values("account_id", "account__member__code", "account__member__first_name",
                        "account__member__last_name", "account__member__member_type__name")
                .annotate(moved=Count("id", filter=Q(occurred_at__gte=scope.start_at)), **self._measures(scope))
                .filter(Q(moved__gt=0) | ~Q(closing=0)))

    def totals(self, scope: Scope) -> dict[str, Any]:
        if balances_apply(scope):
            return summary_totals(scope)
        return self._entries(scope).aggregate(**self._measures(scope))

    def finish(self, rows: list[dict[str, Any]], scope: Scope) -> list[dict[str, Any]]:
        for row in rows:
            row["code"] = row["account__member__code"]
            row["name"] = member_name(row, "account__member__")
            row["member_type"] = row["account__member__member_type__name"]
        return rows


Rate = tuple[int, Decimal]  # points_per_unit points are worth per_amount money


def point_values(organization_id: int) -> tuple[Rate | None, dict[int, Rate]]:
    """What points are worth as a bill discount: the default points-discount rule's rate and each
    member type's own, as (points, the money they are worth)."""
    default: Rate | None = None
    by_type: dict[int, Rate] = {}
    for rule in PointsDiscountRule.objects.filter(organization_id=organization_id, is_active=True):
        rate = (rule.points_per_unit, rule.per_amount)
        if rule.member_type_id is None:
            default = rate
        else:
            by_type[rule.member_type_id] = rate
    return default, by_type


def points_value(points: int, rate: Rate | None, places: int) -> Decimal | None:
    """``points`` at ``rate``, floored to the currency's minor unit; None without a rate."""
    if rate is None:
        return None
    return points_to_money(points, rate[0], places, per_amount=rate[1])


# --- expiry months: the shop's calendar months (one mapping, in Python and in SQL) ---

MonthRange = tuple[dt.date, dt.date, dt.date]  # (month key, first day, first day of the next month)


def expiry_month(expires_on: dt.date | None, organization: Any) -> dt.date | None:
    """The organization's month an expiry date falls in, named by its first day (``periods``): a
    Jalali shop following its calendar has Jalali months (a lot expiring on 30 Esfand 1403, 20
    March 2025, is Esfand's: ``2025-02-19``; one expiring on Nowruz, the next day, Farvardin's:
    ``2025-03-21``), every other shop Gregorian months. None for points that never expire."""
    return None if expires_on is None else periods.month_start(expires_on, organization)


def expiry_month_ranges(first_on: dt.date, last_on: dt.date, organization: Any) -> list[MonthRange]:
    """Every month of the organization from the one holding ``first_on`` to the one holding
    ``last_on``, as (key, first day, first day of the next month): the boundaries a SQL path
    groups expiry dates by (``first day <= expires_on < next month's first day``)."""
    return [(month, month, periods.month_after(month, organization))
            for month in periods.months_between(first_on, last_on, organization)]


def expiry_month_bucket(field: str, organization: Any, first_on: dt.date | None, last_on: dt.date | None) -> Any:
    """A SQL expression: :func:`expiry_month` of the date column ``field``, for expiry dates
    between ``first_on`` and ``last_on`` (the earliest and latest of the rows grouped). Gregorian
    months truncate (``TruncMonth``); other calendars' months are a ``CASE`` over
    :func:`expiry_month_ranges`. NULL for no expiry."""
    if periods.month_calendar(organization) == calendars.GREGORIAN:
        return TruncMonth(field, output_field=DateField())
    if first_on is None or last_on is None:
        return Value(None, output_field=DateField())
    whens = [When(Q(**{f"{field}__gte": start, f"{field}__lt": end}), then=Value(key))
             for key, start, end in expiry_month_ranges(first_on, last_on, organization)]
    return Case(*whens, default=Value(None), output_field=DateField())


@register
class PointsLiability(Report):
    slug = "points-liability"
    group = _("Points")
    title = _("Points liability by expiry month")
    description = _("Outstanding points (spendable and pending) by the month they expire, and their value in money.")
    default_sort = "expires"
    uses_dates = False
    columns = (
        Column("expires", _("Expires in"), MONTH),
        Column("member_type", _("Member type"), TEXT, order="account__member__member_type__name"),
        Column("members", _("Members"), INT),
        Column("pending", _("Pending points"), INT, total=True),
        Column("points", _("Outstanding points"), INT, total=True),
        Column("value", _("Value"), MONEY, total=True, order=None),
    )
    note = _("Outstanding points are the open lots of today; their sum equals the members' spendable and "
             "pending balances. The value is what the points buy as a bill discount (the points-discount "
             "rule of the member type, else the default rule), cut down to the cent per row. "
             "An empty month means points that never expire.")

    def _lots(self, scope: Scope) -> QuerySet[Lot]:
        lots = Lot.objects.filter(organization_id=scope.organization.pk, remaining__gt=0,
                                  **branch_filter(scope, "entry__branch_id"))
        if scope.member_type is not None:
            lots = lots.filter(account__member__member_type_id=scope.member_type.pk)
        lots = lots.filter(tier_filter(scope, "account__member_id"))
        return lots

    def _span(self, scope: Scope) -> tuple[dt.date | None, dt.date | None]:
        """The earliest and latest expiry of the organization's open lots (two probes of
        ``lot_open_expiry_idx``; the scope's filters only narrow the rows inside it), once."""
        if "expiry_span" not in scope.cache:
            span = Lot.objects.filter(organization_id=scope.organization.pk, remaining__gt=0).aggregate(
                first=Min("expires_on"), last=Max("expires_on"))
            scope.cache["expiry_span"] = (span["first"], span["last"])
        return scope.cache["expiry_span"]

    def _expires(self, lots: QuerySet[Lot], scope: Scope) -> tuple[Any, list[dt.date]]:
        """The lots' expiry month in the shop's calendar and the months' first days when it is a
        bucket number: on PostgreSQL a binary search over the months of the lots' span
        (``points_buckets``); elsewhere ``expiry_month_bucket`` (Gregorian months truncate, others
        are a ``CASE`` over the span's months)."""
        gregorian = periods.month_calendar(scope.organization) == calendars.GREGORIAN
        if not searched(lots) and gregorian:
            return expiry_month_bucket("expires_on", scope.organization, None, None), []
        first, last = self._span(scope)
        if not searched(lots) or first is None or last is None:
            return expiry_month_bucket("expires_on", scope.organization, first, last), []
        return month_search(first, last, scope.organization)

    def rows(self, scope: Scope) -> Rows:
        """Expiry months (the shop's calendar) × member types (a few hundred rows): one grouped
        query per screen, shared by the page, its count and the totals. The lots' columns it
        reads are those of ``lot_open_expiry_idx`` (an index-only scan of the open lots)."""
        if "liability_rows" not in scope.cache:
            lots = self._lots(scope)
            expires, starts = self._expires(lots, scope)
            rows = list(lots.order_by().annotate(expires=expires)
                        .values("expires", "account__member__member_type_id")
                        .annotate(members=Count("account_id", distinct=True), points=_sum("remaining"),
                                  pending=_sum("remaining", Q(is_pending=True))))
            # the types' names apart: grouping and sorting every lot by a name too cost a quarter
            # of the query at 400,000 members (docs/performance.md B7r)
            names = dict(MemberType.objects.filter(organization_id=scope.organization.pk).values_list("id", "name"))
            for row in rows:
                row["account__member__member_type__name"] = names.get(row["account__member__member_type_id"])
            scope.cache["liability_rows"] = unbucket(rows, "expires", starts) if starts else rows
        return ListRows(scope.cache["liability_rows"])  # type: ignore[return-value]

    def finish(self, rows: list[dict[str, Any]], scope: Scope) -> list[dict[str, Any]]:
        if "point_values" not in scope.cache:
            scope.cache["point_values"] = point_values(scope.organization.pk)
        default, by_type = scope.cache["point_values"]
        places = currency_of(scope.organization).places
        for row in rows:
            row["member_type"] = row["account__member__member_type__name"]
            rate = by_type.get(row["account__member__member_type_id"], default)
            row["value"] = points_value(row["points"], rate, places)
        return rows

    def totals(self, scope: Scope) -> dict[str, Any]:
        rows = self.finish(list(self.rows(scope)), scope)  # copies of the screen's rows
        return {
            "points": sum(r["points"] for r in rows),
            "pending": sum(r["pending"] for r in rows),
            "value": sum((r["value"] for r in rows if r["value"] is not None), Decimal("0.00")),
        }
