"""Sales and points over the JSON API: quote, commit, return, void; balances and history.

The POS sends the basket; the server decides every point and every discount (DOMAIN.md 6). A
commit is idempotent twice over: by the ``Idempotency-Key`` header (middleware) and by the receipt
number, unique per branch and terminal, so an offline POS replaying its queue never double-posts.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from decimal import Decimal
from typing import Annotated, Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status
from ninja.responses import NinjaJSONEncoder
from pydantic import AfterValidator, BaseModel, BeforeValidator, StrictBool, StrictInt

from sasom.core.audit import Actor
from sasom.core.errors import DomainError, Forbidden, NotFound
from sasom.core.inputs import iso_text_only
from sasom.core.permissions import ensure_branch_in_scope
from sasom.earning import engine
from sasom.integrations.auth import Principal, api_auth, api_require
from sasom.ledger import receipts
from sasom.ledger.models import PointAccount, Sale
from sasom.ledger.selectors import Balance, account_of, balance_of, entries_for, sale_quote
from sasom.ledger.services import money, sale_post, sale_return, sale_void
from sasom.ledger.services.fastpost import fast_path_available, member_with_account, sale_post_fast
from sasom.members.models import Member
from sasom.members.selectors import member_by_code, member_lookup
from sasom.members.validation import try_normalize_phone
from sasom.organizations.models import Branch, Organization, Terminal

router = Router(tags=["sales and points"], auth=api_auth)

E_MEMBER_NOT_FOUND = "member_not_found"
E_SALE_NOT_FOUND = "sale_not_found"
E_TERMINAL_REQUIRED = "terminal_required"
E_UNKNOWN_TERMINAL = "unknown_terminal"
E_WRONG_TERMINAL = "wrong_terminal"
E_NAIVE_TIME = "time_zone_required"

Money = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]
Quantity = Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=3)]


def _aware(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("must carry a UTC offset, e.g. 2026-11-24T12:30:00+07:00")
    if not 2000 <= value.year <= 2999:
        raise ValueError("year out of range")
    return value


AwareDatetime = Annotated[dt.datetime, BeforeValidator(iso_text_only), AfterValidator(_aware)]


class _Lean(BaseModel):
    """The schemas of the sale commit (the hot path): plain pydantic models. django-ninja's
    ``Schema`` adds a Python-level wrap validator to every nested object (for reading ORM objects,
    which these never are); the OpenAPI schema is the same."""


class SaleMemberRef(_Lean):
    phone: str | None = Field(None, max_length=32)
    card: str | None = Field(None, max_length=40)
    code: str | None = Field(None, max_length=40)


class SaleLineIn(_Lean):
    sku: str = Field(..., min_length=1, max_length=64)
    category: str = Field("", max_length=64)
    brand: str = Field("", max_length=64)
    quantity: Quantity
    unit_price: Money
    discount: Money = Decimal("0")


class BasketIn(_Lean):
    branch: str = Field("", max_length=20, description="branch code; default: the key's branch")
    terminal: str = Field("", max_length=40, description="terminal code; default: the key's terminal")
    occurred_at: AwareDatetime
    member: SaleMemberRef | None = None
    document_type: str = Field("retail_receipt", min_length=1, max_length=32)
    salesperson: str = Field("", max_length=64)
    plan: str = Field("", max_length=40, description="campaign plan chosen on the document")
    bag_declined: StrictBool = False
    lines: list[SaleLineIn] = Field(..., min_length=1, max_length=500)
    bill_discount: Money = Decimal("0")
    redeem_points: StrictInt = Field(0, ge=0, le=1_000_000_000, description="points the member pays with")
    coupons: list[Annotated[str, Field(min_length=1, max_length=40)]] = Field(default_factory=list, max_length=10)


class SaleIn(BasketIn):
    receipt_id: str = Field(..., min_length=1, max_length=50)


class SaleAwardOut(_Lean):
    rule: str
    rule_name: str
    kind: str
    points: int
    explanation: str
    beneficiary: str


class ExpiryOut(_Lean):
    on: dt.date
    points: int


class BalanceOut(_Lean):
    spendable: int
    pending: int
    lifetime_earned: int
    debt: int
    next_expiry: ExpiryOut | None


class SaleCouponOut(_Lean):
    code: str
    kind: str
    amount: Decimal


class SaleOut(_Lean):
    receipt_id: str
    branch: str
    terminal: str
    status: str
    member: str | None
    points_earned: int
    points_used: int
    awards: list[SaleAwardOut]
    discount_applied: Decimal = Field(..., description="money off the bill: points used and discount coupons")
    coupons: list[SaleCouponOut]
    net: Decimal
    eligible_net: Decimal
    balance: BalanceOut | None
    receipt_text: str
    replayed: bool = Field(..., description="true when this receipt had been posted before")


class PointsDiscountOut(Schema):
    max_points: int
    max_amount: Decimal


class SaleRewardOptionOut(Schema):
    code: str
    name: str
    points: int


class SaleQuoteOut(Schema):
    member: str | None
    points_earned: int
    awards: list[SaleAwardOut]
    eligible_net: Decimal
    points_discount: PointsDiscountOut | None
    coupons: list[SaleCouponOut]
    rewards: list[SaleRewardOptionOut]
    balance: BalanceOut | None


class SaleReturnLineIn(Schema):
    line_no: StrictInt = Field(..., ge=1, le=100000)
    quantity: Quantity


class ReturnIn(Schema):
    return_id: str = Field(..., min_length=1, max_length=50)
    lines: list[SaleReturnLineIn] = Field(..., min_length=1, max_length=500)
    reason: str = Field("", max_length=500)
    branch: str = Field("", max_length=20)
    terminal: str = Field("", max_length=40)


class ReturnOut(Schema):
    receipt_id: str
    return_id: str
    status: str
    points_reversed: int
    points_refunded: int
    balance: BalanceOut | None


class VoidIn(Schema):
    reason: str = Field(..., min_length=1, max_length=500)
    branch: str = Field("", max_length=20)
    terminal: str = Field("", max_length=40)


class SalePlace(Schema):
    branch: str = Field("", max_length=20)
    terminal: str = Field("", max_length=40)


class EntryOut(Schema):
    id: int
    kind: str
    points: int = Field(..., description="signed: positive adds to the balance")
    occurred_at: dt.datetime
    receipt_id: str | None
    branch: str | None
    reason: str
    awards: list[SaleAwardOut]


class EntriesOut(Schema):
    count: int
    page: int
    pages: int
    items: list[EntryOut]


class EntriesQuery(Schema):
    page: int = Field(1, ge=1, le=100000)
    per_page: int = Field(20, ge=1, le=100)


# ------------------------------------------------------------------------------------------ helpers


def _organization(principal: Principal) -> Organization:
    return Organization.objects.get(pk=principal.organization_id)


def _place(principal: Principal, branch_code: str, terminal_code: str) -> tuple[Branch, Terminal]:
    """The branch and terminal a request acts at: the key's own, or named in the body."""
    org_id = principal.organization_id
    if principal.terminal_id is not None:
        terminal = Terminal.objects.select_related("branch").get(pk=principal.terminal_id)
        if terminal_code and terminal_code != terminal.code:
            raise Forbidden(E_WRONG_TERMINAL, "This key belongs to another terminal.", field="terminal")
        if branch_code and branch_code != terminal.branch.code:
            raise Forbidden(E_WRONG_TERMINAL, "This key belongs to another branch.", field="branch")
        return terminal.branch, terminal
    if not terminal_code:
        raise DomainError(E_TERMINAL_REQUIRED, "Name the terminal (its code).", field="terminal")
    terminal = (
        Terminal.objects.select_related("branch")
        .filter(organization_id=org_id, code=terminal_code, is_active=True)
        .first()
    )
    if terminal is None:
        raise NotFound(E_UNKNOWN_TERMINAL, f"No active terminal '{terminal_code}'.", field="terminal")
    if branch_code and branch_code != terminal.branch.code:
        raise DomainError(E_WRONG_TERMINAL, "The terminal belongs to another branch.", field="terminal")
    if principal.branch_id is not None and terminal.branch_id != principal.branch_id:
        raise Forbidden(E_WRONG_TERMINAL, "This key belongs to another branch.", field="terminal")
    if principal.staff is not None:
        ensure_branch_in_scope(principal.staff, terminal.branch)
    return terminal.branch, terminal


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
        raise Forbidden(E_WRONG_TERMINAL, "This key belongs to another terminal.", field="terminal")
    if branch_code and branch_code != branch.code:
        raise Forbidden(E_WRONG_TERMINAL, "This key belongs to another branch.", field="branch")
    return organization, branch, terminal


