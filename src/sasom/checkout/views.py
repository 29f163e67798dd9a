"""The cashier's screens: ring up a sale (the counter), pay with points or coupons (the cashier),
return or void a sale. Each parses its form, calls one checkout service, renders."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.db.models import QuerySet, Sum
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sasom.checkout import services
from sasom.core.audit import Actor
from sasom.core.currency import currency_of, shop_money, unit_label
from sasom.core.errors import DomainError
from sasom.core.permissions import branch_ids_in_scope, ensure_branch_in_scope, require_perm
from sasom.earning import engine
from sasom.ledger import selectors as ledger_selectors
from sasom.ledger.forms import CounterSaleForm, ReturnForm, VoidForm
from sasom.ledger.models import Sale
from sasom.organizations.http import StaffRequest
from sasom.organizations.models import Organization, Terminal
from sasom.rewards import points as reward_points
from sasom.rewards.forms import CashierForm
from sasom.rewards.models import Coupon, CouponTemplate
from sasom.rewards.pricing import coupon_code_display
from sasom.rewards.selectors import coupons_of_member
from sasom.rewards.services import coupon_use, points_discount_quote_for
from sasom.rewards.views.common import find_member, form_error, terminals_for


def _terminals(staff: Any) -> QuerySet[Terminal]:
    qs = Terminal.objects.filter(organization_id=staff.organization_id, is_active=True).select_related("branch")
    scope = branch_ids_in_scope(staff)
    if scope is not None:
        qs = qs.filter(branch_id__in=scope)
    return qs.order_by("branch__code", "code")


def _form_error(form: Any, err: DomainError) -> None:
    field = err.field if err.field in form.fields else None
    form.add_error(field, str(err.message))


def _counter_basket(form: CounterSaleForm, terminal: Terminal, now: dt.datetime, salesperson: str) -> engine.Basket:
    data = form.cleaned_data
    if data["lines"]:
        lines = tuple(
            engine.BasketLine(line_no=i, sku=sku, quantity=qty, unit_price=price, discount=discount)
            for i, (sku, qty, price, discount) in enumerate(data["lines"], start=1)
        )
    else:
        lines = (engine.BasketLine(line_no=1, sku="TOTAL", quantity=Decimal("1"), unit_price=data["total"]),)
    return engine.Basket(
        occurred_at=now,
        lines=lines,
        branch_code=terminal.branch.code,
        terminal_code=terminal.code,
        salesperson=salesperson,
        bill_discount=data.get("bill_discount") or Decimal("0"),
    )



def _money_with_unit(value: Any, request: StaffRequest) -> str:
    """An amount as the shop's cashier reads it, its unit named (``50.00 THB``, ``5,000 toman``)."""
    shown = shop_money(value, request.organization, language=translation.get_language() or "")
    return f"{shown} {unit_label(currency_of(request.organization))}"

@require_perm("points.earn")
def counter(request: StaffRequest) -> HttpResponse:
    """Find the member, ring up the sale, show the awards and the new balance."""
    staff, org = request.staff, request.organization
    query = (request.POST.get("q") or request.GET.get("q") or "").strip()
    member = find_member(request, query) if query else None
    terminals = _terminals(staff)
    form = CounterSaleForm(request.POST or None, terminals=terminals)
    result = None
    if request.method == "POST" and form.is_valid():
        terminal = form.cleaned_data["terminal"]
        ensure_branch_in_scope(staff, terminal.branch)
        try:
            result = services.sale_counter_post(
                organization=org, branch=terminal.branch, terminal=terminal,
                receipt_id=form.cleaned_data["receipt_id"],
                basket=_counter_basket(form, terminal, timezone.now(), str(staff)), member=member,
                actor=Actor.from_request(request), points_used=form.cleaned_data.get("points_used") or 0,
                staff=staff,
            )
        except DomainError as err:
            _form_error(form, err)
        else:
            form = CounterSaleForm(terminals=terminals, initial={"terminal": terminal.pk})
    balance = ledger_selectors.balance_of(ledger_selectors.account_of(member)) if member else None
    return render(
        request,
        "checkout/counter.html",
        {"form": form, "q": query, "member": member, "not_found": bool(query and not member),
         "balance": balance, "result": result},
    )


def _sale_in_scope(request: StaffRequest, pk: int) -> Sale:
    sale = get_object_or_404(
        Sale.objects.select_related("branch", "terminal", "member"), pk=pk, organization=request.organization
    )
    ensure_branch_in_scope(request.staff, sale.branch)
    return sale


