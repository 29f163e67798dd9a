"""The sale's use cases: quote, commit, return, void (Saleor's ``complete_checkout``, Zulip's
``do_*`` actions). The API, the cashier screens and the day-end batch parse their input, call one
of these, and render what it returns; this is the only module that asks the ledger to post.

``sale_commit`` decides the path of a sale:

* a *plain* sale (money only) on PostgreSQL goes through the ledger's one-call fast path (the
  member and the account read in one query, the plan persisted by ``sasom_sale_post2``), POS
  promotions included: the function stores their uses and checks their budgets and per-member
  limits under the promotions' locks, and refuses a sale whose promotion ran out meanwhile, which
  then takes the locked path below (``checkout.promo_commit``);
* any other sale, or a plain one the fast path declines, posts in one transaction with the ORM
  writer: coupons used first (discount coupons lower the bill and the points base, cash coupons
  are payments), then the points paid with, checked against the locked balance and the
  organization's caps (``points_discount_apply``);
* a receipt posted before is a replay: the same content answers the stored sale (``created``
  false), other content is a 409 ``receipt_conflict``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any, TypeVar

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sasom.catalog.pricing import LineIn, PricedBasket
from sasom.checkout import payments, promo_commit, promo_returns
from sasom.checkout.member_ref import MemberRef, first_read, member_and_account, member_find
from sasom.checkout.payments import CouponUsed, coupons_of_sale, points_discount_apply
from sasom.checkout.pricing import basket_priced
from sasom.checkout.pricing_read import sale_read
from sasom.core.audit import Actor
from sasom.core.errors import Conflict, DomainError
from sasom.earning import engine
from sasom.ledger.errors import POINTS_WITHOUT_MEMBER, RECEIPT_CONFLICT
from sasom.ledger.models import PointAccount, Sale, SaleReturn
from sasom.ledger.plan import LineRow
from sasom.ledger.plan_member import MemberValues
from sasom.ledger.policy import local_date
from sasom.ledger.selectors import Balance, account_of
from sasom.ledger.selectors import sale_quote as ledger_sale_quote
from sasom.ledger.services import sale_post
from sasom.ledger.services import sale_return as ledger_sale_return
from sasom.ledger.services import sale_void as ledger_sale_void
from sasom.ledger.services.fastpost import fast_path_available, sale_post_fast
from sasom.ledger.services.sales import SalePostResult
from sasom.members.models import Member
from sasom.organizations.models import Branch, Organization, Staff, Terminal
from sasom.promotions.engine.types import Result
from sasom.promotions.uses import uses_reverse
from sasom.rewards import selectors as reward_selectors
from sasom.rewards.models import Reward
from sasom.rewards.pricing import DiscountQuote
from sasom.rewards.services.discount import bill_amount_of, points_discount_quote_for
from sasom.rewards.services.redeem import ensure_benefits, points_purchase_void_for_payment

_T = TypeVar("_T")

__all__ = [
    "CouponUsed", "MemberRef", "SaleCommitted", "SaleQuote", "coupons_of_sale", "member_find",
    "points_discount_apply", "sale_commit", "sale_counter_post", "sale_quote", "sale_return", "sale_void",
]


@dataclass(frozen=True)
class SaleCommitted:
    """What a commit did: the sale (with its branch and terminal), whether it was created now or
    replayed, the awards, the coupons used on it, and the member's account as the post left it."""

    sale: Sale
    member_read: Member | MemberValues | None  # plain values from the fast path's read (ledger.plan_member)
    created: bool
    awards: list[dict[str, Any]]
    coupons: list[CouponUsed]
    account: PointAccount | None = None
    balance: Balance | None = None  # known without a query (the fast path returns it)
    basket: engine.Basket | None = None  # as posted now (None for a replay: read the stored lines)
    lines: tuple[LineRow, ...] = ()  # the plan's lines when the fast path posted it (the answer shows them)

    @cached_property
    def member(self) -> Member | None:
        """The member as a model instance (built from the read's row when it was plain values)."""
        return _as_model(self.member_read)