def _member(principal: Principal, ref: SaleMemberRef | None, region: str | None = None) -> Member | None:
    if ref is None or not (ref.phone or ref.card or ref.code):
        return None
    member = member_lookup(principal.organization_id, phone=ref.phone, card=ref.card, code=ref.code, region=region)
    if member is None:
        field = "member.phone" if ref.phone else ("member.card" if ref.card else "member.code")
        raise NotFound(E_MEMBER_NOT_FOUND, "No member matches.", field=field)
    return member


def _member_and_account(principal: Principal, ref: SaleMemberRef | None, region: str
                        ) -> tuple[Member | None, PointAccount | None]:
    """:func:`_member` and the member's account, in ``member_lookup``'s order (phone, card,
    current code): a phone or a code is one query bringing the member, its type, the
    organization's points settings and the account. A card, or a former member code, takes
    ``member_lookup``'s way and reads the account after."""
    if ref is None or not (ref.phone or ref.card or ref.code):
        return None, None
    org_id = principal.organization_id
    if ref.phone:
        e164 = try_normalize_phone(ref.phone, region)
        found = member_with_account(org_id, phone=e164) if e164 else None
        if found is not None:
            return found
    if ref.code and not ref.card:
        found = member_with_account(org_id, code=ref.code.strip())
        if found is not None:
            return found
    member = _member(principal, ref, region=region)
    return member, account_of(member)


