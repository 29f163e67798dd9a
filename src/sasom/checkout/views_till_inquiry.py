"""Inquiry at the cashier (issue 14, variant 7): look a product up by SKU or barcode and see its
price for the member at the till, every active promotion it takes part in, and how far the bill
on screen is from each one's next step ("add 1 more for a free item"). Reads only."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sasom.catalog.pricing import LineIn
from sasom.catalog.selectors import product_by_code
from sasom.checkout import services
from sasom.checkout.render import quote_out
from sasom.checkout.views_till import Place, _place
from sasom.checkout.views_till_terminal import no_terminal
from sasom.core.currency import currency_of
from sasom.core.errors import DomainError, NotFound
from sasom.core.permissions import require_perm
from sasom.organizations.http import StaffRequest
from sasom.promotions.compile import promotion_set_for
from sasom.promotions.engine.index import candidates
from sasom.promotions.engine.kinds import KINDS
from sasom.promotions.engine.kinds._common import texts_shown_in
from sasom.promotions.engine.types import Line
from sasom.promotions.models import Promotion
from sasom.promotions.texts import summary_shown


class InquiryForm(forms.Form):
    code = forms.CharField(max_length=70, label=gettext_lazy("Barcode or SKU"))


def _promotions_of(request: StaffRequest, place: Place, sku: str, categories: frozenset[str], brand: str
                   ) -> list[dict[str, Any]]:
    """The active promotions the product takes part in, each with its summary (one query for
    their parameters), what the bill on screen gets from it now and its hint."""
    pset = promotion_set_for(request.organization.pk)
    if pset is None:
        return []
    probe = Line(index=0, sku=sku, categories=categories, brand=brand, quantity=Decimal("1"),
                 unit_price=Decimal("0"), list_price=Decimal("0"))
    found = [pset.promotions[i] for i in candidates(pset, [probe]) if pset.promotions[i].rule.items().matches(probe)]
    applied: dict[str, Decimal] = {}
    hints: dict[str, str] = {}
    if place.basket.lines and found:
        try:
            now = services.sale_quote(
                organization=request.organization, branch=place.terminal.branch,
                basket=place.basket.engine_basket(place.terminal, str(request.staff)), member=place.member,
                sent=place.basket.sent(), choices=place.basket.chosen())
        except DomainError:
            now = None
        if now is not None and now.promotions is not None:
            applied = {a.code: a.discount for a in now.promotions.applied}
            hints = {h.promotion: h.reward for h in now.promotions.hints}
    params = dict(Promotion.objects.filter(organization_id=request.organization.pk, pk__in=[p.id for p in found])
                  .values_list("pk", "params")) if found else {}
    currency = currency_of(request.organization)
    out = []
    for p in found:
        kind = KINDS.get(p.kind)
        out.append({"code": p.code, "name": p.name, "kind": kind.label if kind else p.kind,
                    "summary": summary_shown(p.kind, params.get(p.id), currency),
                    "applied": applied.get(p.code), "hint": hints.get(p.code, ""), "members_only": p.conditions.members_only})
    return out


@require_perm("points.earn")
def till_inquiry(request: StaffRequest) -> HttpResponse:
    place = _place(request)
    if place is None:
        return no_terminal()
    form = InquiryForm(request.GET or None)
    ctx: dict[str, Any] = {"form": form, "place": place, "member": place.member}
    if form.is_valid():
        code = form.cleaned_data["code"].strip()
        try:
            product = product_by_code(request.organization.pk, code)
        except NotFound:
            messages.error(request, _("No product has the code %(code)s.") % {"code": code})
            return render(request, "checkout/till_inquiry.html", ctx)
        try:
            with texts_shown_in(currency_of(request.organization)):  # a screen: toman for a toman shop
                q = services.sale_quote(
                    organization=request.organization, branch=place.terminal.branch,
                    basket=place.basket.engine_basket(place.terminal, str(request.staff)), member=place.member,
                    sent=(LineIn(line_no=1, code=product.sku, quantity=Decimal("1"), unit_price=None),))
                out = quote_out(request.organization, q)
        except DomainError as err:
            messages.error(request, err.message)
            return render(request, "checkout/till_inquiry.html", ctx)
        priced = q.priced.lines[0] if q.priced is not None and q.priced.lines else None
        ctx.update(product=product, line=out.lines[0], quote=out,
                   promotions=_promotions_of(request, place, product.sku,
                                             priced.categories if priced else frozenset(),
                                             priced.brand if priced else ""))
    return render(request, "checkout/till_inquiry.html", ctx)
