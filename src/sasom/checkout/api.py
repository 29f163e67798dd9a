"""Sales over the JSON API: quote, commit, return, void, read. Each operation parses, calls one
checkout service, renders.

The POS sends the basket; the server decides every point and every discount (DOMAIN.md 6). A
commit is idempotent twice over: by the ``Idempotency-Key`` header (middleware) and by the receipt
number, unique per branch and terminal, so an offline POS replaying its queue never double-posts.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status
from ninja.responses import NinjaJSONEncoder

from sasom.catalog.pricing import LineIn
from sasom.checkout import services
from sasom.checkout.api_schemas import (
    BasketIn,
    ReturnIn,
    ReturnOut,
    SaleIn,
    SaleMemberRef,
    SaleOut,
    SalePlace,
    SaleQuoteIn,
    SaleQuoteOut,
    VoidIn,
)
from sasom.checkout.errors import (
    SALE_NOT_FOUND,
    TERMINAL_REQUIRED,
    UNKNOWN_TERMINAL,
    WRONG_TERMINAL,
)
from sasom.checkout.render import quote_out, sale_out
from sasom.checkout.render_sale import sale_answer_json
from sasom.core.audit import Actor
from sasom.core.errors import DomainError, Forbidden, NotFound
from sasom.core.permissions import ensure_branch_in_scope
from sasom.earning import engine
from sasom.integrations.auth import Principal, api_auth, api_require
from sasom.ledger.api_schemas import balance_out
from sasom.ledger.models import Sale
from sasom.organizations.models import Branch, Organization, Terminal

router = Router(tags=["sales and points"], auth=api_auth)


# ------------------------------------------------------------------------------------------ parsing


def _organization(principal: Principal) -> Organization:
    return Organization.objects.get(pk=principal.organization_id)


def _place(principal: Principal, branch_code: str, terminal_code: str) -> tuple[Branch, Terminal]:
    """The branch and terminal a request acts at: the key's own, or named in the body."""
    org_id = principal.organization_id
    if principal.terminal_id is not None:
        terminal = Terminal.objects.select_related("branch").get(pk=principal.terminal_id)
        if terminal_code and terminal_code != terminal.code:
            raise Forbidden(WRONG_TERMINAL, "This key belongs to another terminal.", field="terminal")
        if branch_code and branch_code != terminal.branch.code:
            raise Forbidden(WRONG_TERMINAL, "This key belongs to another branch.", field="branch")
        return terminal.branch, terminal
    if not terminal_code:
        raise DomainError(TERMINAL_REQUIRED, "Name the terminal (its code).", field="terminal")
    found = (
        Terminal.objects.select_related("branch")
        .filter(organization_id=org_id, code=terminal_code, is_active=True)
        .first()
    )
    if found is None:
        raise NotFound(UNKNOWN_TERMINAL, f"No active terminal '{terminal_code}'.", field="terminal")
    if branch_code and branch_code != found.branch.code:
        raise DomainError(WRONG_TERMINAL, "The terminal belongs to another branch.", field="terminal")
    if principal.branch_id is not None and found.branch_id != principal.branch_id:
        raise Forbidden(WRONG_TERMINAL, "This key belongs to another branch.", field="terminal")
    if principal.staff is not None:
        ensure_branch_in_scope(principal.staff, found.branch)
    return found.branch, found


def _place_and_organization(principal: Principal, branch_code: str, terminal_code: str
                            ) -> tuple[Organization, Branch, Terminal]:
    """:func:`_place` plus the organization; a terminal's key has all three cached with the key."""
    if principal.terminal_id is None:
        return _organization(principal), *_place(principal, branch_code, terminal_code)
    if principal.place is not None:
        organization, branch, terminal = principal.place
    else:
        terminal = Terminal.objects.select_related("branch", "organization").get(pk=principal.terminal_id)
        organization, branch = terminal.organization, terminal.branch
    if terminal_code and terminal_code != terminal.code:
        raise Forbidden(WRONG_TERMINAL, "This key belongs to another terminal.", field="terminal")
    if branch_code and branch_code != branch.code:
        raise Forbidden(WRONG_TERMINAL, "This key belongs to another branch.", field="branch")
    return organization, branch, terminal


def _lines_sent(body: BasketIn) -> tuple[LineIn, ...]:
    return tuple(
        LineIn(line_no=i, code=line.sku, quantity=line.quantity, unit_price=line.unit_price, discount=line.discount,
               category=line.category, brand=line.brand)
        for i, line in enumerate(body.lines, start=1)
    )


def _member_ref(ref: SaleMemberRef | None) -> services.MemberRef | None:
    return None if ref is None else services.MemberRef(phone=ref.phone, card=ref.card, code=ref.code)


def _basket(body: BasketIn, branch: Branch, terminal: Terminal) -> engine.Basket:
    """The bill as sent; its lines are priced by the checkout (``_lines_sent``)."""
    return engine.Basket(
        occurred_at=body.occurred_at,
        lines=(),
        branch_code=branch.code,
        terminal_code=terminal.code,
        salesperson=body.salesperson,
        document_type=body.document_type,
        bill_discount=body.bill_discount,
        bag_declined=body.bag_declined,
        campaign_plan=body.plan,
    )