def _basket(body: BasketIn, branch: Branch, terminal: Terminal) -> engine.Basket:
    return engine.Basket(
        occurred_at=body.occurred_at,
        lines=tuple(
            engine.BasketLine(
                line_no=i, sku=line.sku, quantity=line.quantity, unit_price=line.unit_price,
                discount=line.discount, category=line.category, brand=line.brand,
            )
            for i, line in enumerate(body.lines, start=1)
        ),
        branch_code=branch.code,
        terminal_code=terminal.code,
        salesperson=body.salesperson,
        document_type=body.document_type,
        bill_discount=body.bill_discount,
        bag_declined=body.bag_declined,
        campaign_plan=body.plan,
    )


def _balance(member: Member | None, account: Any = None, known: Balance | None = None) -> BalanceOut | None:
    """The member's balance; ``account`` (fresh from a post) saves reading it again, ``known``
    (from the fast path, next expiry included) saves every query."""
    if member is None:
        return None
    b = known if known is not None else balance_of(account if account is not None else account_of(member))
    expiry = ExpiryOut(on=b.next_expiry_on, points=b.next_expiry_points) if b.next_expiry_on else None
    return BalanceOut(
        spendable=b.spendable, pending=b.pending, lifetime_earned=b.lifetime_earned, debt=b.debt, next_expiry=expiry
    )


def _awards(awards: list[dict[str, Any]], beneficiary: str | None = "member") -> list[SaleAwardOut]:
    return [
        SaleAwardOut(
            rule=a.get("rule_code", ""), rule_name=a.get("rule_name", ""), kind=a.get("kind", ""),
            points=a.get("points", 0), explanation=a.get("explanation", ""),
            beneficiary=a.get("beneficiary", "member"),
        )
        for a in awards
        if beneficiary is None or a.get("beneficiary", "member") == beneficiary
    ]


def _award_dicts(result: engine.EarnResult) -> list[dict[str, Any]]:
    from sasom.ledger.plan import award_json

    return [award_json(a) for a in result.awards]


def _sale_out(sale: Sale, member: Member | None, *, awards: list[dict[str, Any]], replayed: bool,
              coupons: list[SaleCouponOut], organization: Organization, account: Any = None,
              known: Balance | None = None) -> SaleOut:
    balance = _balance(member, account, known)
    member_awards = _awards(awards)
    discount = money((sale.points_discount or Decimal("0")) + (sale.coupon_discount or Decimal("0")))
    return SaleOut(
        receipt_id=sale.receipt_id,
        branch=sale.branch.code,
        terminal=sale.terminal.code,
        status=sale.status,
        member=member.code if member else None,
        points_earned=sale.points_earned,
        points_used=sale.points_used,
        awards=member_awards,
        discount_applied=discount,
        coupons=coupons,
        net=money(sale.net),
        eligible_net=money(sale.eligible_net),
        balance=balance,
        receipt_text=receipts.receipt_text(
            organization=organization, sale=sale, member=member, awards=member_awards, balance=balance
        ),
        replayed=replayed,
    )


