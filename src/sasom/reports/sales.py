"""Member sales analysis (seed 001): members' sales by month and by one member attribute (member
type, gender, marital status, occupation, age band, branch): members, bills, amount, points; and
the top spenders with their address."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.db.models import Case, CharField, F, Q, Value, When
from django.utils.translation import gettext_lazy as _

from sasom.core.currency import currency_of, unit_label
from sasom.members.models import Member
from sasom.reports import periods
from sasom.reports.charts import bars
from sasom.reports.formatting import INT, MONEY, MONTH, TEXT, month_text
from sasom.reports.framework import Column, Report, ReportForm, Rows, Scope, register
from sasom.reports.periods import months_of
from sasom.reports.points import member_name
from sasom.reports.regroup import ListRows
from sasom.reports.salesdata import with_average
from sasom.reports.salessource import (
    CountedRows,
    amount_in,
    measures_of,
    month_in,
    per_member_measures,
    period_of,
    sales_of,
)

AGE_BANDS = ((0, 20, "< 20"), (20, 30, "20–29"), (30, 40, "30–39"), (40, 50, "40–49"), (50, 60, "50–59"),
             (60, None, "60+"))
DIMENSIONS = {
    "member_type": _("Member type"), "gender": _("Gender"), "marital_status": _("Marital status"),
    "occupation": _("Occupation"), "age": _("Age band"), "branch": _("Branch"), "all": _("All members"),
}


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def age_band(today: dt.date, member: str = "member__") -> Case:
    """The member's age band today, computed in the database from the birth date (``member`` is
    the path to the member: ``member__`` from a sale, ``sale__member__`` from a sale line)."""
    whens = []
    for low, high, label in AGE_BANDS:
        condition = Q(**{f"{member}birth_on__lte": _years_before(today, low)})
        if high is not None:
            condition &= Q(**{f"{member}birth_on__gt": _years_before(today, high)})
        whens.append(When(condition, then=Value(label)))
    return Case(*whens, default=Value(""), output_field=CharField())


def group_expression(scope: Scope) -> Any:
    """The member attribute (today's) a sale is grouped by, as chosen in the filter."""
    dimension = scope.data.get("dimension") or "member_type"
    return {
        "member_type": F("member__member_type__name"), "gender": F("member__gender"),
        "marital_status": F("member__marital_status"), "occupation": F("member__occupation"),
        "branch": F("branch__code"), "age": age_band(scope.today()), "all": Value("*"),
    }[dimension]


def group_labels(rows: list[dict[str, Any]], scope: Scope) -> list[dict[str, Any]]:
    labels = {"gender": dict(Member.Gender.choices), "marital_status": dict(Member.MaritalStatus.choices)}.get(
        scope.data.get("dimension") or "", {})
    everyone = scope.data.get("dimension") == "all"
    for row in rows:
        value = row["dimension"]
        row["group"] = str(_("All members")) if everyone else str(labels.get(value, value)) if value else "—"
    return rows


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

    def default_period(self, today: dt.date, organization: Any) -> tuple[dt.date, dt.date]:
        return periods.last_months(today, 6, organization)

    def rows(self, scope: Scope) -> Rows:
        """A few hundred rows at most (months × groups): one query per screen, shared by the page,
        its count and the chart (``regroup.ListRows``)."""
        if "sales-by-month" not in scope.cache:
            expression = group_expression(scope)
            scope.cache["sales-by-month"] = ListRows(list(
                sales_of(scope).annotate(month=period_of(scope, "month"), dimension=expression)
                .values("month", "dimension").annotate(**measures_of(scope)).order_by()))
        return cast(Rows, scope.cache["sales-by-month"])

    def totals(self, scope: Scope) -> dict[str, Any]:
        return with_average([sales_of(scope).aggregate(**measures_of(scope))])[0]

    def finish(self, rows: list[dict[str, Any]], scope: Scope) -> list[dict[str, Any]]:
        return with_average(group_labels(rows, scope))

    def chart(self, scope: Scope) -> Any:
        per_month: dict[Any, Decimal] = {}
        for row in self.rows(scope):
            per_month[row["month"]] = per_month.get(row["month"], Decimal("0")) + row["amount"]
        cur = currency_of(scope.organization)
        amounts = {month: float(cur.shown(per_month[month])) for month in sorted(per_month)}
        return bars(str(_("Members' sales per month (%(unit)s)") % {"unit": unit_label(cur)}), [month_text(m, scope.organization) for m in amounts],
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
        # grouped by the member alone: the page's members are read in ``finish`` (the join of every
        # member who came, before grouping, was this report's cost at a million members)
        return sales_of(scope).values("member_id").annotate(**per_member_measures(scope))

    def sorted_rows(self, scope: Scope, sort: str) -> Rows:
        """By a measure, ties by the member's id (the grouped sales alone are sorted); by a member's
        field, as every report. Counted by the totals (the members who spent), computed once."""
        sort = sort or self.default_sort
        column = next(c for c in self.columns if c.key == sort.lstrip("-"))
        if not column.numeric:
            return cast(Rows, CountedRows(super().sorted_rows(scope, sort), lambda: self.totals(scope)["members"]))
        assert column.order_field
        order = ("-" if sort.startswith("-") else "") + column.order_field
        return cast(Rows, CountedRows(self.rows(scope).order_by(order, "member_id"),
                                      lambda: self.totals(scope)["members"]))

    def totals(self, scope: Scope) -> dict[str, Any]:
        if "top-spenders-totals" not in scope.cache:
            scope.cache["top-spenders-totals"] = with_average([sales_of(scope).aggregate(**measures_of(scope))])[0]
        return dict(scope.cache["top-spenders-totals"])

    def finish(self, rows: list[dict[str, Any]], scope: Scope) -> list[dict[str, Any]]:
        people: dict[int, dict[str, Any]] = {m["id"]: dict(m) for m in Member.objects.filter(pk__in=[r["member_id"] for r in rows]).values(
            "id", "code", "title", "first_name", "last_name", "member_type__name", "phone", "address_line",
            "subdistrict", "district", "province", "postcode")}
        for row in rows:
            person = people[row["member_id"]]
            row["code"] = person["code"]
            row["name"] = " ".join(p for p in (person["title"], member_name(person)) if p)
            row["member_type"] = person["member_type__name"]
            row["phone"] = person["phone"] or ""
            row["address"] = " ".join(p for p in (person["address_line"], person["subdistrict"], person["district"],
                                                 person["province"], person["postcode"]) if p)
        return with_average(rows)


@register
class SalesMonthColumns(Report):
    slug = "sales-month-columns"
    group = _("Sales analysis")
    title = _("Member sales, a column per month")
    description = _("Members' sales of the last six months unless you choose, overall or per member type, gender, "
                    "marital status, occupation, age band or branch: the amount of each month, then members, bills, "
                    "amount and points.")
    form_class = SalesForm
    default_sort = "-amount"
    columns = (
        Column("group", _("Group"), TEXT, order="dimension"),
        Column("members", _("Members"), INT, total=True),
        Column("visits", _("Bills"), INT, total=True),
        Column("amount", _("Amount"), MONEY, total=True),
        Column("average", _("Average bill"), MONEY, total=True, order=None),
        Column("points", _("Points earned"), INT, total=True),
    )
    note = SalesByMonth.note

    def default_period(self, today: dt.date, organization: Any) -> tuple[dt.date, dt.date]:
        return periods.last_months(today, 6, organization)

    def columns_of(self, scope: Scope) -> tuple[Column, ...]:
        return (self.columns[0], *(Column(f"m{i}", month_text(m, scope.organization), MONEY, total=True, order=None)
                                   for i, m in enumerate(months_of(scope))), *self.columns[1:])

    def _per_month(self, scope: Scope) -> dict[str, Any]:
        return {f"m{i}": amount_in(month_in(m, scope), scope) for i, m in enumerate(months_of(scope))}

    def rows(self, scope: Scope) -> Rows:
        """One row per group: computed once per screen, counted and sorted in memory."""
        if "sales-month-columns" not in scope.cache:
            scope.cache["sales-month-columns"] = ListRows(list(
                sales_of(scope).annotate(dimension=group_expression(scope)).values("dimension")
                .annotate(**self._per_month(scope), **measures_of(scope)).order_by()))
        return cast(Rows, scope.cache["sales-month-columns"])

    def totals(self, scope: Scope) -> dict[str, Any]:
        return with_average([sales_of(scope).aggregate(**self._per_month(scope), **measures_of(scope))])[0]

    def finish(self, rows: list[dict[str, Any]], scope: Scope) -> list[dict[str, Any]]:
        return with_average(group_labels(rows, scope))
