"""Seed 001's sales history of members in the six months before their birth month, without and
with their address: the members born in the chosen month, their bills in the six whole months
before that month's next start (today's month included), a column per month: the organization's
months (``periods``: Jalali months for a Jalali shop whose periods follow its calendar). Amounts
count as ``salesdata`` does (net of returns, voided and wholly returned bills out)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any, ClassVar

from django import forms
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from sasom.core import calendars
from sasom.reports.formatting import DATE, INT, MONEY, TEXT, month_text
from sasom.reports.framework import Column, Report, ReportForm, Rows, Scope, register
from sasom.reports.frequency import MEMBER_COLUMNS, MEMBER_FIELDS, member_cells
from sasom.reports.periods import month_bounds, months_of
from sasom.reports.salesdata import AMOUNT, measures, member_sales, net_after_returns, with_average

MONTHS_BEFORE = 6
MONTHS = [(str(m), f"{m:02d}") for m in range(1, 13)]


def _next_month(today: dt.date, calendar: str = calendars.GREGORIAN) -> int:
    return calendars.to_calendar(today, calendar)[1] % 12 + 1


def window(birth_month: int, today: dt.date, calendar: str = calendars.GREGORIAN) -> tuple[dt.date, dt.date]:
    """The six whole months before the next start of ``birth_month`` (this month's start counts:
    in November, November's birthdays look at May–October, December's at June–November), months
    of the organization's period calendar (``core.calendars``: a Jalali shop's Esfand birthdays
    look at Shahrivar–Bahman)."""
    this_year, this_month, _day = calendars.to_calendar(today, calendar)
    year = this_year if birth_month >= this_month else this_year + 1
    birth_start = calendars.from_calendar(year, birth_month, 1, calendar)
    return calendars.add_months(birth_start, -MONTHS_BEFORE, calendar), birth_start - dt.timedelta(days=1)


def born_in(month: int, today: dt.date, calendar: str) -> Q:
    """Members born in ``month`` of the calendar (Jalali months are Gregorian date ranges that
    move by a day between years, so each year's range is named)."""
    if calendar != calendars.JALALI:
        return Q(member__birth_on__month=month)
    year = calendars.to_calendar(today, calendar)[0]
    spans = calendars.month_spans(month, year - 130, year, calendar)
    return Q(*(Q(member__birth_on__range=span) for span in spans), _connector=Q.OR)


class BirthMonthForm(ReportForm):
    birth_month = forms.TypedChoiceField(label=_("Birth month"), required=False, coerce=int, empty_value=None,
                                         choices=[("", _("Next month")), *MONTHS])


@register
class BirthMonthSales(Report):
    slug = "birth-month-sales"
    group = _("Sales analysis")
    title = _("Sales in the six months before the birth month")
    description = _("Members born in the chosen month (next month unless you choose) and what they bought in the "
                    "six months before it, a column per month.")
    form_class = BirthMonthForm
    uses_dates = False
    default_sort = "-amount"
    columns: ClassVar[tuple[Column, ...]] = (
        *MEMBER_COLUMNS,
        Column("birth_on", _("Birth date"), DATE, order="member__birth_on"),
        Column("visits", _("Bills"), INT, total=True),
        Column("amount", _("Amount"), MONEY, total=True),
        Column("average", _("Average bill"), MONEY, total=True, order=None),
        Column("points", _("Points earned"), INT, total=True),
    )
    extra_fields: ClassVar[tuple[str, ...]] = ()
    note = _("Members who bought in those six months; amounts and points net of returns. The months are the six "
             "before the birth month's next start.")

    def _month(self, scope: Scope) -> int:
        month: int = scope.data.get("birth_month") or _next_month(scope.today(), self._calendar(scope))
        return month

    def _calendar(self, scope: Scope) -> str:
        return calendars.period_calendar(scope.organization)

    def _window(self, scope: Scope) -> Scope:
        if "window" not in scope.cache:
            start, end = window(self._month(scope), scope.today(), self._calendar(scope))
            scope.cache["window"] = dataclasses.replace(scope, start_on=start, end_on=end, cache={})
        window_scope: Scope = scope.cache["window"]
        return window_scope

    def columns_of(self, scope: Scope) -> tuple[Column, ...]:
        inside = self._window(scope)
        months = tuple(Column(f"m{i}", month_text(m, scope.organization), MONEY, total=True, order=None)
                       for i, m in enumerate(months_of(inside)))
        return (*self.columns[:4], *months, *self.columns[4:])

    def _sales(self, scope: Scope) -> Any:
        return member_sales(self._window(scope)).filter(born_in(self._month(scope), scope.today(),
                                                                self._calendar(scope)))

    def _per_month(self, scope: Scope) -> dict[str, Any]:
        inside = self._window(scope)
        return {f"m{i}": Coalesce(Sum(net_after_returns(), filter=month_bounds(m, inside), output_field=AMOUNT),
                                  Decimal("0"), output_field=AMOUNT) for i, m in enumerate(months_of(inside))}

    def rows(self, scope: Scope) -> Rows:
        return self._sales(scope).values(*MEMBER_FIELDS, "member__birth_on", *self.extra_fields).annotate(
            **self._per_month(scope), **measures())

    def totals(self, scope: Scope) -> dict[str, Any]:
        return with_average([self._sales(scope).aggregate(**self._per_month(scope), **measures())])[0]

    def finish(self, rows: list[dict[str, Any]], scope: Scope) -> list[dict[str, Any]]:
        member_cells(rows)
        for row in rows:
            row["birth_on"] = row["member__birth_on"]
        return with_average(rows)


@register
class BirthMonthSalesWithAddress(BirthMonthSales):
    slug = "birth-month-sales-address"
    title = _("Sales in the six months before the birth month, with address")
    description = _("As the report without address, with each member's phone and address, ready for a birthday "
                    "mailing.")
    export_permission = "members.export"
    columns = (
        *BirthMonthSales.columns,
        Column("phone", _("Phone"), TEXT, order=None),
        Column("address", _("Address"), TEXT, order=None),
    )
    extra_fields = ("member__phone", "member__address_line", "member__subdistrict", "member__district",
                    "member__province", "member__postcode")
    note = _("Exporting needs the permission to export members. Amounts and points are net of returns.")

    def finish(self, rows: list[dict[str, Any]], scope: Scope) -> list[dict[str, Any]]:
        for row in rows:
            row["phone"] = row["member__phone"] or ""
            row["address"] = " ".join(p for p in (row["member__address_line"], row["member__subdistrict"],
                                                 row["member__district"], row["member__province"],
                                                 row["member__postcode"]) if p)
        return super().finish(rows, scope)