def _apply_coupons(principal: Principal, request: HttpRequest, *, codes: list[str], member: Member | None,
                   basket: engine.Basket, receipt_id: str, branch: Branch) -> tuple[engine.Basket, list[SaleCouponOut]]:
    """Use each coupon on the bill: discount coupons lower the points base, cash coupons are payments."""
    if not codes:
        return basket, []
    from sasom.rewards.services.coupons import BillLine, coupon_use
    from sasom.rewards.services.discount import bill_amount_of

    lines = [BillLine(sku=ln.sku, category=ln.category, amount=ln.quantity * ln.unit_price - ln.discount)
             for ln in basket.lines]
    used: list[SaleCouponOut] = []
    coupon_discount = Decimal("0")
    for code in codes:
        coupon = coupon_use(
            organization_id=principal.organization_id, code=code, member=member,
            bill_amount=bill_amount_of(dataclasses.replace(basket, coupon_discount=coupon_discount)),
            bill_reference=receipt_id, branch=branch, actor=Actor.from_request(request),
            staff=principal.staff, lines=lines,
        )
        used.append(SaleCouponOut(code=coupon.code, kind=coupon.template.kind, amount=money(coupon.used_amount)))
        if coupon.template.kind == "discount":
            coupon_discount += coupon.used_amount
    return dataclasses.replace(basket, coupon_discount=coupon_discount), used


def _coupons_of_sale(organization_id: int, sale: Sale) -> list[SaleCouponOut]:
    from sasom.rewards.models import Coupon

    rows = Coupon.objects.filter(
        organization_id=organization_id, used_bill_reference=sale.receipt_id, used_branch_id=sale.branch_id
    ).select_related("template")
    return [SaleCouponOut(code=c.code, kind=c.template.kind, amount=c.used_amount) for c in rows]


def _sale(principal: Principal, receipt_id: str, branch_code: str, terminal_code: str) -> Sale:
    branch, terminal = _place(principal, branch_code, terminal_code)
    sale = (
        Sale.objects.select_related("branch", "terminal", "member")
        .filter(organization_id=principal.organization_id, branch=branch, terminal=terminal, receipt_id=receipt_id)
        .first()
    )
    if sale is None:
        raise NotFound(E_SALE_NOT_FOUND, "No sale with this receipt number at this terminal.", field="receipt_id")
    return sale


# --------------------------------------------------------------------------------------- operations


@router.post("/sales/quote", response=SaleQuoteOut, summary="What a basket would earn, and what the member may spend")
def quote(request: HttpRequest, body: BasketIn) -> SaleQuoteOut:
    principal = api_require(request, "points.view")
    organization = _organization(principal)
    branch, terminal = _place(principal, body.branch, body.terminal)
    member = _member(principal, body.member)
    basket = _basket(body, branch, terminal)
    result = sale_quote(organization=organization, basket=basket, member=member)
    awards = _awards(_award_dicts(result))
    points_discount, coupons, rewards = None, [], []
    if member is not None:
        from sasom.rewards import selectors as reward_selectors
        from sasom.rewards.services.discount import bill_amount_of, points_discount_quote_for

        try:
            q = points_discount_quote_for(member, bill_amount=bill_amount_of(basket))
            points_discount = PointsDiscountOut(max_points=q.max_points, max_amount=q.max_amount)
        except DomainError:
            points_discount = None
        coupons = [
            SaleCouponOut(code=c.code, kind=c.template.kind, amount=c.template.value)
            for c in reward_selectors.coupons_of_member(member).filter(status="issued").select_related("template")[:20]
        ]
        account = account_of(member)
        spendable = account.spendable if account else 0
        rewards = [
            SaleRewardOptionOut(code=r.code, name=r.name, points=r.points_cost)
            for r in reward_selectors.rewards_offered(
                organization, member_type_id=member.member_type_id, on=basket.occurred_at.date()
            ).filter(points_cost__lte=spendable)[:20]
        ]
    return SaleQuoteOut(
        member=member.code if member else None, points_earned=result.member_points, awards=awards,
        eligible_net=result.eligible_net, points_discount=points_discount, coupons=coupons, rewards=rewards,
        balance=_balance(member),
    )


