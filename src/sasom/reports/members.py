"""Member lists: by birthday month, by join date, by expiry date, with address; each filtered by
member type and home branch, with each member's points balance (spendable and pending less debt,
the same as the points summary's closing balance today).

The lists carry personal data: exporting them needs ``members.export`` as well as ``reports.view``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import Count, F, IntegerField, QuerySet, Sum
from django.db.models.functions import Coalesce, ExtractDay
from django.utils.translation import gettext_lazy as _

from sasom.members.models import Member
from sasom.reports.formatting import DATE, INT, TEXT
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

BALANCE = F("point_accounts__spendable") + F("point_accounts__pending") - F("point_accounts__debt")
MONTHS = [(1, _("January")), (2, _("February")), (3, _("March")), (4, _("April")), (5, _("May")), (6, _("June")),
          (7, _("July")), (8, _("August")), (9, _("September")), (10, _("October")), (11, _("November")),
          (12, _("December"))]


class MembersForm(ReportForm):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All")), *Member.Status.choices])


class BirthdayForm(MembersForm):
    month = forms.TypedChoiceField(label=_("Birth month"), required=False, coerce=int, empty_value=None,
                                   choices=[("", _("This month")), *MONTHS])


COMMON = (
    Column("code", _("Member code"), TEXT),
    Column("name", _("Name"), TEXT, order="first_name"),
    Column("member_type", _("Member type"), TEXT, order="member_type__name"),
)
POINTS = Column("points", _("Points balance"), INT, total=True)


class MemberList(Report):
    group = _("Members")
    form_class = MembersForm
    export_permission = "members.export"
    default_sort = "code"
    date_field = ""  # the date the period filters on
    note = _("The branch is the member's home branch. Points balance: spendable and pending points less any debt.")

    def members(self, scope: Scope) -> QuerySet[Member]:
        members = Member.objects.filter(organization_id=scope.organization.pk, **branch_filter(scope, "home_branch_id"))
        if scope.member_type is not None:
            members = members.filter(member_type_id=scope.member_type.pk)
        members = members.filter(tier_filter(scope, "pk"))
        if scope.data.get("status"):
            members = members.filter(status=scope.data["status"])
        if self.date_field:
            members = members.filter(**{f"{self.date_field}__gte": scope.start_on,
                                        f"{self.date_field}__lte": scope.end_on})
        return members

    def fields(self) -> tuple[str, ...]:
        return ("code", "first_name", "last_name", "title", "member_type__name", "phone", "joined_on",
                "expires_on", "birth_on", "status")

    # A member has at most one account in their organization (``uniq_point_account_member``), so
    # the join to it adds no row: its balance is a column, not a sum, and the list needs no
    # GROUP BY over every member field (at 1,000,000 members that grouping was the page's cost:
    # docs/performance.md B7r).
    def rows(self, scope: Scope) -> Rows:
        return self.members(scope).values(*self.fields()).annotate(
            points=Coalesce(BALANCE, 0, output_field=IntegerField()))

    def totals(self, scope: Scope) -> dict[str, Any]:
        return self.members(scope).aggregate(
            members=Count("id"), points=Coalesce(Sum(BALANCE, output_field=IntegerField()), 0))

    def finish(self, rows: list[dict[str, Any]], scope: Scope) -> list[dict[str, Any]]:
        statuses = dict(Member.Status.choices)
        for row in rows:
            row["name"] = " ".join(p for p in (row.get("title"), member_name(row)) if p)
            row["member_type"] = row["member_type__name"]
            row["status_label"] = str(statuses.get(row["status"], row["status"]))
        return rows


@register
class MembersByBirthday(MemberList):
    slug = "members-birthday"
    title = _("Members by birthday")
    description = _("Members born in a month, by day: for birthday greetings and offers.")
    form_class = BirthdayForm
    uses_dates = False
    default_sort = "birth_day"
    columns = (*COMMON, Column("birth_on", _("Birth date"), DATE, order="birth_day"),
               Column("birth_day", _("Day"), INT), Column("phone", _("Phone"), TEXT), POINTS)

    def members(self, scope: Scope) -> QuerySet[Member]:
        month = scope.data.get("month") or scope.today().month
        return super().members(scope).filter(birth_on__month=month)

    def rows(self, scope: Scope) -> Rows:
        return super().rows(scope).annotate(birth_day=ExtractDay("birth_on"))


@register
class MembersByJoinDate(MemberList):
    slug = "members-joined"
    title = _("Members by join date")
    description = _("Members who joined in the period.")
    date_field = "joined_on"
    default_sort = "joined_on"
    columns = (*COMMON, Column("joined_on", _("Joined on"), DATE), Column("status_label", _("Status"), TEXT, order="status"),
               Column("phone", _("Phone"), TEXT), POINTS)


@register
class MembersByExpiry(MemberList):
    slug = "members-expiry"
    title = _("Members by expiry date")
    description = _("Members whose membership expires in the period (the next three months unless you choose).")
    date_field = "expires_on"
    default_sort = "expires_on"
    columns = (*COMMON, Column("expires_on", _("Expires on"), DATE), Column("status_label", _("Status"), TEXT, order="status"),
               Column("phone", _("Phone"), TEXT), POINTS)

    def default_period(self, today: dt.date, organization: Any) -> tuple[dt.date, dt.date]:
        return today, today + dt.timedelta(days=91)


@register
class MembersWithAddress(MemberList):
    slug = "members-address"
    title = _("Members with address")
    description = _("Members with their postal address, by member type and home branch: for mailing.")
    uses_dates = False
    columns = (*COMMON, Column("address", _("Address"), TEXT, order="address_line"),
               Column("subdistrict", _("Subdistrict"), TEXT), Column("district", _("District"), TEXT),
               Column("province", _("Province"), TEXT), Column("postcode", _("Postcode"), TEXT),
               Column("phone", _("Phone"), TEXT), POINTS)

    def fields(self) -> tuple[str, ...]:
        return (*super().fields(), "address_line", "moo", "soi", "road", "subdistrict", "district", "province",
                "postcode")

    def finish(self, rows: list[dict[str, Any]], scope: Scope) -> list[dict[str, Any]]:
        moo, soi, road = str(_("Moo")), str(_("Soi")), str(_("Road"))
        for row in super().finish(rows, scope):
            parts = [row["address_line"], row["moo"] and f'{moo} {row["moo"]}', row["soi"] and f'{soi} {row["soi"]}',
                     row["road"] and f'{road} {row["road"]}']
            row["address"] = " ".join(p for p in parts if p)
        return rows