@require_POST
@require_perm("points.void")
def sale_void_view(request: StaffRequest, pk: int) -> HttpResponse:
    sale = _sale_in_scope(request, pk)
    form = VoidForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("A reason is required."))
    else:
        try:
            services.sale_void(sale=sale, reason=form.cleaned_data["reason"], actor=Actor.from_request(request))
            messages.success(request, _("Sale %(r)s voided.") % {"r": sale.receipt_id})
        except DomainError as err:
            messages.error(request, err.message)
    return redirect("ledger:sale", pk=sale.pk)


@require_POST
@require_perm("points.void")
def sale_return_view(request: StaffRequest, pk: int) -> HttpResponse:
    sale = _sale_in_scope(request, pk)
    lines = [ln for ln in sale.lines.all() if ln.returned_quantity < ln.quantity]
    form = ReturnForm(request.POST, sale_lines=lines)
    if not form.is_valid():
        for errs in form.errors.values():
            for e in errs:
                messages.error(request, str(e))
    else:
        try:
            ret = services.sale_return(
                sale=sale, lines=form.returned_lines(), actor=Actor.from_request(request),
                return_id=form.cleaned_data["return_id"], reason=form.cleaned_data["reason"],
            )
            messages.success(request, _("Return recorded: %(n)s points taken back.") % {"n": ret.points_reversed})
        except DomainError as err:
            messages.error(request, err.message)
    return redirect("ledger:sale", pk=sale.pk)


def _coupons_on_bill(organization: Organization, receipt_id: str) -> tuple[Decimal, Decimal]:
    """(discount coupons, cash coupons) already used on this receipt."""
    used = Coupon.objects.filter(organization=organization, used_bill_reference=receipt_id, status=Coupon.Status.USED)
    disc = used.filter(template__kind=CouponTemplate.Kind.DISCOUNT).aggregate(s=Sum("used_amount"))["s"] or Decimal("0")
    cash = used.filter(template__kind=CouponTemplate.Kind.CASH).aggregate(s=Sum("used_amount"))["s"] or Decimal("0")
    return disc, cash


@require_perm("coupons.use")
def cashier(request: StaffRequest) -> HttpResponse:
    """The most points usable on a bill, coupons as payment or discount, pay with points."""
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = CashierForm(data, terminals=terminals_for(request))
    ctx: dict[str, Any] = {"form": form}
    if form.is_valid():
        cd = form.cleaned_data
        member = find_member(request, cd["q"])
        if member is None:
            form.add_error("q", _("No member has this code, phone or card."))
            return render(request, "checkout/cashier.html", ctx)
        terminal = cd["terminal"]
        actor = Actor.from_request(request)
        action = request.POST.get("action") if request.method == "POST" else None
        try:
            if action == "coupon":
                coupon = coupon_use(
                    organization_id=request.organization.pk, code=cd.get("coupon_code") or "", member=member,
                    bill_amount=cd["bill_amount"], bill_reference=cd["receipt_id"], branch=terminal.branch,
                    actor=actor, staff=request.staff,
                )
                messages.success(
                    request,
                    _("Coupon %(code)s accepted: %(amount)s.") % {"code": coupon_code_display(coupon.code),
                                                                  "amount": _money_with_unit(coupon.used_amount, request)},
                )
            elif action == "points":
                disc, _cash = _coupons_on_bill(request.organization, cd["receipt_id"])
                basket = engine.Basket(
                    occurred_at=timezone.now(),
                    lines=(engine.BasketLine(line_no=1, sku="BILL", quantity=Decimal(1), unit_price=cd["bill_amount"]),),
                    branch_code=terminal.branch.code, terminal_code=terminal.code, coupon_discount=disc,
                )
                result = services.points_discount_apply(
                    organization=request.organization, branch=terminal.branch, terminal=terminal,
                    receipt_id=cd["receipt_id"], basket=basket, member=member, points=cd.get("points") or 0,
                    actor=actor, staff=request.staff,
                )
                messages.success(
                    request,
                    _("Sale %(r)s posted: %(p)s points paid %(m)s.")
                    % {"r": result.sale.receipt_id, "p": result.points_used, "m": result.sale.points_discount},
                )
                return redirect(f"{request.path}?{request.POST.urlencode()}")
        except DomainError as error:
            form_error(request, form, error)
        disc, cash = _coupons_on_bill(request.organization, cd["receipt_id"])
        to_pay = max(cd["bill_amount"] - disc, Decimal("0"))
        quote = None
        try:
            quote = points_discount_quote_for(member, bill_amount=to_pay)
        except DomainError as error:
            ctx["quote_error"] = error.message
        ctx.update(
            member=member, spendable=reward_points.spendable_of(member), quote=quote, coupon_discount=disc,
            cash_coupons=cash,
            coupons=coupons_of_member(member).filter(status=Coupon.Status.ISSUED, expires_at__gt=timezone.now())[:20],
        )
    return render(request, "checkout/cashier.html", ctx)