@router.post("/sales", response={201: SaleOut, 200: SaleOut}, summary="Commit a sale: earn points, spend points and coupons")
def commit(request: HttpRequest, body: SaleIn) -> Any:
    principal = api_require(request, "points.earn")
    organization, branch, terminal = _place_and_organization(principal, body.branch, body.terminal)
    region = organization.phone_region or "TH"
    if not body.coupons and not body.redeem_points and fast_path_available():
        # A plain sale on PostgreSQL: one autocommit call posts it (ledger.services.fastpost);
        # None means "not for the fast path" and the sale takes the ORM path below.
        member, account = _member_and_account(principal, body.member, region)
        result = sale_post_fast(organization=organization, branch=branch, terminal=terminal,
                                receipt_id=body.receipt_id, basket=_basket(body, branch, terminal), member=member,
                                account=account, actor=Actor.from_request(request))
        if result is not None:
            return _answer(result, member, organization, plain=True)
    else:
        member = _member(principal, body.member, region=region)
    with transaction.atomic():  # coupons used, points paid and the sale commit together or not at all
        return _commit(request, body, principal, organization, branch, terminal, member)


def _answer(result: Any, member: Member | None, organization: Organization, *, plain: bool,
            coupons: list[SaleCouponOut] | None = None) -> HttpResponse:
    if coupons is None:
        coupons = [] if result.created else _coupons_of_sale(organization.pk, result.sale)
    if result.created and plain:
        sale = result.sale  # just inserted, with its branch and terminal attached: no need to read it back
    else:
        sale = Sale.objects.select_related("branch", "terminal").get(pk=result.sale.pk)
    out = _sale_out(sale, member, awards=result.awards, replayed=not result.created, coupons=coupons,
                    organization=organization, account=getattr(result, "account", None) if result.created else None,
                    known=getattr(result, "balance", None) if result.created else None)
    # The answer was just built and validated as a SaleOut: render it as django-ninja would
    # (same encoder, same bytes) without validating it a second time.
    return HttpResponse(json.dumps(out.model_dump(), cls=NinjaJSONEncoder), status=201 if result.created else 200,
                        content_type="application/json; charset=utf-8")


def _commit(request: HttpRequest, body: SaleIn, principal: Principal, organization: Organization, branch: Branch,
            terminal: Terminal, member: Member | None) -> Any:
    basket = _basket(body, branch, terminal)
    actor = Actor.from_request(request)
    receipt_id = body.receipt_id.strip()
    if body.redeem_points and member is None:
        raise DomainError("points_without_member", "Only a member can pay with points.", field="redeem_points")
    # A plain sale (no coupons, no points paid) needs no look-up first: ``sale_post`` itself
    # recognises a replayed receipt by its unique key and compares the bodies the same way.
    plain = not body.coupons and not body.redeem_points
    stored = None if plain else Sale.objects.filter(
        organization=organization, branch=branch, terminal=terminal, receipt_id=receipt_id).first()
    if stored is not None:
        result = _replay(stored, body, basket, member, actor)
        coupons = _coupons_of_sale(organization.pk, stored)
    else:
        basket, coupons = _apply_coupons(principal, request, codes=body.coupons, member=member, basket=basket,
                                         receipt_id=receipt_id, branch=branch)
        if body.redeem_points:
            from sasom.rewards.services.discount import points_discount_apply

            result = points_discount_apply(
                organization=organization, branch=branch, terminal=terminal, receipt_id=receipt_id,
                basket=basket, member=member, points=body.redeem_points, actor=actor, staff=principal.staff,
            )
        else:
            result = sale_post(organization=organization, branch=branch, terminal=terminal, receipt_id=receipt_id,
                               basket=basket, member=member, actor=actor)
            if not result.created:
                coupons = _coupons_of_sale(organization.pk, result.sale)
            return _answer(result, member, organization, plain=plain, coupons=coupons)
    return _answer(result, member, organization, plain=False, coupons=coupons)


def _replay(stored: Sale, body: SaleIn, basket: engine.Basket, member: Member | None, actor: Actor):
    """A receipt seen before: the same content returns the stored result, other content is a 409
    ``receipt_conflict``. The stored sale carries the discounts it was posted with, so the
    comparison applies them to the replayed basket; the points paid with must match too."""
    from sasom.core.errors import Conflict
    from sasom.ledger.services import RECEIPT_CONFLICT

    if body.redeem_points != stored.points_used:
        raise Conflict(RECEIPT_CONFLICT, "This receipt number was already posted with different content.",
                       field="receipt_id")
    basket = dataclasses.replace(basket, points_discount=stored.points_discount, coupon_discount=stored.coupon_discount)
    return sale_post(
        organization=stored.organization, branch=stored.branch, terminal=stored.terminal,
        receipt_id=stored.receipt_id, basket=basket, member=member, actor=actor, points_used=stored.points_used,
    )


