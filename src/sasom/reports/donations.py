"""The donation fund report (seed 001's bag campaign): what non-members gave by declining a
plastic bag (``ledger.Sale.donation``), per campaign and its fund, per branch and per day or month.

The sale records the campaigns its donation went to in its explanation
(``explanation["donation_campaigns"]``: a campaign's code, or two joined by ``+`` when two
combinable campaigns both collect; see ``ledger.plan._explanation``). Sales posted before that
was recorded show as "not recorded" and still count in the totals.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Count, QuerySet, Sum
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from sasom.earning.models import Campaign
from sasom.ledger.models import Sale
from sasom.reports import periods
from sasom.reports.formatting import DATE, INT, MONEY, MONTH, TEXT
from sasom.reports.framework import Column, Report, ReportForm, Rows, Scope, branch_filter, register
from sasom.reports.usage import AMOUNT


def donation_sales(scope: Scope) -> QuerySet[Sale]:
    """Sales of the period and branches that gave a donation, not voided."""
    return (Sale.objects.filter(organization_id=scope.organization.pk, occurred_at__gte=scope.start_at,
                                occurred_at__lt=scope.end_at, **branch_filter(scope, "branch_id"))
            .exclude(donation=0).exclude(status=Sale.Status.VOIDED))


MEASURES: dict[str, Any] = {
    "bills": Count("id"),
    "donation": Coalesce(Sum("donation"), Decimal("0"), output_field=AMOUNT),
}


class DonationForm(ReportForm):
    period = forms.ChoiceField(label=_("Group by"), required=False, initial="month", choices=[
        ("month", _("Month")), ("day", _("Day"))])


@register
class DonationFund(Report):
    slug = "donation-fund"
    group = _("Campaigns")
    title = _("Donation fund per campaign and period")
    description = _("What non-members gave to each bag campaign's fund by declining a plastic bag, per branch "
                    "and per day or month.")
    form_class = DonationForm
    uses_member_type = False  # donations come from non-members
    default_sort = "period"
    columns = (
        Column("period", _("Period"), MONTH),
        Column("branch", _("Branch"), TEXT, order="branch__code"),
        Column("campaign", _("Campaign"), TEXT, order="fund_key"),
        Column("fund", _("Donation fund"), TEXT, order=None),
        Column("bills", _("Bills"), INT, total=True),
        Column("donation", _("Donation"), MONEY, total=True),
    )
    note = _("Bills of non-members who declined a plastic bag, not voided. The total is what the funds "
             "collected in the period.")

    def columns_of(self, scope: Scope) -> tuple[Column, ...]:
        if scope.data.get("period") == "day":
            return (Column("period", _("Period"), DATE), *self.columns[1:])
        return self.columns

    def rows(self, scope: Scope) -> Rows:
        kind = scope.data.get("period") or "month"
        return (donation_sales(scope)
                .annotate(period=periods.period_bucket(kind, "occurred_at", scope),
                          fund_key=KeyTextTransform("donation_campaigns", "explanation"))
                .values("period", "branch__code", "branch__name", "fund_key")
                .annotate(**MEASURES))

    def totals(self, scope: Scope) -> dict[str, Any]:
        return donation_sales(scope).aggregate(**MEASURES)

    def finish(self, rows: list[dict[str, Any]], scope: Scope) -> list[dict[str, Any]]:
        codes = {code for row in rows for code in (row["fund_key"] or "").split("+") if code}
        campaigns = {c.code: c for c in Campaign.objects.filter(organization_id=scope.organization.pk,
                                                                code__in=codes)} if codes else {}
        for row in rows:
            row["branch"] = f"{row['branch__code']} {row['branch__name']}".strip()
            keys = [code for code in (row["fund_key"] or "").split("+") if code]
            if not keys:
                row["campaign"], row["fund"] = str(_("Not recorded")), ""
                continue
            row["campaign"] = " + ".join(f"{k} {campaigns[k].name}" if k in campaigns else k for k in keys)
            row["fund"] = " + ".join((campaigns[k].fund_name or campaigns[k].name) if k in campaigns else k
                                     for k in keys)
        return rows
