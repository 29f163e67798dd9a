"""The reports framework: a report is a declared object.

A :class:`Report` names its title, its columns (with their kinds: text, points, money, date,
month), its filter form and two database reads: :meth:`Report.rows` (a ``values()`` queryset that
aggregates in the database, sorted by the framework) and :meth:`Report.totals` (one aggregate over
the same filters). The same report is shown on screen (paged), written as CSV, XLSX and PDF
(``exports``); none of them holds more than a page or a chunk of rows in memory.

Filters are resolved once into a :class:`Scope`: the period as the organization's local days
turned into aware datetimes ``[start_at, end_at)``, the branches (a branch-scoped staff member's
own, never more), the member type and the report's own fields. A bad filter is a form error
shown above the report, never a 500.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar, cast

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from sasom.core.bounded import BoundedForm
from sasom.core.forms_dates import ShopDateField
from sasom.core.permissions import branch_ids_in_scope
from sasom.organizations.models import Branch
from sasom.reports import periods
from sasom.reports.formatting import INT, MONEY, TEXT, date_text
from sasom.tiers.models import MemberTier, Tier

Rows = QuerySet[Any, Any]  # a values() queryset: one dict per row
MAX_DAYS = 366 * 3  # the longest period one report covers
PER_PAGE = 50
NO_TIER = "none"


@dataclass(frozen=True)
class Column:
    key: str
    label: str | Promise
    kind: str = TEXT
    total: bool = False  # shown in the totals row (the report's ``totals`` names the same key)
    order: str | None = ""  # the field to sort by; "" = the key itself, None = not sortable

    @property
    def order_field(self) -> str | None:
        return self.key if self.order == "" else self.order

    @property
    def numeric(self) -> bool:
        return self.kind in (INT, MONEY)


@dataclass
class Scope:
    """A report's filters, resolved for one staff member."""

    organization: Any
    staff: Any
    zone: zoneinfo.ZoneInfo
    start_on: dt.date
    end_on: dt.date  # inclusive
    branch_ids: set[int] | None  # None: every branch of the organization
    branch: Any = None  # the one branch chosen, if any
    member_type: Any = None
    tier: str = ""  # "" every member, NO_TIER members without a tier, else a tier's id
    data: dict[str, Any] = field(default_factory=dict)
    cache: dict[str, Any] = field(default_factory=dict)

    @property
    def start_at(self) -> dt.datetime:
        return dt.datetime.combine(self.start_on, dt.time(0), tzinfo=self.zone)

    @property
    def end_at(self) -> dt.datetime:
        return dt.datetime.combine(self.end_on + dt.timedelta(days=1), dt.time(0), tzinfo=self.zone)

    def today(self) -> dt.date:
        return timezone.now().astimezone(self.zone).date()


