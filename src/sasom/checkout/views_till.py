"""The till: the cashier's sale screen, built for speed.

Scan or type a barcode (Enter adds), change quantities, find the member, choose their coupons and
the points they pay with; every change reprices the whole basket with ``services.sale_quote``, so
the screen shows what the post will store. HTMX swaps the panel; without JavaScript every form
still works (post, redirect, the page again). The basket and the post-once rules: ``till.py``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.db import IntegrityError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sasom.catalog.selectors import product_by_code
from sasom.checkout import services, till_show
from sasom.checkout.api_schemas import SaleQuoteOut
from sasom.checkout.errors import PROMOTION_CHOICE
from sasom.checkout.forms import (
    MAX_LINES,
    MAX_QUANTITY,
    BagForm,
    ChoiceForm,
    LineForm,
    MemberFindForm,
    PaymentForm,
    ScanForm,
)
from sasom.checkout.render import quote_out, sale_out
from sasom.checkout.till import (
    TillBasket,
    done_remember,
    done_sale_id,
    receipt_reserved,
)
from sasom.checkout.views_till_terminal import no_terminal, terminal_of, terminal_remember
from sasom.core.audit import Actor
from sasom.core.currency import currency_of
from sasom.core.errors import DomainError, NotFound
from sasom.core.permissions import ensure_branch_in_scope, require_perm
from sasom.earning.selectors import ruleset_for
from sasom.ledger.errors import RECEIPT_CONFLICT
from sasom.ledger.models import Sale
from sasom.ledger.selectors import account_of, balance_of
from sasom.members.models import Member
from sasom.organizations.http import StaffRequest
from sasom.organizations.models import Terminal
from sasom.promotions.engine.kinds._common import texts_shown_in
from sasom.rewards.views.common import find_member

PANEL = "checkout/_till_panel.html"


@dataclass(frozen=True)
class Place:
    terminal: Terminal
    basket: TillBasket
    member: Member | None


def _place(request: StaffRequest) -> Place | None:
    terminal = terminal_of(request)
    if terminal is None:
        return None
    basket = TillBasket.load(request.session)
    member = None
    if basket.member_id is not None:
        member = Member.objects.select_related("member_type").filter(
            organization=request.organization, pk=basket.member_id).first()
        if member is None:
            basket = basket.with_member(None)
    return Place(terminal=terminal, basket=basket, member=member)


def _quote(request: StaffRequest, place: Place, basket: TillBasket) -> services.SaleQuote | None:
    """The priced basket now (raises ``DomainError`` as the commit would), its promotion texts as
    the screen shows them (toman for a toman shop; the commit writes its own, in rial)."""
    if not basket.lines:
        return None
    with texts_shown_in(currency_of(request.organization)):
        return services.sale_quote(
            organization=request.organization, branch=place.terminal.branch,
            basket=basket.engine_basket(place.terminal, str(request.staff)), member=place.member,
            sent=basket.sent(), coupons=basket.coupons, redeem_points=basket.points, choices=basket.chosen(),
        )


def _quote_kept(request: StaffRequest, place: Place, basket: TillBasket, picked: str = ""
                ) -> tuple[services.SaleQuote | None, TillBasket]:
    """:func:`_quote`, less each pick the promotion no longer offers (edited since it was made; a
    pick just made, ``picked``, is refused as it is): the bill is priced without it, the cashier told."""
    while True:
        try:
            return _quote(request, place, basket), basket
        except DomainError as err:
            stale = basket.stale_choice(err.field) if err.code == PROMOTION_CHOICE else None
            if stale is None or stale == picked:
                raise
            messages.warning(request, _("The choice for %(code)s was dropped: %(why)s") % {"code": stale, "why": err.message})
            basket = basket.without_choice(stale).renewed()


def _panel(request: StaffRequest, place: Place, basket: TillBasket,
           quoted: tuple[services.SaleQuote | None] | None = None) -> dict[str, Any]:
    """Quote ``basket`` at this moment (unless ``quoted`` already holds its quote, stamped), keep
    it (stamped, with its receipt number) and build the panel's context. A basket the quote now
    refuses because of its coupons or points is shown without them, saying why; one it refuses
    for a line (a product withdrawn since it was scanned) is listed for the cashier to remove."""
    q, unpriced = None, False
    if quoted is not None:
        q = quoted[0]
    else:
        basket = basket.stamped(timezone.now())
    try:
        if quoted is None:
            q, basket = _quote_kept(request, place, basket)
    except DomainError as err:
        if basket.coupons or basket.points:
            messages.warning(request, _("Coupons and points were taken off the bill: %(why)s") % {"why": err.message})
            basket = basket.without_payments()
            try:
                q = _quote(request, place, basket)
            except DomainError as again:
                err = again
        if q is None:  # e.g. a product withdrawn since it was scanned: the screen offers to remove its line
            messages.error(request, err.message)
            unpriced = True
    if basket.lines:
        basket = receipt_reserved(basket, place.terminal)
    basket.save(request.session)
    with texts_shown_in(currency_of(request.organization)):
        out: SaleQuoteOut | None = quote_out(request.organization, q) if q is not None else None
    ctx: dict[str, Any] = {"place": place, "basket": basket, "member": place.member, "quote": out,
                           "member_form": MemberFindForm(), "scan_form": ScanForm(), "max_quantity": MAX_QUANTITY,
                           "unpriced": unpriced,
                           "bag_form": BagForm(initial={"declined": basket.bag_declined})
                           if ruleset_for(request.organization.pk).campaigns else None}
    if out is not None:
        names = dict((ln.sku, ln.name) for ln in q.priced.lines) if q is not None and q.priced else {}
        if not names:
            names = till_show.product_names(request.organization.pk, [ln.sku for ln in out.lines])
        cash = sum((c.amount for c in out.coupons_used if c.kind == "cash"), Decimal("0"))
        ctx.update(rows=till_show.rows_of(out.lines, names), notes=till_show.steps_of(out.notes),
                   cash_coupons=cash, to_pay=max(out.net - cash, Decimal("0")))
        if place.member is not None:
            choices = till_show.coupon_choices(out.coupons, out.coupons_used)
            ctx["payment_form"] = PaymentForm(coupon_codes=choices, initial={
                "coupons": list(basket.coupons), "points": basket.points or None})
    if place.member is not None and out is None:
        ctx["balance"] = balance_of(account_of(place.member))
    return ctx


def _answer(request: StaffRequest, place: Place, basket: TillBasket,
            quoted: tuple[services.SaleQuote | None] | None = None) -> HttpResponse:
    """HTMX: the panel again; a plain form post: back to the screen (post/redirect/get)."""
    if basket.changed_from(place.basket):
        basket = basket.renewed()
    if not request.htmx:
        basket.save(request.session)  # the screen prices it again when it shows it
        return redirect("checkout:till")
    return render(request, PANEL, {**_panel(request, place, basket, quoted), "partial": True})


def _change(request: StaffRequest, place: Place, candidate: TillBasket, member: Member | None = None,
            picked: str = "") -> HttpResponse:
    """Keep ``candidate`` (for ``member``, when another is found) if the checkout can price it,
    else keep the basket and the member as they were and say why."""
    candidate = candidate.stamped(timezone.now())
    new_place = place if member is None else dataclasses.replace(place, member=member)
    try:
        q, candidate = _quote_kept(request, new_place, candidate, picked)
    except DomainError as err:
        messages.error(request, err.message)
        return _answer(request, place, place.basket)
    return _answer(request, dataclasses.replace(new_place, basket=place.basket), candidate, (q,))


def _form_errors(request: StaffRequest, form: Any) -> None:
    for errors in form.errors.values():
        for e in errors:
            messages.error(request, str(e))


# ------------------------------------------------------------------------------------------ the screen


@require_perm("points.earn")
def till(request: StaffRequest) -> HttpResponse:
    place = _place(request)
    if place is None:
        return no_terminal()
    ctx = _panel(request, place, place.basket)
    return terminal_remember(render(request, "checkout/till.html", ctx), request, place.terminal)


@require_POST
@require_perm("points.earn")
def till_scan(request: StaffRequest) -> HttpResponse:
    place = _place(request)
    if place is None:
        return no_terminal()
    form = ScanForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _answer(request, place, place.basket)
    code, quantity = form.cleaned_data["code"], form.cleaned_data["quantity"]
    try:
        product = product_by_code(request.organization.pk, code)
    except NotFound:
        messages.error(request, _("No product has the code %(code)s. Nothing was added.") % {"code": code})
        return _answer(request, place, place.basket)
    candidate = place.basket.with_quantity(product.sku, quantity)
    if len(candidate.lines) > MAX_LINES or any(q > MAX_QUANTITY for _c, q in candidate.lines):
        messages.error(request, _("A bill takes at most %(lines)s lines of at most %(qty)s each.")
                       % {"lines": MAX_LINES, "qty": MAX_QUANTITY})
        return _answer(request, place, place.basket)
    return _change(request, place, candidate)


@require_POST
@require_perm("points.earn")
def till_line(request: StaffRequest, index: int) -> HttpResponse:
    place = _place(request)
    if place is None:
        return no_terminal()
    form = LineForm(request.POST)
    if not 0 <= index < len(place.basket.lines):
        messages.error(request, _("That line is no longer on the bill."))
        return _answer(request, place, place.basket)
    if not form.is_valid():
        _form_errors(request, form)
        return _answer(request, place, place.basket)
    action, current = form.cleaned_data["action"], place.basket.lines[index][1]
    new: Decimal | None = {"inc": current + 1, "dec": current - 1, "set": form.cleaned_data["quantity"],
                           "remove": None}[action]
    if new is not None and new <= 0:
        new = None  # minus on a line of one removes it
    if new is not None and new > MAX_QUANTITY:
        messages.error(request, _("The quantity must be between 0.001 and %(max)s.") % {"max": MAX_QUANTITY})
        return _answer(request, place, place.basket)
    return _change(request, place, place.basket.with_line(index, new))


@require_POST
@require_perm("points.earn")
def till_member(request: StaffRequest) -> HttpResponse:
    place = _place(request)
    if place is None:
        return no_terminal()
    if request.POST.get("action") == "clear":
        return _answer(request, place, place.basket.with_member(None))
    form = MemberFindForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _answer(request, place, place.basket)
    member = find_member(request, form.cleaned_data["q"])
    if member is None:
        messages.error(request, _("No member has this phone, card or code: %(q)s.") % {"q": form.cleaned_data["q"]})
        return _answer(request, place, place.basket)
    return _change(request, place, place.basket.with_member(member.pk), member)


@require_POST
@require_perm("points.earn", "coupons.use")
def till_payment(request: StaffRequest) -> HttpResponse:
    """The member's coupons chosen and the number of points paid with, checked by the quote."""
    place = _place(request)
    if place is None:
        return no_terminal()
    if place.member is None:
        messages.error(request, _("Find the member first: only a member pays with points or coupons."))
        return _answer(request, place, place.basket)
    try:
        offered = _quote(request, place, place.basket.without_payments())
    except DomainError as err:
        messages.error(request, err.message)
        return _answer(request, place, place.basket)
    codes = [(c.code, c.code) for c in (offered.coupons if offered else [])] + [(c, c) for c in place.basket.coupons]
    form = PaymentForm(request.POST, coupon_codes=codes)
    if not form.is_valid():
        _form_errors(request, form)
        return _answer(request, place, place.basket)
    candidate = dataclasses.replace(place.basket, coupons=tuple(form.cleaned_data["coupons"]),
                                    points=form.cleaned_data["points"] or 0)
    return _change(request, place, candidate)


