"""Member sales analysis (seed 001): members' sales by month and by one member attribute (member
type, gender, marital status, occupation, age band, branch): members, bills, amount, points; and
the top spenders with their address."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import Case, CharField, DateField, F, Q, Value, When
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from sasom.members.models import Member
from sasom.reports.charts import bars
from sasom.reports.formatting import INT, MONEY, MONTH, TEXT, month_text
from sasom.reports.framework import Column, Report, ReportForm, Rows, Scope, register
from sasom.reports.points import member_name
from sasom.reports.salesdata import measures, member_sales, with_average

AGE_BANDS = ((0, 20, "< 20"), (20, 30, "20–29"), (30, 40, "30–39"), (40, 50, "40–49"), (50, 60, "50–59"),
             (60, None, "60+"))
DIMENSIONS = {
    "member_type": _("Member type"), "gender": _("Gender"), "marital_status": _("Marital status"),
    "occupation": _("Occupation"), "age": _("Age band"), "branch": _("Branch"),
}


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def age_band(today: dt.date) -> Case:
    """The member's age band today, computed in the database from the birth date."""
    whens = []
    for low, high, label in AGE_BANDS:
        condition = Q(member__birth_on__lte=_years_before(today, low))
        if high is not None:
            condition &= Q(member__birth_on__gt=_years_before(today, high))
        whens.append(When(condition, then=Value(label)))
    return Case(*whens, default=Value(""), output_field=CharField())


class SalesForm(ReportForm):
    dimension = forms.ChoiceField(label=_("By"), required=False, choices=[("", _("Member type")),
                                                                          *list(DIMENSIONS.items())[1:]])


@register
class SalesByMonth(Report):
    slug = "sales-by-month"
    group = _("Sales analysis")
    title = _("Member sales by month")
    description = _("Members' bills, amount and points per month, by member type, gender, marital status, "
                    "occupation, age band or branch (the last six months unless you choose).")
    form_class = SalesForm
    default_sort = "month"
    columns = (
        Column("month", _("Month"), MONTH),
        Column("group", _("Group"), TEXT, order="dimension"),
        Column("members", _("Members"), INT),
        Column("visits", _("Bills"), INT, total=True),
        Column("amount", _("Amount"), MONEY, total=True),
        Column("average", _("Average bill"), MONEY, total=True, order=None),
        Column("points", _("Points earned"), INT, total=True),
    )
    note = _("Bills of members net of returns (voided and wholly returned bills are out), by the member's "
             "attribute today. Age bands count from today.")

    def default_period(self, today: dt.date) -> tuple[dt.date, dt.date]:
        month = today.month - 5
        year = today.year + (month - 1) // 12
        return dt.date(year, (month - 1) % 12 + 1, 1), today

    def rows(self, scope: Scope) -> Rows:
        dimension = scope.data.get("dimension") or "member_type"
        expression: Any = {
            "member_type": F("member__member_type__name"), "gender": F("member__gender"),
            "marital_status": F("member__marital_status"), "occupation": F("member__occupation"),
            "branch": F("branch__code"), "age": age_band(scope.today()),
        }[dimension]
        return (member_sales(scope)
                .annotate(month=TruncMonth("occurred_at", tzinfo=scope.zone, output_field=DateField()),
                          dimension=expression)
                .values("month", "dimension").annotate(**measures()))

    def totals(self, scope: Scope) -> dict[str, Any]:
        return with_average([member_sales(scope).aggregate(**measures())])[0]

    def finish(self, rows: list[dict[str, Any]], scope: Scope) -> list[dict[str, Any]]:
        labels = {"gender": dict(Member.Gender.choices), "marital_status": dict(Member.MaritalStatus.choices)}.get(
            scope.data.get("dimension") or "", {})
        for row in rows:
            value = row["dimension"]
            row["group"] = str(labels.get(value, value)) if value else "—"
        return with_average(rows)

    def chart(self, scope: Scope) -> Any:
        amounts = {row["month"]: float(row["amount"]) for row in member_sales(scope)
                   .annotate(month=TruncMonth("occurred_at", tzinfo=scope.zone, output_field=DateField()))
                   .values("month").annotate(amount=measures()["amount"]).order_by("month")}
        return bars(str(_("Members' sales per month (baht)")), [month_text(m, scope.organization) for m in amounts],
                    [(str(_("Amount")), list(amounts.values()))], height=240)


@register
class TopSpenders(Report):
    slug = "top-spenders"
    group = _("Sales analysis")
    title = _("Top spenders with address")
    description = _("Members by what they spent in the period, the biggest first, with their address and phone.")
    export_permission = "members.export"
    default_sort = "-amount"
    columns = (
        Column("code", _("Member code"), TEXT, order="member__code"),
        Column("name", _("Name"), TEXT, order="member__first_name"),
        Column("member_type", _("Member type"), TEXT, order="member__member_type__name"),
        Column("visits", _("Bills"), INT, total=True),
        Column("amount", _("Amount"), MONEY, total=True),
        Column("average", _("Average bill"), MONEY, total=True, order=None),
        Column("points", _("Points earned"), INT, total=True),
        Column("phone", _("Phone"), TEXT, order=None),
        Column("address", _("Address"), TEXT, order=None),
    )
    note = _("Bills of members net of returns (voided and wholly returned bills are out). Exporting needs the "
             "permission to export members.")

    def rows(self, scope: Scope) -> Rows:
        return member_sales(scope).values(
            "member_id", "member__code", "member__title", "member__first_name", "member__last_name",
            "member__member_type__name", "member__phone", "member__address_line", "member__subdistrict",
            "member__district", "member__province", "member__postcode").annotate(**measures())

    def totals(self, scope: Scope) -> dict[str, Any]:
        return with_average([member_sales(scope).aggregate(**measures())])[0]

    def finish(self, rows: list[dict[str, Any]], scope: Scope) -> list[dict[str, Any]]:
        for row in rows:
            row["code"] = row["member__code"]
            row["name"] = " ".join(p for p in (row["member__title"], member_name(row, "member__")) if p)
            row["member_type"] = row["member__member_type__name"]
            row["phone"] = row["member__phone"] or ""
            row["address"] = " ".join(p for p in (row["member__address_line"], row["member__subdistrict"],
                                                 row["member__district"], row["member__province"],
                                                 row["member__postcode"]) if p)
        return with_average(rows)
