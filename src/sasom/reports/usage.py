"""Card usage (seed 003): how members use their card at the branches, and how often.

A visit is a member's sale (a bill with the member's card) that was not voided; amounts are the
sales' net less their returns, points the points they earned less those the returns took back
(``salesdata``: a voided or wholly returned sale does not count).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from sasom.members.models import Member
from sasom.reports.charts import bars
from sasom.reports.formatting import INT, MONEY, TEXT
from sasom.reports.framework import Column, Report, Rows, Scope, register, tier_filter
from sasom.reports.salesdata import AMOUNT, measures, member_sales, net_after_returns, with_average

BANDS = ((1, 1, "1"), (2, 3, "2–3"), (4, 6, "4–6"), (7, 12, "7–12"), (13, None, "13+"))


@register
class CardUsageByBranch(Report):
    slug = "card-usage-by-branch"
    group = _("Card usage")
    title = _("Card usage by branch")
    description = _("Per branch: members who used their card, visits (bills), amount, average bill and points earned.")
    default_sort = "-amount"
    columns = (
        Column("branch", _("Branch"), TEXT, order="branch__code"),
        Column("members", _("Members"), INT, total=True),
        Column("visits", _("Visits"), INT, total=True),
        Column("amount", _("Amount"), MONEY, total=True),
        Column("average", _("Average bill"), MONEY, total=True, order=None),
        Column("points", _("Points earned"), INT, total=True),
    )
    note = _("A visit is a bill with a member's card, neither voided nor returned in full; amounts and points are "
             "net of returns. Members in the totals row count each member once.")

    def rows(self, scope: Scope) -> Rows:
        return member_sales(scope).values("branch__code", "branch__name").annotate(**measures())

    def totals(self, scope: Scope) -> dict[str, Any]:
        totals = member_sales(scope).aggregate(**measures())
        return with_average([totals])[0]

    def finish(self, rows: list[dict[str, Any]], scope: Scope) -> list[dict[str, Any]]:
        for row in rows:
            row["branch"] = f'{row["branch__code"]} {row["branch__name"]}'
        return with_average(rows)


@register
class VisitFrequency(Report):
    slug = "visit-frequency"
    group = _("Card usage")
    title = _("Visit frequency")
    description = _("Members grouped by how many times they used their card in the period: 1, 2–3, 4–6, 7–12, 13+.")
    default_sort = "band_label"
    columns = (
        Column("band_label", _("Visits in the period"), TEXT, order="band"),
        Column("members", _("Members"), INT, total=True),
        Column("visits", _("Visits"), INT, total=True),
        Column("amount", _("Amount"), MONEY, total=True),
        Column("average", _("Average bill"), MONEY, total=True, order=None),
    )
    note = _("Each member who used their card in the period counts in one group. Totals equal the card usage "
             "report's for the same filters.")

    def _members(self, scope: Scope) -> QuerySet[Member]:
        per_member = member_sales(scope).filter(member_id=OuterRef("pk")).values("member_id")
        visits = Subquery(per_member.annotate(n=Count("id")).values("n")[:1], output_field=IntegerField())
        amount = Subquery(per_member.annotate(s=Sum(net_after_returns())).values("s")[:1], output_field=AMOUNT)
        members = (Member.objects.filter(organization_id=scope.organization.pk)
                   .annotate(n_visits=Coalesce(visits, 0), spent=Coalesce(amount, Decimal("0"), output_field=AMOUNT))
                   .filter(n_visits__gt=0))
        if scope.member_type is not None:
            members = members.filter(member_type_id=scope.member_type.pk)
        members = members.filter(tier_filter(scope, "pk"))
        return members

    def rows(self, scope: Scope) -> Rows:
        whens = [When(n_visits__gte=low, **({"n_visits__lte": high} if high else {}), then=Value(i))
                 for i, (low, high, _label) in enumerate(BANDS)]
        return (self._members(scope).annotate(band=Case(*whens, output_field=IntegerField()))
                .values("band").annotate(members=Count("id"), visits=Sum("n_visits"),
                                         amount=Sum("spent", output_field=AMOUNT)))

    def totals(self, scope: Scope) -> dict[str, Any]:
        totals = self._members(scope).aggregate(members=Count("id"), visits=Coalesce(Sum("n_visits"), 0),
                                                amount=Coalesce(Sum("spent"), Decimal("0"), output_field=AMOUNT))
        return with_average([totals])[0]

    def finish(self, rows: list[dict[str, Any]], scope: Scope) -> list[dict[str, Any]]:
        for row in rows:
            row["band_label"] = BANDS[row["band"]][2]
        return with_average(rows)

    def chart(self, scope: Scope) -> Any:
        found = {r["band"]: r["members"] for r in self.rows(scope).order_by()}
        return bars(str(_("Members by visits in the period")), [label for _l, _h, label in BANDS],
                    [(str(_("Members")), [found.get(i, 0) for i in range(len(BANDS))])], height=240)