@dataclass(frozen=True)
class SaleQuote:
    """The priced basket: what a commit of the same body would post (``basket``: lines at the
    price charged with every discount, coupons and points as the commit would use them), what it
    would earn, and what the member could still use."""

    member: Member | None
    result: engine.EarnResult
    points_discount: DiscountQuote | None  # the most points the member may pay with on this bill
    basket: engine.Basket
    priced: PricedBasket | None = None  # None: the lines were taken as sent (pricing not configured)
    coupons_used: list[CouponUsed] = field(default_factory=list)  # the body's coupons, as the commit would use them
    points_used: int = 0
    coupons: list[CouponUsed] = field(default_factory=list)  # the member's issued coupons (face value)
    rewards: list[Reward] = field(default_factory=list)  # rewards the member can afford now
    account: PointAccount | None = None  # the member's account as the quote read it
    promotions: Result | None = None  # the POS promotions: applied, choices pending, hints


# ------------------------------------------------------------------------------ quote


def sale_quote(*, organization: Organization, branch: Branch, basket: engine.Basket, member: Member | None,
               sent: tuple[LineIn, ...] | None = None, coupons: list[str] | tuple[str, ...] = (),
               redeem_points: int = 0, choices: Mapping[str, str] | None = None) -> SaleQuote:
    """The priced basket for ``member`` now: the lines priced (``sent``, by default the basket's
    own), the ``coupons`` and ``redeem_points`` applied as :func:`sale_commit` applies them (and
    refused as it would refuse them), the points it would earn, the most points the member may
    pay with, their coupons and the rewards they can afford. Writes nothing."""
    till = basket_priced(organization=organization, branch=branch, basket=basket, member=member, sent=sent,
                         choices=choices)
    basket, priced, promotions = till.basket, till.priced, till.promotions
    account = account_of(member) if member is not None else None  # read once for all of the quote
    if redeem_points and member is None:
        raise DomainError(POINTS_WITHOUT_MEMBER, _("Only a member can pay with points."), field="redeem_points")
    used: list[CouponUsed] = []
    if coupons:
        basket, used = payments.coupons_value(organization.pk, codes=list(coupons), member=member, basket=basket)
    spendable = account.spendable if account else 0
    if redeem_points:
        assert member is not None
        ensure_benefits(member)  # as points_discount_apply refuses a member who may not spend
        rule = reward_selectors.discount_rule_for(organization, member.member_type_id)
        basket = dataclasses.replace(basket, points_discount=payments.points_value(rule, basket, redeem_points, spendable))
    result = ledger_sale_quote(organization=organization, basket=basket, member=member, account=account)
    if member is None:
        return SaleQuote(member=None, result=result, points_discount=None, basket=basket, priced=priced,
                         coupons_used=used, promotions=promotions)
    try:
        points_discount: DiscountQuote | None = points_discount_quote_for(
            member, bill_amount=bill_amount_of(dataclasses.replace(basket, points_discount=Decimal("0"))),
            spendable=spendable)
    except DomainError:
        points_discount = None
    issued = [
        CouponUsed(code=c.code, kind=c.template.kind, amount=c.template.value)
        for c in reward_selectors.coupons_of_member(member).filter(status="issued", expires_at__gt=timezone.now())
        .select_related("template")[:20]
    ]
    tier = reward_selectors.member_tier(member)
    rewards = [
        r for r in reward_selectors.rewards_offered(organization, member_type_id=member.member_type_id,
                                                    on=local_date(basket.occurred_at, organization.time_zone),
                                                    tier_code=tier)
        .filter(points_cost__lte=spendable)[:20]
        if reward_selectors.tier_allowed(r.tiers, tier)
    ]
    return SaleQuote(member=member, result=result, points_discount=points_discount, basket=basket, priced=priced,
                     coupons_used=used, points_used=redeem_points, coupons=issued, rewards=rewards, account=account,
                     promotions=promotions)


# ------------------------------------------------------------------------------ commit


