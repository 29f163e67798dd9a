"""Redemption reports: detail, by reward, and by month and branch (``rewards.Redemption``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Count, DecimalField, IntegerField, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from sasom.reports import periods
from sasom.reports.charts import top_bars
from sasom.reports.formatting import DATETIME, INT, MONEY, MONTH, TEXT
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
from sasom.reports.points import member_name
from sasom.rewards.models import Redemption

MEASURES = {
    "redemptions": Count("id"),
    "quantity": Coalesce(Sum("quantity"), 0, output_field=IntegerField()),
    "points": Coalesce(Sum("points"), 0, output_field=IntegerField()),
    "cash_copay": Coalesce(Sum("cash_copay"), Decimal("0"), output_field=DecimalField(max_digits=14, decimal_places=2)),
}


class RedemptionForm(ReportForm):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[
        ("", _("Redeemed (not cancelled)")), ("cancelled", _("Cancelled")), ("all", _("All"))])


def redemptions_in(scope: Scope) -> QuerySet[Redemption]:
    redemptions = Redemption.objects.filter(organization_id=scope.organization.pk, created_at__gte=scope.start_at,
                                            created_at__lt=scope.end_at, **branch_filter(scope, "branch_id"))
    if scope.member_type is not None:
        redemptions = redemptions.filter(member__member_type_id=scope.member_type.pk)
    redemptions = redemptions.filter(tier_filter(scope, "member_id"))
    status = scope.data.get("status") or ""
    if status == "":
        redemptions = redemptions.filter(status=Redemption.Status.DONE)
    elif status == "cancelled":
        redemptions = redemptions.filter(status=Redemption.Status.CANCELLED)
    return redemptions


class RedemptionReport(Report):
    group = _("Redemptions")
    form_class = RedemptionForm
    note = _("Points are those the member paid; a cancelled redemption gave them back and counts only "
             "under the status Cancelled.")

    def totals(self, scope: Scope) -> dict[str, Any]:
        return redemptions_in(scope).aggregate(**MEASURES, members=Count("member_id", distinct=True))


@register
class RedemptionDetail(RedemptionReport):
    slug = "redemption-detail"
    title = _("Redemption detail")
    description = _("Every redemption: when, where, who, which reward, points and cash paid.")
    default_sort = "-created_at"
    columns = (
        Column("created_at", _("Redeemed at"), DATETIME),
        Column("number", _("Slip number"), TEXT),
        Column("branch", _("Branch"), TEXT, order="branch__code"),
        Column("member_code", _("Member code"), TEXT, order="member__code"),
        Column("member_name", _("Name"), TEXT, order="member__first_name"),
        Column("reward", _("Reward"), TEXT, order="reward__name"),
        Column("status_label", _("Status"), TEXT, order="status"),
        Column("quantity", _("Quantity"), INT, total=True),
        Column("points", _("Points"), INT, total=True),
        Column("cash_copay", _("Cash co-payment"), MONEY, total=True),
    )

    def rows(self, scope: Scope) -> Rows:
        return redemptions_in(scope).values(
            "created_at", "number", "branch__code", "member__code", "member__first_name", "member__last_name",
            "reward__code", "reward__name", "status", "quantity", "points", "cash_copay")

    def finish(self, rows: list[dict[str, Any]], scope: Scope) -> list[dict[str, Any]]:
        labels = dict(Redemption.Status.choices)
        for row in rows:
            row["branch"] = row["branch__code"]
            row["member_code"] = row["member__code"]
            row["member_name"] = member_name(row, "member__")
            row["reward"] = f'{row["reward__code"]} {row["reward__name"]}'
            row["status_label"] = str(labels.get(row["status"], row["status"]))
        return rows


@register
class RedemptionsByReward(RedemptionReport):
    slug = "redemptions-by-reward"
    title = _("Redemptions by reward")
    description = _("Per reward: redemptions, members, quantity, points and cash paid.")
    default_sort = "-points"
    columns = (
        Column("reward_code", _("Reward code"), TEXT, order="reward__code"),
        Column("reward_name", _("Reward"), TEXT, order="reward__name"),
        Column("redemptions", _("Redemptions"), INT, total=True),
        Column("members", _("Members"), INT, total=True),
        Column("quantity", _("Quantity"), INT, total=True),
        Column("points", _("Points"), INT, total=True),
        Column("cash_copay", _("Cash co-payment"), MONEY, total=True),
    )
    note = _("Members in the totals row counts each member once, however many rewards they took.")

    def rows(self, scope: Scope) -> Rows:
        return (redemptions_in(scope).values("reward_id", "reward__code", "reward__name")
                .annotate(**MEASURES, members=Count("member_id", distinct=True)))

    def finish(self, rows: list[dict[str, Any]], scope: Scope) -> list[dict[str, Any]]:
        for row in rows:
            row["reward_code"], row["reward_name"] = row["reward__code"], row["reward__name"]
        return rows

    def chart(self, scope: Scope) -> Any:
        rows = self.finish(list(self.sorted_rows(scope, "-points")[:10]), scope)
        return top_bars(str(_("Points redeemed, top 10 rewards")), [(r["reward_code"], r["points"]) for r in rows])


@register
class RedemptionsByMonth(RedemptionReport):
    slug = "redemptions-by-month"
    title = _("Redemption summary by month and branch")
    description = _("Per month and branch: redemptions, members, quantity, points and cash paid.")
    default_sort = "month"
    columns = (
        Column("month", _("Month"), MONTH),
        Column("branch", _("Branch"), TEXT, order="branch__code"),
        Column("redemptions", _("Redemptions"), INT, total=True),
        Column("members", _("Members"), INT),
        Column("quantity", _("Quantity"), INT, total=True),
        Column("points", _("Points"), INT, total=True),
        Column("cash_copay", _("Cash co-payment"), MONEY, total=True),
    )

    def rows(self, scope: Scope) -> Rows:
        return (redemptions_in(scope)
                .annotate(month=periods.period_bucket("month", "created_at", scope))
                .values("month", "branch__code", "branch__name")
                .annotate(**MEASURES, members=Count("member_id", distinct=True)))

    def finish(self, rows: list[dict[str, Any]], scope: Scope) -> list[dict[str, Any]]:
        for row in rows:
            row["branch"] = f'{row["branch__code"]} {row["branch__name"]}'
        return rows