@require_POST
@require_perm("points.earn")
def till_bag(request: StaffRequest) -> HttpResponse:
    """The customer declined a plastic bag, or took one after all (the bag campaigns)."""
    place = _place(request)
    if place is None:
        return no_terminal()
    form = BagForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _answer(request, place, place.basket)
    return _change(request, place, dataclasses.replace(place.basket, bag_declined=form.cleaned_data["declined"]))


@require_POST
@require_perm("points.earn")
def till_choice(request: StaffRequest) -> HttpResponse:
    """The member's pick of a promotion's choice (a free item or a purchase-with-purchase item);
    the quote refuses a SKU the promotion does not offer."""
    place = _place(request)
    if place is None:
        return no_terminal()
    form = ChoiceForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _answer(request, place, place.basket)
    code = form.cleaned_data["promotion"]
    return _change(request, place, place.basket.with_choice(code, form.cleaned_data["sku"]), picked=code)


@require_POST
@require_perm("points.earn")
def till_new(request: StaffRequest) -> HttpResponse:
    """Drop the bill on screen and start a new one (its receipt number is not reused)."""
    TillBasket().save(request.session)
    return redirect("checkout:till")


# ------------------------------------------------------------------------------------------ post, receipt


@require_POST
@require_perm("points.earn")
def till_commit(request: StaffRequest) -> HttpResponse:
    place = _place(request)
    if place is None:
        return no_terminal()
    token, basket = request.POST.get("token", ""), place.basket
    if token != basket.token:
        posted = done_sale_id(request.session, token)
        if posted is not None:
            messages.info(request, _("This sale was already posted; here is its receipt."))
            return redirect("checkout:till_receipt", pk=posted)
        messages.error(request, _("The bill changed since this page was shown; check it and post again."))
        return redirect("checkout:till")
    if not basket.lines:
        messages.error(request, _("Scan at least one product."))
        return redirect("checkout:till")
    if not basket.stamp_fresh(timezone.now()):
        messages.warning(request, _("The prices were quoted a while ago; check the bill and post again."))
        return redirect("checkout:till")
    basket = receipt_reserved(basket, place.terminal)
    try:
        done = services.sale_commit(
            organization=request.organization, branch=place.terminal.branch, terminal=place.terminal,
            receipt_id=basket.receipt_id, basket=basket.engine_basket(place.terminal, str(request.staff)),
            actor=Actor.from_request(request),
            member_ref=services.MemberRef(code=place.member.code) if place.member else None, sent=basket.sent(),
            coupons=list(basket.coupons), redeem_points=basket.points, staff=request.staff,
            choices=basket.chosen(),
        )
    except DomainError as err:
        messages.error(request, err.message)
        if err.code == RECEIPT_CONFLICT:  # the number was taken by another sender: the next post takes a new one
            dataclasses.replace(basket, receipt_id="", receipt_terminal_id=None).save(request.session)
        return redirect("checkout:till")
    except IntegrityError:  # a double click racing this one posted it a moment ago
        sale = Sale.objects.filter(organization=request.organization, branch_id=place.terminal.branch_id,
                                   terminal=place.terminal, receipt_id=basket.receipt_id).first()  # uniq_sale_receipt
        if sale is None:
            raise
        return redirect("checkout:till_receipt", pk=sale.pk)
    done_remember(request.session, basket.token, done.sale.pk)
    TillBasket().save(request.session)
    if not done.created:
        messages.info(request, _("This sale was already posted; here is its receipt."))
    return redirect("checkout:till_receipt", pk=done.sale.pk)


@require_perm("points.earn")
def till_receipt(request: StaffRequest, pk: int) -> HttpResponse:
    sale = get_object_or_404(Sale.objects.select_related("branch", "terminal", "member__member_type"), pk=pk,
                             organization=request.organization)
    ensure_branch_in_scope(request.staff, sale.branch)
    with texts_shown_in(currency_of(request.organization)):  # the promotions' reasons in the display unit
        out = sale_out(sale, sale.member, awards=sale.explanation.get("awards", []), replayed=False,
                        coupons=services.coupons_of_sale(request.organization.pk, sale), organization=request.organization)
    names = till_show.product_names(request.organization.pk, [ln.sku for ln in out.lines])
    return render(request, "checkout/till_receipt.html", {
        "sale": sale, "out": out, "rows": till_show.rows_of(out.lines, names),
    })