def sale_commit(
    *,
    organization: Organization,
    branch: Branch,
    terminal: Terminal,
    receipt_id: str,
    basket: engine.Basket,
    actor: Actor,
    member_ref: MemberRef | None = None,
    member: Member | None = None,
    sent: tuple[LineIn, ...] | None = None,
    coupons: list[str] | tuple[str, ...] = (),
    redeem_points: int = 0,
    staff: Staff | None = None,
    choices: Mapping[str, str] | None = None,
    batch: bool = False,
) -> SaleCommitted:
    """Post the sale once: price the lines (``sent``, by default the basket's own) with the POS
    promotions (``choices``: {promotion code: chosen SKU}), earn, pay with coupons and points, all
    or nothing. ``batch``: a day-end document (the batches' date window, and no POS promotions:
    it carries what the POS charged, as the set-based batch path does). The member is given (``member``) or named (``member_ref``); see the module's
    docstring for the paths."""
    region = organization.phone_region or "TH"
    fast = member is None and not coupons and not redeem_points and fast_path_available()
    read: Member | MemberValues | None = member
    if fast:  # the member, its account and the basket's prices in one statement (checkout.pricing_read)
        read, account, till = first_read(lambda: sale_read(
            organization=organization, branch=branch, basket=basket, ref=member_ref, region=region, sent=sent,
            choices=choices, batch=batch, hints=False,
            fallback=lambda: member_and_account(organization.pk, member_ref, region)))
    else:
        member = member if member is not None else member_find(organization.pk, member_ref, region=region)
        till = basket_priced(organization=organization, branch=branch, basket=basket, member=member, sent=sent,
                             choices=choices, batch=batch, hints=False)
        read = member
    if fast:  # promoted or not: the function counts the promotions' uses and checks their limits
        posted = promo_commit.with_snapshot(organization.pk, till, choices)
        result = sale_post_fast(organization=organization, branch=branch, terminal=terminal, receipt_id=receipt_id,
                                basket=posted, member=read, account=account, actor=actor)
        if result is not None:
            return _committed(result, read, plain=True, coupons=None, basket=posted)
    member = _as_model(read)  # the locked path's writer takes the model instances
    with transaction.atomic():  # coupons used, points paid, promotions counted and the sale, or nothing
        if promo_commit.needs_lock(till):  # the counts that decide, read under the promotions' locks
            till = basket_priced(organization=organization, branch=branch, basket=basket, member=member, sent=sent,
                                 choices=choices, lock=True, hints=False)
        return _commit_locked(organization=organization, branch=branch, terminal=terminal, receipt_id=receipt_id,
                              basket=promo_commit.with_snapshot(organization.pk, till, choices), member=member,
                              coupons=list(coupons), redeem_points=redeem_points, actor=actor, staff=staff)


def _commit_locked(*, organization: Organization, branch: Branch, terminal: Terminal, receipt_id: str,
                   basket: engine.Basket, member: Member | None, coupons: list[str], redeem_points: int,
                   actor: Actor, staff: Staff | None) -> SaleCommitted:
    receipt_id = receipt_id.strip()
    if redeem_points and member is None:
        raise DomainError(POINTS_WITHOUT_MEMBER, _("Only a member can pay with points."), field="redeem_points")
    # A plain sale (no coupons, no points paid) needs no look-up first: ``sale_post`` itself
    # recognises a replayed receipt by its unique key and compares the bodies the same way.
    plain = not coupons and not redeem_points
    stored = None if plain else Sale.objects.filter(
        organization=organization, branch=branch, terminal=terminal, receipt_id=receipt_id).first()
    if stored is not None:
        return _committed(_replay(stored, basket, member, actor, redeem_points), member, plain=False,
                          coupons=coupons_of_sale(organization.pk, stored))
    used: list[CouponUsed] = []
    if coupons:
        basket, used = payments.coupons_apply(organization.pk, codes=coupons, member=member, basket=basket,
                                      receipt_id=receipt_id, branch=branch, actor=actor, staff=staff)
    if redeem_points:
        assert member is not None
        result = points_discount_apply(
            organization=organization, branch=branch, terminal=terminal, receipt_id=receipt_id, basket=basket,
            member=member, points=redeem_points, actor=actor, staff=staff, field="redeem_points",
        )
        return _committed(result, member, plain=False, coupons=used, basket=basket)
    result = sale_post(organization=organization, branch=branch, terminal=terminal, receipt_id=receipt_id,
                       basket=basket, member=member, actor=actor)
    if not result.created:
        used = coupons_of_sale(organization.pk, result.sale)
    return _committed(result, member, plain=plain, coupons=used, basket=basket)


def _as_model(member: Member | MemberValues | None) -> Member | None:
    return member.instances()[0] if isinstance(member, MemberValues) else member


def _committed(result: SalePostResult, member: Member | MemberValues | None, *, plain: bool,
               coupons: list[CouponUsed] | None, basket: engine.Basket | None = None) -> SaleCommitted:
    if coupons is None:
        coupons = [] if result.created else coupons_of_sale(result.sale.organization_id, result.sale)
    if result.created and plain:
        sale = result.sale  # just inserted, with its branch and terminal attached: no need to read it back
    else:
        sale = Sale.objects.select_related("branch", "terminal").get(pk=result.sale.pk)
    return SaleCommitted(
        sale=sale, member_read=member, created=result.created, awards=result.awards, coupons=coupons,
        account=result.account if result.created else None,
        balance=getattr(result, "balance", None) if result.created else None,
        basket=basket if result.created else None, lines=getattr(result, "lines", ()) if result.created else (),
    )


