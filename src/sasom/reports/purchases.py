"""Seed 001's purchases by product or category per member segment: the members' sale lines of the
period grouped by a member attribute (member type, tier, gender, age band, or all members) and by
category or product, optionally only for the members of a segment (chosen with the shared
``segments.forms.SegmentForm``, checked by ``segments.builder.segment_clean``). Quantities and
amounts are net of returns: a line less its returned quantity and its return lines' net; a line
returned in full, a voided or wholly returned bill do not count."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.db.models import Count, F, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from sasom.core.currency import currency_of, unit_label
from sasom.core.errors import DomainError
from sasom.ledger.models import SaleLine
from sasom.members.models import Member
from sasom.reports.charts import top_bars
from sasom.reports.deferred import Work, summary_work
from sasom.reports.formatting import INT, MONEY, TEXT
from sasom.reports.framework import Column, Report, ReportForm, Rows, Scope, register, tier_filter
from sasom.reports.linesummary import ITEMS, QUANTITY
from sasom.reports.linesummary_read import line_measures, line_sales
from sasom.reports.regroup import ListRows
from sasom.reports.sales import age_band
from sasom.reports.salesdata import AMOUNT, COUNTED_OUT, line_net_after_returns
from sasom.reports.salessource import summarised, summary_ready
from sasom.reports.summary_models import DailyLineSales
from sasom.segments.builder import segment_clean, segment_members
from sasom.segments.forms import SegmentForm
from sasom.tiers.models import MemberTier

GROUPS = {"member_type": _("Member type"), "tier": _("Tier"), "gender": _("Gender"), "age": _("Age band"),
          "all": _("All members")}


# ReportForm keeps its member types by id in ``self.member_types``; SegmentForm declares a field
# of that name, which Django's form metaclass moves into ``base_fields`` (no class attribute left).
class PurchasesForm(ReportForm, SegmentForm):  # type: ignore[misc]
    """The report's filters, then the members it counts chosen with the shared segment form (the
    same conditions as broadcasts, mailing labels, coupon bulk issue, portal news and cards)."""

    by = forms.ChoiceField(label=_("Per"), required=False, choices=[("", _("Category")), ("sku", _("Product"))])
    segment_by = forms.ChoiceField(label=_("Segment by"), required=False,
                                   choices=[("", _("Member type")), *list(GROUPS.items())[1:]])

    def __init__(self, *args: Any, branches: list[Any], member_types: list[Any], tiers: list[Any] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, branches=branches, member_types=member_types, tiers=tiers, **kwargs)
        # the segment's choices from the lists the page read already (no query of their own): the
        # active member types, the tiers by code, a branch manager's own branches only
        for name in ("tiers", "home_branches"):
            self.fields[name] = copy.deepcopy(self.base_fields[name])
        cast(forms.ChoiceField, self.fields["member_types"]).choices = [
            (t.pk, t.name) for t in member_types if t.is_active]
        cast(forms.ChoiceField, self.fields["tiers"]).choices = [(t.code, t.name) for t in tiers or []]
        cast(forms.ChoiceField, self.fields["home_branches"]).choices = [(b.pk, b.name) for b in branches]
        own = [*ReportForm.base_fields, "by", "segment_by"]
        self.order_fields([*own, *[n for n in SegmentForm.base_fields if n not in own]])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        try:
            data["segment"] = segment_clean(self.conditions())
        except DomainError as error:
            self.add_segment_error(error.field, error.message)
        return data


def lines_counted(scope: Scope) -> QuerySet[SaleLine]:
    """The members' sale lines of the period that still count, for the scope's filters."""
    lines = (SaleLine.objects.filter(organization_id=scope.organization.pk, sale__occurred_at__gte=scope.start_at,
                                     sale__occurred_at__lt=scope.end_at, sale__member__isnull=False,
                                     returned_quantity__lt=F("quantity"))
             .exclude(sale__status__in=COUNTED_OUT))
    if scope.branch_ids is not None:
        lines = lines.filter(sale__branch_id__in=scope.branch_ids)
    if scope.member_type is not None:
        lines = lines.filter(sale__member__member_type_id=scope.member_type.pk)
    lines = lines.filter(tier_filter(scope, "sale__member_id"))
    if scope.data.get("segment"):
        members = segment_members(organization_id=scope.organization.pk, conditions=scope.data["segment"],
                                  today=scope.today(), time_zone=scope.organization.time_zone)
        lines = lines.filter(sale__member_id__in=members.values("pk"))
    return lines


def _segment(scope: Scope, member: str = "sale__member_id") -> Any:
    """The member attribute (today's) a line is grouped by; ``member`` the path to the member's id
    (``member_id``: a summary row, whose tier is a join through ``DailyLineSales.member_tier``)."""
    chosen = scope.data.get("segment_by") or "member_type"
    if chosen == "tier" and member == "member_id":
        return Coalesce(F("member_tier__tier__name"), Value(""))
    if chosen == "tier":
        tier = MemberTier.objects.filter(member_id=OuterRef(member), tier__isnull=False).values("tier__name")
        return Coalesce(Subquery(tier[:1]), Value(""))
    path = member.removesuffix("_id") + "__"
    return {"member_type": F(f"{path}member_type__name"), "gender": F(f"{path}gender"),
            "age": age_band(scope.today(), path), "all": Value("*")}[chosen]


MEASURES: dict[str, Any] = {
    "members": Count("sale__member_id", distinct=True),
    "bills": Count("sale_id", distinct=True),
    "quantity": Coalesce(Sum(F("quantity") - F("returned_quantity"), output_field=QUANTITY), Decimal("0"),
                         output_field=QUANTITY),
    "amount": Coalesce(Sum(line_net_after_returns(), output_field=AMOUNT), Decimal("0"), output_field=AMOUNT),
}


def _members_of(scope: Scope, rows: QuerySet[Any]) -> QuerySet[Any]:
    if not scope.data.get("segment"):
        return rows
    members = segment_members(organization_id=scope.organization.pk, conditions=scope.data["segment"],
                              today=scope.today(), time_zone=scope.organization.time_zone)
    return rows.filter(member_id__in=members.values("pk"))


def grouped(scope: Scope) -> list[dict[str, Any]]:
    """Every (segment, item) row of the screen, in one grouped query shared by the page, its count,
    the chart and the export (a few thousand rows at most: segments x items)."""
    if "purchases" not in scope.cache:
        kind = DailyLineSales.PRODUCT if scope.data.get("by") == "sku" else DailyLineSales.CATEGORY
        if summarised(scope):
            summary_ready(scope)
            rows = (_members_of(scope, line_sales(scope, kind)).order_by()
                    .annotate(segment_value=_segment(scope, "member_id"), item_of=F("item"))
                    .values("segment_value", "item_of").annotate(**line_measures()))
        else:
            rows = (lines_counted(scope).order_by().annotate(segment_value=_segment(scope), item_of=F(ITEMS[kind] or "category"))
                    .values("segment_value", "item_of").annotate(**MEASURES))
        scope.cache["purchases"] = [{**{k: v for k, v in r.items() if k != "item_of"}, "item": r["item_of"]}
                                    for r in rows]
    return list(scope.cache["purchases"])


@register
class PurchasesBySegment(Report):
    slug = "purchases-by-segment"
    group = _("Sales analysis")
    title = _("Purchases by category or product per member segment")
    description = _("What each member type, tier, gender or age band bought, per category or product; optionally "
                    "only the members of a segment.")
    form_class = PurchasesForm
    default_sort = "-amount"
    columns = (
        Column("segment_label", _("Segment"), TEXT, order="segment_value"),
        Column("item", _("Category or product"), TEXT, order="item"),
        Column("members", _("Members"), INT, total=True),
        Column("bills", _("Bills"), INT, total=True),
        Column("quantity", _("Quantity"), MONEY, total=True),
        Column("amount", _("Amount"), MONEY, total=True),
    )
    note = _("Lines of members' bills, net of returns. Members and bills in the totals row count each once.")

    def rows(self, scope: Scope) -> Rows:
        return ListRows(grouped(scope))  # type: ignore[return-value]  # pages, sorts, streams like one

    def totals(self, scope: Scope) -> dict[str, Any]:
        if "purchases-totals" in scope.cache:  # a stored result (``reports.deferred``)
            return dict(scope.cache["purchases-totals"])
        if summarised(scope):
            summary_ready(scope)
            return _members_of(scope, line_sales(scope, DailyLineSales.BILL)).aggregate(**line_measures())
        return lines_counted(scope).aggregate(**MEASURES)

    def work(self, scope: Scope) -> Work:
        """A long period's distinct members per (segment, item) need every member-item pair of the
        period (about 16 million over 12 months at a million members: decision 0012's addendum):
        past ``REPORTS_SEGMENT_INLINE_SALES`` the worker computes it (``reports.deferred``)."""
        return summary_work(scope)

    def computed(self, scope: Scope) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        return grouped(scope), self.totals(scope)

    def preload(self, scope: Scope, rows: list[dict[str, Any]], totals: dict[str, Any]) -> None:
        scope.cache["purchases"], scope.cache["purchases-totals"] = rows, totals

    def finish(self, rows: list[dict[str, Any]], scope: Scope) -> list[dict[str, Any]]:
        chosen = scope.data.get("segment_by") or "member_type"
        labels = {"gender": dict(Member.Gender.choices)}.get(chosen, {})
        for row in rows:
            value = row["segment_value"]
            row["segment_label"] = (str(_("All members")) if chosen == "all"
                                    else str(labels.get(value, value)) if value else "—")
            row["item"] = row["item"] or "—"
        return rows

    def chart(self, scope: Scope) -> Any:
        per_item: dict[str, Decimal] = {}
        for row in grouped(scope):  # the items' amounts over every segment: the decimals the database added
            per_item[row["item"]] = per_item.get(row["item"], Decimal("0")) + row["amount"]
        top = sorted(per_item.items(), key=lambda pair: (-pair[1], pair[0]))[:10]
        cur = currency_of(scope.organization)
        return top_bars(str(_("Top 10 by amount (%(unit)s)") % {"unit": unit_label(cur)}),
                        [(item or "—", float(cur.shown(amount))) for item, amount in top])