class ReportForm(BoundedForm):
    """The filters every report shares; a report adds its own fields in a subclass."""

    date_from = ShopDateField(label=_("From"), required=False)
    date_to = ShopDateField(label=_("Until"), required=False)
    branch = forms.TypedChoiceField(label=_("Branch"), required=False, coerce=int, empty_value=None)
    member_type = forms.TypedChoiceField(label=_("Member type"), required=False, coerce=int, empty_value=None)
    tier = forms.ChoiceField(label=_("Tier"), required=False)
    sort = forms.CharField(required=False, max_length=60, widget=forms.HiddenInput)

    def __init__(self, *args: Any, report: Report, staff: Any, branches: list[Any], member_types: list[Any],
                 tiers: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.report, self.staff = report, staff
        scoped = branch_ids_in_scope(staff) is not None
        every = _("All my branches") if scoped else _("All branches")
        cast(forms.ChoiceField, self.fields["branch"]).choices = [("", every), *[(b.pk, str(b)) for b in branches]]
        cast(forms.ChoiceField, self.fields["member_type"]).choices = [
            ("", _("All member types")), *[(t.pk, t.name) for t in member_types]]
        for name in ("date_from", "date_to"):
            if not report.uses_dates:
                del self.fields[name]
        if not report.uses_member_type:
            del self.fields["member_type"]
        if report.uses_member_type and tiers:  # a report where a member is involved, once tiers exist
            ladders = {t.ladder_id for t in tiers}
            cast(forms.ChoiceField, self.fields["tier"]).choices = [
                ("", _("All tiers")), (NO_TIER, _("No tier")),
                *[(str(t.pk), f"{t.ladder.name}: {t.name}" if len(ladders) > 1 else t.name) for t in tiers]]
        else:
            del self.fields["tier"]
        if not report.uses_branch:
            del self.fields["branch"]
        self.branches = {b.pk: b for b in branches}
        self.member_types = {t.pk: t for t in member_types}

    def clean_sort(self) -> str:
        value: str = self.cleaned_data.get("sort") or ""
        keys = {c.key for c in self.report.columns if c.order_field}
        return value if value.lstrip("-") in keys else ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end:
            if start > end:
                raise forms.ValidationError(_("The period ends before it starts."))
            if (end - start).days >= MAX_DAYS:
                raise forms.ValidationError(_("A report covers at most three years; choose a shorter period."))
        return data


class Report:
    """One report. Subclasses set the class attributes and implement :meth:`rows` and :meth:`totals`."""

    slug: ClassVar[str]
    title: ClassVar[str | Promise]
    description: ClassVar[str | Promise] = ""
    group: ClassVar[str | Promise] = ""
    columns: ClassVar[tuple[Column, ...]]
    form_class: ClassVar[type[ReportForm]] = ReportForm
    default_sort: ClassVar[str] = ""
    uses_dates: ClassVar[bool] = True
    uses_branch: ClassVar[bool] = True
    uses_member_type: ClassVar[bool] = True
    note: ClassVar[str | Promise] = ""  # printed under the table: what the totals mean
    export_permission: ClassVar[str | None] = None  # needed, beside reports.view, to export

    def columns_of(self, scope: Scope) -> tuple[Column, ...]:
        """The columns for these filters (a period column is a day or a month)."""
        return self.columns

    def rows(self, scope: Scope) -> Rows:
        raise NotImplementedError

    def totals(self, scope: Scope) -> dict[str, Any]:
        raise NotImplementedError

    def finish(self, rows: list[dict[str, Any]], scope: Scope) -> list[dict[str, Any]]:
        """Values computed in Python from a page (or an export chunk) of rows: names, money."""
        return rows

    def chart(self, scope: Scope) -> Any:
        """A :class:`sasom.reports.charts.Chart` of the report, or None."""
        return None

    # -- a report whose long periods the worker computes (``reports.deferred``) -------------------

    def work(self, scope: Scope) -> Any:
        """What the screen would read (a ``reports.deferred.Work``: its cost and the data's
        version), for a report whose big periods are computed by the worker; None (the default):
        always answered in the request."""
        return None

    def computed(self, scope: Scope) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """Every row (before :meth:`finish`) and the totals, computed now: what the worker stores."""
        raise NotImplementedError

    def preload(self, scope: Scope, rows: list[dict[str, Any]], totals: dict[str, Any]) -> None:
        """Answer this scope's rows, totals and chart from a stored result instead of the database."""
        raise NotImplementedError

    # -- the framework's side -------------------------------------------------------------------

    def default_period(self, today: dt.date, organization: Any) -> tuple[dt.date, dt.date]:
        """This month so far (the organization's month: Jalali for a Jalali shop following its calendar)."""
        return periods.month_start(today, organization), today

    def sorted_rows(self, scope: Scope, sort: str) -> Rows:
        sort = sort or self.default_sort
        columns = {c.key: c for c in self.columns}
        order = []
        if sort:
            column = columns[sort.lstrip("-")]
            assert column.order_field
            order.append(("-" if sort.startswith("-") else "") + column.order_field)
        fallback = [c.order_field for c in self.columns if c.order_field and c.kind == TEXT]
        order += [f for f in fallback[:1] if f not in order]
        return self.rows(scope).order_by(*order)

    def stream(self, scope: Scope, sort: str, chunk: int = 2000,
               progress: Callable[[int], None] | None = None) -> Iterator[dict[str, Any]]:
        """Every row, finished, a chunk at a time (flat memory for exports); ``progress`` hears
        the number of rows read so far after each chunk."""
        batch: list[dict[str, Any]] = []
        done = 0
        for row in self.sorted_rows(scope, sort).iterator(chunk_size=chunk):
            batch.append(row)
            if len(batch) == chunk:
                yield from self.finish(batch, scope)
                done += len(batch)
                batch = []
                if progress:
                    progress(done)
        if batch:
            yield from self.finish(batch, scope)
            if progress:
                progress(done + len(batch))

    def total_columns(self) -> list[Column]:
        return [c for c in self.columns if c.total]


REPORTS: dict[str, Report] = {}


def register(cls: type[Report]) -> type[Report]:
    REPORTS[cls.slug] = cls()
    return cls


def tiers_for(organization_id: int) -> list[Any]:
    """The organization's tiers, for the tier filter (ladder, then the lowest first)."""
    return list(Tier.objects.filter(organization_id=organization_id).select_related("ladder")
                .order_by("ladder__name", "threshold", "code"))


def branches_for(staff: Any) -> list[Any]:
    branches = Branch.objects.filter(organization_id=staff.organization_id).order_by("code")
    scope = branch_ids_in_scope(staff)
    if scope is not None:
        branches = branches.filter(pk__in=scope)
    return list(branches)


def scope_resolve(form: ReportForm, *, report: Report, staff: Any) -> Scope:
    """The filters of a valid form (or the defaults of an unbound one) as a :class:`Scope`."""
    organization = staff.organization
    zone = zoneinfo.ZoneInfo(organization.time_zone)
    data = dict(form.cleaned_data) if form.is_bound and form.is_valid() else {}
    today = timezone.now().astimezone(zone).date()
    start, end = report.default_period(today, organization)
    start = data.get("date_from") or start
    end = data.get("date_to") or end
    if start > end:  # only one end given, beyond the default other end
        start, end = (start, start) if data.get("date_from") else (end, end)
    allowed = set(form.branches)
    branch = form.branches.get(data.get("branch") or 0)
    scoped = branch_ids_in_scope(staff) is not None
    branch_ids = {branch.pk} if branch else (allowed if scoped else None)
    member_type = form.member_types.get(data.get("member_type") or 0)
    tier = data.get("tier") or "" if "tier" in form.fields else ""
    return Scope(organization=organization, staff=staff, zone=zone, start_on=start, end_on=end,
                 branch_ids=branch_ids, branch=branch, member_type=member_type, tier=tier, data=data)


def filters_described(form: ReportForm, scope: Scope, report: Report) -> list[tuple[str, str]]:
    """The filters used, as (label, value) pairs for the PDF and the screen's heading."""
    out: list[tuple[str, str]] = []
    if report.uses_dates:
        out.append((str(_("Period")), f"{date_text(scope.start_on, scope.organization)} – "
                                       f"{date_text(scope.end_on, scope.organization)}"))
    if report.uses_branch:
        every = _("All my branches") if scope.branch_ids is not None else _("All branches")
        out.append((str(_("Branch")), str(scope.branch) if scope.branch else str(every)))
    if report.uses_member_type:
        out.append((str(_("Member type")), scope.member_type.name if scope.member_type else str(_("All member types"))))
    for name, bound in form.fields.items():
        if name in ("date_from", "date_to", "branch", "member_type", "sort"):
            continue
        value = scope.data.get(name)
        if value in (None, "") or value == []:
            continue
        choices = dict(getattr(bound, "choices", []) or [])
        if isinstance(value, list | tuple):  # a multiple choice (the segment form's member types, tiers...)
            out.append((str(bound.label), ", ".join(str(choices.get(v, v)) for v in value)))
        else:
            out.append((str(bound.label), str(choices.get(value, value))))
    return out


def tier_filter(scope: Scope, member_field: str) -> Q:
    """The members of the chosen tier today (``tiers.MemberTier``), or those without one, by the
    field holding the member's id (``member_id``, ``account__member_id``, ``pk``); Q() for all."""
    if not scope.tier:
        return Q()
    with_tier = MemberTier.objects.filter(organization_id=scope.organization.pk, tier__isnull=False)
    if scope.tier == NO_TIER:
        return ~Q(**{f"{member_field}__in": with_tier.values("member_id")})
    return Q(**{f"{member_field}__in": with_tier.filter(tier_id=int(scope.tier)).values("member_id")})


def branch_filter(scope: Scope, field_name: str) -> dict[str, Any]:
    """``{field__in: ids}`` for the scope's branches, or nothing when every branch counts."""
    return {} if scope.branch_ids is None else {f"{field_name}__in": scope.branch_ids}
