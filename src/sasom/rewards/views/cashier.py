"""Cashier: the most points usable on a bill, coupons as payment or discount, pay with points."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from sasom.core.audit import Actor
from sasom.core.errors import DomainError
from sasom.core.permissions import require_perm
from sasom.earning import engine

from .. import points as ledger
from ..forms import CashierForm
from ..models import Coupon, CouponTemplate
from ..pricing import coupon_code_display
from ..selectors import coupons_of_member
from ..services import coupon_use, points_discount_apply, points_discount_quote_for
from .common import find_member, form_error, terminals_for


def _coupons_on_bill(organization, receipt_id: str) -> tuple[Decimal, Decimal]:
    """(discount coupons, cash coupons) already used on this receipt."""
    used = Coupon.objects.filter(organization=organization, used_bill_reference=receipt_id, status=Coupon.Status.USED)
    disc = used.filter(template__kind=CouponTemplate.Kind.DISCOUNT).aggregate(s=Sum("used_amount"))["s"] or Decimal("0")
    cash = used.filter(template__kind=CouponTemplate.Kind.CASH).aggregate(s=Sum("used_amount"))["s"] or Decimal("0")
    return disc, cash


@require_perm("coupons.use")
def cashier(request: HttpRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = CashierForm(data, terminals=terminals_for(request))
    ctx: dict = {"form": form}
    if form.is_valid():
        cd = form.cleaned_data
        member = find_member(request, cd["q"])
        if member is None:
            form.add_error("q", _("No member has this code, phone or card."))
            return render(request, "rewards/cashier.html", ctx)
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
                    _("Coupon %(code)s accepted: %(amount)s.") % {"code": coupon_code_display(coupon.code), "amount": coupon.used_amount},
                )
            elif action == "points":
                disc, _cash = _coupons_on_bill(request.organization, cd["receipt_id"])
                basket = engine.Basket(
                    occurred_at=timezone.now(),
                    lines=(engine.BasketLine(line_no=1, sku="BILL", quantity=Decimal(1), unit_price=cd["bill_amount"]),),
                    branch_code=terminal.branch.code, terminal_code=terminal.code, coupon_discount=disc,
                )
                result = points_discount_apply(
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
            member=member, spendable=ledger.spendable_of(member), quote=quote, coupon_discount=disc, cash_coupons=cash,
            coupons=coupons_of_member(member).filter(status=Coupon.Status.ISSUED, expires_at__gt=timezone.now())[:20],
        )
    return render(request, "rewards/cashier.html", ctx)
