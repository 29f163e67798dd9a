"""Campaigns: POS promotion usage (issue 11's promotions). Per promotion (and per month, week or
day when asked): the times it applied, the bills, the units it took, the discount it gave in
money, the bills of members and of non-members, the bills' amount net of returns, and its budget
(bills, all time) used and left; and the bills themselves (``promotion-usage-bills``).

What counts is what every sales report counts (``salesdata``): a voided bill is out, and so is a
bill returned in full; a partly returned bill counts once, its amount lowered by what its returns
gave back. The discount is the one the till gave on those bills (``PromotionUse.discount``, one row
per promotion and bill): a return that takes a lost benefit back does it in money, in the
return's ``returned_net``, which the amount column deducts. So the discount total equals Σ
``SaleLine.promotion_discount`` of the same bills (``test_promotion_usage.py``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.db.models import (
    Count,
    DecimalField,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from sasom.core.money import money
from sasom.ledger.models import SaleReturn
from sasom.promotions.models import Promotion, PromotionUse
from sasom.reports import periods
from sasom.reports.charts import top_bars
from sasom.reports.formatting import DATE, DATETIME, INT, MONEY, MONTH, TEXT
from sasom.reports.framework import Column, Report, ReportForm, Rows, Scope, register
from sasom.reports.salesdata import AMOUNT, COUNTED_OUT

UNITS: DecimalField[Decimal, Decimal] = DecimalField(max_digits=16, decimal_places=3)
MONEY_KEYS = ("discount", "amount")


def in_money(row: dict[str, Any]) -> dict[str, Any]:
    """Sums of money as two-place Decimals (SQLite's sums drop trailing zeros)."""
    for key in MONEY_KEYS:
        if row.get(key) is not None:
            row[key] = money(row[key])
    return row


class PromotionUsageForm(ReportForm):
    promotion = forms.TypedChoiceField(label=_("Promotion"), required=False, coerce=int, empty_value=None)
    period = forms.ChoiceField(label=_("Per"), required=False, choices=[
        ("", _("Whole period")), ("month", _("Month")), ("week", _("Week")), ("day", _("Day"))])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["promotion"]).choices = [
            ("", _("All promotions")),
            *[(pk, f"{code} {name}") for pk, code, name in Promotion.objects.filter(
                organization_id=self.staff.organization_id).order_by("code").values_list("pk", "code", "name")]]


def uses_counted(scope: Scope) -> QuerySet[PromotionUse]:
    """The promotions' uses on the bills of the period and branches that still count."""
    uses = (PromotionUse.objects.filter(organization_id=scope.organization.pk, occurred_at__gte=scope.start_at,
                                        occurred_at__lt=scope.end_at)
            .exclude(sale__status__in=COUNTED_OUT))
    if scope.branch_ids is not None:
        uses = uses.filter(sale__branch_id__in=scope.branch_ids)
    if scope.data.get("promotion"):
        uses = uses.filter(promotion_id=scope.data["promotion"])
    return uses


def bill_amount() -> Any:
    """The bill's net less what its returns gave back (over a PromotionUse row)."""
    returned = (SaleReturn.objects.filter(sale_id=OuterRef("sale_id")).order_by().values("sale_id")
                .annotate(s=Sum("returned_net")).values("s")[:1])
    return F("sale__net") - Coalesce(Subquery(returned, output_field=AMOUNT), Decimal("0"), output_field=AMOUNT)


def usage_measures() -> dict[str, Any]:
    return {
        "times": Coalesce(Sum("times"), 0, output_field=IntegerField()),
        "bills": Count("id"),  # one use per promotion and bill
        "units": Coalesce(Sum("units"), Decimal("0"), output_field=UNITS),
        "discount": Coalesce(Sum("discount"), Decimal("0"), output_field=AMOUNT),
        "member_bills": Count("id", filter=Q(sale__member__isnull=False)),
        "other_bills": Count("id", filter=Q(sale__member__isnull=True)),
        "amount": Coalesce(Sum(bill_amount(), output_field=AMOUNT), Decimal("0"), output_field=AMOUNT),
    }


MEASURE_COLUMNS = (
    Column("times", _("Times applied"), INT, total=True),
    Column("bills", _("Bills"), INT, total=True),
    Column("member_bills", _("Members' bills"), INT, total=True),
    Column("other_bills", _("Non-members' bills"), INT, total=True),
    Column("units", _("Units"), MONEY, total=True),
    Column("discount", _("Discount given"), MONEY, total=True),
    Column("amount", _("Bills' amount"), MONEY, total=True),
)