@router.post("/sales/{receipt_id}/returns", response={201: ReturnOut}, summary="Return some lines of a sale")
def sale_return_op(request: HttpRequest, receipt_id: str, body: ReturnIn) -> Any:
    principal = api_require(request, "points.void")
    sale = _sale(principal, receipt_id, body.branch, body.terminal)
    lines: dict[int, Decimal] = {}
    for line in body.lines:
        lines[line.line_no] = lines.get(line.line_no, Decimal("0")) + line.quantity
    returned = sale_return(sale=sale, lines=lines, actor=Actor.from_request(request), return_id=body.return_id,
                           reason=body.reason)
    sale.refresh_from_db()
    return Status(201, ReturnOut(
        receipt_id=sale.receipt_id, return_id=returned.return_id, status=sale.status,
        points_reversed=returned.points_reversed, points_refunded=returned.points_refunded,
        balance=_balance(sale.member),
    ))


@router.post("/sales/{receipt_id}/void", response=SaleOut, summary="Void a whole sale: reverse everything it caused, once")
def sale_void_op(request: HttpRequest, receipt_id: str, body: VoidIn) -> SaleOut:
    with transaction.atomic():
        return _void(request, receipt_id, body)


def _void(request: HttpRequest, receipt_id: str, body: VoidIn) -> SaleOut:
    from sasom.rewards.services.redeem import points_purchase_void_for_payment

    principal = api_require(request, "points.void")
    sale = _sale(principal, receipt_id, body.branch, body.terminal)
    actor = Actor.from_request(request)
    sale = sale_void(sale=sale, reason=body.reason, actor=actor)
    # Points bought with this sale's money go with it (issue: "voidable with the sale").
    points_purchase_void_for_payment(
        organization_id=sale.organization_id, payment_reference=sale.receipt_id, actor=actor, reason=body.reason
    )
    sale = Sale.objects.select_related("branch", "terminal", "member").get(pk=sale.pk)
    return _sale_out(sale, sale.member, awards=sale.explanation.get("awards", []), replayed=False,
                     coupons=_coupons_of_sale(sale.organization_id, sale), organization=_organization(principal))


@router.get("/sales/{receipt_id}", response=SaleOut, summary="A posted sale")
def sale_read(request: HttpRequest, receipt_id: str, place: Query[SalePlace]) -> SaleOut:
    principal = api_require(request, "points.view")
    sale = _sale(principal, receipt_id, place.branch, place.terminal)
    return _sale_out(sale, sale.member, awards=sale.explanation.get("awards", []), replayed=True,
                     coupons=_coupons_of_sale(sale.organization_id, sale), organization=_organization(principal))


@router.get("/members/{code}/balance", response=BalanceOut, summary="A member's points: spendable, pending, expiring next")
def member_balance(request: HttpRequest, code: str) -> BalanceOut:
    principal = api_require(request, "points.view")
    return _balance(member_by_code(principal.organization_id, code))


@router.get("/members/{code}/entries", response=EntriesOut, summary="A member's points history, newest first, explained")
def member_entries(request: HttpRequest, code: str, q: Query[EntriesQuery]) -> EntriesOut:
    principal = api_require(request, "points.view")
    account = account_of(member_by_code(principal.organization_id, code))
    if account is None:
        return EntriesOut(count=0, page=1, pages=1, items=[])
    page = entries_for(account, q.page, per_page=q.per_page)
    items = [
        EntryOut(
            id=e.pk, kind=e.kind, points=e.sign * e.amount, occurred_at=e.occurred_at,
            receipt_id=e.sale.receipt_id if e.sale_id else None, branch=e.branch.code if e.branch_id else None,
            reason=e.reason, awards=_awards((e.explanation or {}).get("awards", []), beneficiary=None),
        )
        for e in page.object_list
    ]
    return EntriesOut(count=page.paginator.count, page=page.number, pages=page.paginator.num_pages, items=items)