def _sale(principal: Principal, receipt_id: str, branch_code: str, terminal_code: str) -> Sale:
    branch, terminal = _place(principal, branch_code, terminal_code)
    sale = (
        Sale.objects.select_related("branch", "terminal", "member")
        .filter(organization_id=principal.organization_id, branch=branch, terminal=terminal, receipt_id=receipt_id)
        .first()
    )
    if sale is None:
        raise NotFound(SALE_NOT_FOUND, "No sale with this receipt number at this terminal.", field="receipt_id")
    return sale


def _stored_sale_out(principal: Principal, sale: Sale, *, replayed: bool) -> SaleOut:
    return sale_out(sale, sale.member, awards=sale.explanation.get("awards", []), replayed=replayed,
                     coupons=services.coupons_of_sale(sale.organization_id, sale),
                     organization=_organization(principal))


# --------------------------------------------------------------------------------------- operations


@router.post("/sales/quote", response=SaleQuoteOut, summary="What a basket would earn, and what the member may spend")
def quote(request: HttpRequest, body: SaleQuoteIn) -> SaleQuoteOut:
    principal = api_require(request, "points.view")
    organization = _organization(principal)
    branch, terminal = _place(principal, body.branch, body.terminal)
    member = services.member_find(principal.organization_id, _member_ref(body.member))
    q = services.sale_quote(organization=organization, branch=branch, basket=_basket(body, branch, terminal),
                            member=member, sent=_lines_sent(body), coupons=body.coupons,
                            redeem_points=body.redeem_points, choices=body.choices)
    return quote_out(organization, q)


@router.post("/sales", response={201: SaleOut, 200: SaleOut}, summary="Commit a sale: earn points, spend points and coupons")
def commit(request: HttpRequest, body: SaleIn) -> HttpResponse:
    principal = api_require(request, "points.earn")
    organization, branch, terminal = _place_and_organization(principal, body.branch, body.terminal)
    done = services.sale_commit(
        organization=organization, branch=branch, terminal=terminal, receipt_id=body.receipt_id,
        basket=_basket(body, branch, terminal), actor=Actor.from_request(request),
        member_ref=_member_ref(body.member), sent=_lines_sent(body), coupons=body.coupons, redeem_points=body.redeem_points,
        staff=principal.staff, choices=body.choices,
    )
    if done.created and done.basket is not None and (done.member_read is None or done.balance is not None):
        # a sale just posted, its balance known: written from plain values (checkout.render_sale)
        text = sale_answer_json(done.sale, done.member_read, awards=done.awards, coupons=done.coupons,
                                organization=organization, balance=done.balance, basket=done.basket, lines=done.lines)
    else:
        out = sale_out(done.sale, done.member, awards=done.awards, replayed=not done.created, coupons=done.coupons,
                       organization=organization, account=done.account, known=done.balance, basket=done.basket)
        # The answer was just built and validated as a SaleOut: render it as django-ninja would
        # (same encoder, same bytes) without validating it a second time.
        text = json.dumps(out.model_dump(), cls=NinjaJSONEncoder)
    return HttpResponse(text, status=201 if done.created else 200, content_type="application/json; charset=utf-8")


@router.post("/sales/{path:receipt_id}/returns", response={201: ReturnOut}, summary="Return some lines of a sale")
def sale_return_op(request: HttpRequest, receipt_id: str, body: ReturnIn) -> Any:
    principal = api_require(request, "points.void")
    sale = _sale(principal, receipt_id, body.branch, body.terminal)
    lines: dict[int, Decimal] = {}
    for line in body.lines:
        lines[line.line_no] = lines.get(line.line_no, Decimal("0")) + line.quantity
    returned = services.sale_return(sale=sale, lines=lines, actor=Actor.from_request(request),
                                    return_id=body.return_id, reason=body.reason)
    sale.refresh_from_db()
    return Status(201, ReturnOut(
        receipt_id=sale.receipt_id, return_id=returned.return_id, status=sale.status,
        points_reversed=returned.points_reversed, points_refunded=returned.points_refunded,
        returned_net=returned.returned_net, balance=balance_out(sale.member),
    ))


@router.post("/sales/{path:receipt_id}/void", response=SaleOut, summary="Void a whole sale: reverse everything it caused, once")
def sale_void_op(request: HttpRequest, receipt_id: str, body: VoidIn) -> SaleOut:
    with transaction.atomic():
        principal = api_require(request, "points.void")
        sale = _sale(principal, receipt_id, body.branch, body.terminal)
        sale = services.sale_void(sale=sale, reason=body.reason, actor=Actor.from_request(request))
        sale = Sale.objects.select_related("branch", "terminal", "member").get(pk=sale.pk)
        return _stored_sale_out(principal, sale, replayed=False)


@router.get("/sales/{path:receipt_id}", response=SaleOut, summary="A posted sale")
def sale_read(request: HttpRequest, receipt_id: str, place: Query[SalePlace]) -> SaleOut:
    principal = api_require(request, "points.view")
    return _stored_sale_out(principal, _sale(principal, receipt_id, place.branch, place.terminal), replayed=False)