@register
class PromotionUsage(Report):
    slug = "promotion-usage"
    group = _("Campaigns")
    title = _("Promotion usage")
    description = _("Per promotion (and month, week or day): times applied, bills, members' and non-members' bills, "
                    "units, discount given, the bills' amount, and the budget used and left.")
    form_class = PromotionUsageForm
    default_sort = "-discount"
    uses_member_type = False
    columns = (
        Column("code", _("Promotion"), TEXT, order="promotion__code"),
        Column("name", _("Name"), TEXT, order="promotion__name"),
        *MEASURE_COLUMNS,
        Column("budget", _("Budget (bills)"), INT, order="promotion__budget"),
        Column("budget_used", _("Budget used"), INT, order="promotion__uses"),
        Column("budget_left", _("Budget left"), INT, order=None),
    )
    note = _("Voided bills and bills returned in full do not count; a return lowers its bill's amount. The discount "
             "is what the till gave on the bills that count. The budget counts bills since the promotion began, "
             "whatever the period.")

    def columns_of(self, scope: Scope) -> tuple[Column, ...]:
        kind = scope.data.get("period") or ""
        if not kind:
            return self.columns
        period = Column("period", _("Period"), MONTH if kind == "month" else DATE)
        return (period, *self.columns)

    def rows(self, scope: Scope) -> Rows:
        uses = uses_counted(scope)
        fields = ["promotion_id", "promotion__code", "promotion__name", "promotion__budget", "promotion__uses"]
        kind = scope.data.get("period") or ""
        if kind:
            uses = uses.annotate(period=periods.period_bucket(kind, "occurred_at", scope))
            fields.insert(0, "period")
        return uses.values(*fields).annotate(**usage_measures())

    def sorted_rows(self, scope: Scope, sort: str) -> Rows:
        rows = super().sorted_rows(scope, sort)
        return rows.order_by("period", *rows.query.order_by) if scope.data.get("period") and not sort else rows

    def totals(self, scope: Scope) -> dict[str, Any]:
        return in_money(uses_counted(scope).aggregate(**usage_measures()))

    def finish(self, rows: list[dict[str, Any]], scope: Scope) -> list[dict[str, Any]]:
        for row in rows:
            row["code"], row["name"] = row["promotion__code"], row["promotion__name"]
            budget, used = row["promotion__budget"], row["promotion__uses"]
            row["budget"], row["budget_used"] = budget, used
            row["budget_left"] = max(0, budget - used) if budget is not None else None
            in_money(row)
        return rows

    def chart(self, scope: Scope) -> Any:
        top = list(uses_counted(scope).values("promotion__code").annotate(d=Sum("discount")).order_by("-d")[:10])
        return top_bars(str(_("Discount given, top 10 promotions")), [(r["promotion__code"], float(r["d"])) for r in top])


@register
class PromotionUsageBills(Report):
    slug = "promotion-usage-bills"
    group = _("Campaigns")
    title = _("Promotion usage, the bills")
    description = _("Every bill a promotion applied to: date, receipt, branch, member, times, units, discount and "
                    "the bill's amount net of returns.")
    form_class = PromotionUsageForm
    default_sort = "-occurred_at"
    uses_member_type = False
    columns = (
        Column("occurred_at", _("Date"), DATETIME),
        Column("receipt", _("Receipt"), TEXT, order="sale__receipt_id"),
        Column("branch", _("Branch"), TEXT, order="sale__branch__code"),
        Column("code", _("Promotion"), TEXT, order="promotion__code"),
        Column("member", _("Member code"), TEXT, order="sale__member__code"),
        Column("times", _("Times applied"), INT, total=True),
        Column("units", _("Units"), MONEY, total=True),
        Column("discount", _("Discount given"), MONEY, total=True),
        Column("amount", _("Bill's amount"), MONEY, total=True),
    )
    note = PromotionUsage.note

    def columns_of(self, scope: Scope) -> tuple[Column, ...]:
        return self.columns

    def rows(self, scope: Scope) -> Rows:
        return uses_counted(scope).values(
            "id", "occurred_at", "sale__receipt_id", "sale__branch__code", "promotion__code", "sale__member__code",
            "times", "units", "discount").annotate(amount=bill_amount())

    def totals(self, scope: Scope) -> dict[str, Any]:
        measures = usage_measures()
        return in_money(uses_counted(scope).aggregate(times=measures["times"], units=measures["units"],
                                                      discount=measures["discount"], amount=measures["amount"]))

    def finish(self, rows: list[dict[str, Any]], scope: Scope) -> list[dict[str, Any]]:
        for row in rows:
            row.update(receipt=row["sale__receipt_id"], branch=row["sale__branch__code"],
                       code=row["promotion__code"], member=row["sale__member__code"] or "")
            in_money(row)
        return rows

    def default_period(self, today: dt.date, organization: Any) -> tuple[dt.date, dt.date]:
        return periods.month_start(today, organization), today