def _replay(stored: Sale, basket: engine.Basket, member: Member | None, actor: Actor,
            redeem_points: int) -> SalePostResult:
    """A receipt seen before: the same content returns the stored result, other content is a 409
    ``receipt_conflict``. The stored sale carries the discounts it was posted with, so the
    comparison applies them to the replayed basket; the points paid with must match too."""
    if redeem_points != stored.points_used:
        raise Conflict(RECEIPT_CONFLICT, "This receipt number was already posted with different content.",
                       field="receipt_id")
    basket = dataclasses.replace(basket, points_discount=stored.points_discount, coupon_discount=stored.coupon_discount)
    return sale_post(
        organization=stored.organization, branch=stored.branch, terminal=stored.terminal,
        receipt_id=stored.receipt_id, basket=basket, member=member, actor=actor, points_used=stored.points_used,
    )


def sale_counter_post(*, organization: Organization, branch: Branch, terminal: Terminal, receipt_id: str,
                      basket: engine.Basket, member: Member | None, actor: Actor, points_used: int = 0,
                      staff: Staff | None = None) -> SalePostResult:
    """The back office's counter: the lines priced as at the till; the points paid with are
    worth what the points-discount rule says (``points_discount_apply``), never an amount keyed."""
    with transaction.atomic():
        till = basket_priced(organization=organization, branch=branch, basket=basket, member=member,
                             lock=True, hints=False)
        return _counter_post(organization=organization, branch=branch, terminal=terminal, receipt_id=receipt_id,
                             basket=promo_commit.with_snapshot(organization.pk, till, None), member=member,
                             actor=actor, points_used=points_used, staff=staff)


def _counter_post(*, organization: Organization, branch: Branch, terminal: Terminal, receipt_id: str,
                  basket: engine.Basket, member: Member | None, actor: Actor, points_used: int,
                  staff: Staff | None) -> SalePostResult:
    if points_used:
        if member is None:
            raise DomainError(POINTS_WITHOUT_MEMBER, _("Only a member pays with points."), field="points_used")
        return points_discount_apply(organization=organization, branch=branch, terminal=terminal,
                                     receipt_id=receipt_id, basket=basket, member=member, points=points_used,
                                     actor=actor, staff=staff, field="points_used")
    return sale_post(organization=organization, branch=branch, terminal=terminal, receipt_id=receipt_id,
                     basket=basket, member=member, actor=actor, points_used=points_used)


# ------------------------------------------------------------------------------ return, void


def sale_return(*, sale: Sale, lines: dict[int, Decimal], actor: Actor, return_id: str, reason: str = "") -> SaleReturn:
    """Return ``lines`` ({line_no: quantity}) of ``sale`` (the ledger's arithmetic, once per return id).
    A sale that got POS promotions is repriced without what was returned, with the promotions as
    they were at the sale (``checkout.promo_returns``); a full return gives their uses back, a
    partial one those of the promotions the remainder no longer gets."""
    with transaction.atomic():
        reprice = promo_returns.repricer(sale)
        ret = ledger_sale_return(sale=sale, lines=dict(lines), actor=actor, return_id=return_id, reason=reason,
                                 reprice=reprice)
        if ret.sale.status == Sale.Status.RETURNED:
            uses_reverse(organization_id=sale.organization_id, sale_id=sale.pk)
        elif reprice is not None and reprice.remaining is not None:  # None: a replayed return, nothing new
            uses_reverse(organization_id=sale.organization_id, sale_id=sale.pk, keep=reprice.remaining)
        return ret


@transaction.atomic
def sale_void(*, sale: Sale, reason: str, actor: Actor) -> Sale:
    """Void a whole sale: reverse every point it caused, and the points bought with its money."""
    sale = ledger_sale_void(sale=sale, reason=reason, actor=actor)
    uses_reverse(organization_id=sale.organization_id, sale_id=sale.pk)  # the budget given back
    points_purchase_void_for_payment(
        organization_id=sale.organization_id, payment_reference=sale.receipt_id, actor=actor, reason=reason
    )
    return sale
