"""Back-office screens: a sale with its entries, manual adjustment, the member points panel (HTMX),
the daily list of sales with CSV export and the points settings. The cashier's screens (counter,
return, void) are the checkout's."""

from __future__ import annotations

import csv
import datetime as dt

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from sasom.core.audit import Actor
from sasom.core.dates import export_time
from sasom.core.errors import DomainError
from sasom.core.forms_dates import day_typed
from sasom.core.permissions import (
    branch_ids_in_scope,
    ensure_branch_in_scope,
    require_perm,
    staff_has,
)
from sasom.earning.no_points import LABELS as NO_POINTS
from sasom.ledger import selectors
from sasom.ledger.forms import AdjustForm, LedgerSettingsForm, ReturnForm, VoidForm
from sasom.ledger.models import Sale
from sasom.ledger.policy import ledger_settings_for
from sasom.ledger.services import (
    account_for,
    ledger_settings_update,
    points_adjust,
)
from sasom.ledger.views_tiers import member_tier_context
from sasom.members.models import Member
from sasom.organizations.http import StaffRequest
from sasom.organizations.models import Branch, Organization


def _form_error(form: forms.BaseForm, err: DomainError) -> None:
    field = err.field if err.field in form.fields else None
    form.add_error(field, str(err.message))


def _sale_in_scope(request: StaffRequest, pk: int) -> Sale:
    sale = get_object_or_404(
        Sale.objects.select_related("branch", "terminal", "member"), pk=pk, organization=request.organization
    )
    ensure_branch_in_scope(request.staff, sale.branch)
    return sale


@require_perm("points.view")
def sale_detail(request: StaffRequest, pk: int) -> HttpResponse:
    sale = _sale_in_scope(request, pk)
    lines = list(sale.lines.all())
    return render(
        request,
        "ledger/sale_detail.html",
        {
            "sale": sale,
            "lines": lines,
            "entries": sale.entries.select_related("account__member").order_by("id"),
            "returns": sale.returns.order_by("id"),
            "void_form": VoidForm(),
            "return_form": ReturnForm(sale_lines=[ln for ln in lines if ln.returned_quantity < ln.quantity]),
            "may_void": staff_has(request.staff, "points.void") and sale.status != Sale.Status.VOIDED,
            "no_points": NO_POINTS.get((sale.explanation or {}).get("no_points", "")),
        },
    )


@require_perm("points.adjust")
def adjust(request: StaffRequest, member_id: int) -> HttpResponse:
    member = get_object_or_404(Member, pk=member_id, organization=request.organization)
    form = AdjustForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            points_adjust(
                account=account_for(member), points=form.cleaned_data["points"],
                reason=form.cleaned_data["reason"], actor=Actor.from_request(request),
            )
        except DomainError as err:
            _form_error(form, err)
        else:
            messages.success(request, _("Points adjusted."))
            return redirect(f"{request.path}?done=1")
    account = selectors.account_of(member)
    return render(request, "ledger/adjust.html", {"form": form, "member": member, "balance": selectors.balance_of(account)})


@require_perm("points.view")
def member_points(request: StaffRequest, member_id: int) -> HttpResponse:
    """The member file's points panel (``ledger/_member_points.html`` loads this with hx-get)."""
    member = get_object_or_404(Member, pk=member_id, organization=request.organization)
    account = selectors.account_of(member)
    context = {
        "member": member,
        "balance": selectors.balance_of(account),
        "lots": list(selectors.lots_for(account)[:50]) if account else [],
        "page": selectors.entries_for(account, request.GET.get("page")) if account else None,
        "may_adjust": staff_has(request.staff, "points.adjust"),
        **member_tier_context(request, member),
    }
    return render(request, "ledger/_member_points_body.html", context)


def _day_and_branch(request: StaffRequest) -> tuple[dt.date, int | None, set[int] | None]:
    org = request.organization
    day = day_typed(request.GET.get("date")) or selectors.today_in(org, timezone.now())
    scope = branch_ids_in_scope(request.staff)
    try:
        branch_id = int(request.GET.get("branch") or 0) or None
    except ValueError:
        branch_id = None
    if branch_id is not None and scope is not None and branch_id not in scope:
        raise PermissionDenied
    return day, branch_id, scope


@require_perm("points.view")
def daily(request: StaffRequest) -> HttpResponse:
    """The day's sales (organization's date), by branch; branch staff see their branches only."""
    org = request.organization
    day, branch_id, scope = _day_and_branch(request)
    sales = selectors.sales_for_day(org, day, branch_ids=scope, branch_id=branch_id)
    if request.GET.get("format") == "csv":
        return _csv(sales, day, request.organization)
    branches = Branch.objects.filter(organization=org).order_by("code")
    if scope is not None:
        branches = branches.filter(pk__in=scope)
    from django.core.paginator import Paginator

    page = Paginator(sales, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "ledger/daily.html",
        {"page": page, "day": day, "branches": branches, "branch_id": branch_id,
         "may_void": staff_has(request.staff, "points.void")},
    )


def _csv(sales: QuerySet[Sale], day: dt.date, organization: Organization) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="sales-{day.isoformat()}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(["occurred_at", "branch", "terminal", "receipt_id", "member_code", "member_type",
                     "gross", "discounts", "net", "eligible_net", "points_earned", "points_used", "donation", "status"])
    for s in sales.iterator(chunk_size=500):
        writer.writerow([
            export_time(s.occurred_at, organization), s.branch.code, s.terminal.code, s.receipt_id,
            s.member.code if s.member else "", s.member_type_code, s.gross, s.discounts, s.net, s.eligible_net,
            s.points_earned, s.points_used, s.donation, s.status,
        ])
    return response


@require_perm("points.settings")
def settings_view(request: StaffRequest) -> HttpResponse:
    """The organization's points policy: expiry, pending window, same-sale spending, shortfall."""
    current = ledger_settings_for(request.organization)
    form = LedgerSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        ledger_settings_update(organization=request.organization, actor=Actor.from_request(request), **{
            k: form.cleaned_data[k] for k in form.Meta.fields
        })
        messages.success(request, _("Points settings saved."))
        return redirect("ledger:settings")
    return render(request, "ledger/settings.html", {"form": form})
