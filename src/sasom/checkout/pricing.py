"""The till prices the basket before anything else: the quote and the commit both call
:func:`basket_priced` with what the POS sent, so they agree (DOMAIN.md 9).

It reads the organization's pricing settings, the member's benefits on the day of the sale, the
products and their prices (``catalog.prices``), prices every line (``catalog.pricing``, pure) and
returns the basket the earning engine and the posting plan see: each line at the price charged,
its discount including the member's, its list price, the source of its price and its flag.

Until an organization saves its pricing settings, a basket whose every line carries a price is
taken as sent (the way Sasom worked before it priced baskets: no catalog query at all) — unless
it has active POS promotions: then the lines are read from the catalog (the POS's prices still
win, ``authority`` "pos") and the promotions run between the passes (``checkout.promo``). A shop
without an active promotion pays one cached version check (``promotions.compile``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from sasom.catalog import prices
from sasom.catalog.pricing import (
    Adjustment,
    LineIn,
    PricedBasket,
    PricingError,
    ProductPrices,
    Terms,
    basket_price,
    sent_lines_check,
)
from sasom.checkout import promo
from sasom.checkout.checks import bill_discount_check, sale_time_check
from sasom.checkout.errors import PROMOTION_CHOICE
from sasom.checkout.promo_texts import said_stored
from sasom.core import calendars
from sasom.core.currency import places_of
from sasom.core.errors import DomainError
from sasom.core.money import money
from sasom.earning import engine
from sasom.ledger.plan import decimal_text, rounded
from sasom.ledger.plan_member import MemberValues
from sasom.ledger.policy import local_date
from sasom.members.models import Member
from sasom.members.selectors import is_birthday, member_benefits
from sasom.organizations.models import Branch, Organization
from sasom.promotions.compile import gift_skus_for, promotion_set_for
from sasom.promotions.engine.types import ZERO, Line, PromotionSet, Result
from sasom.promotions.uses import Counts
from sasom.tiers.engine import discounts as tier_discounts
from sasom.tiers.selectors import ladder_for, member_tier_code

__all__ = ["CatalogRead", "Priced", "basket_priced", "catalog_codes", "lines_sent"]

# (the codes of a basket, the member's price table or None) -> each known code's product and prices
CatalogRead = Callable[[list[str], tuple[int, str] | None], dict[str, ProductPrices]]


@dataclass(frozen=True)
class Priced:
    basket: engine.Basket  # what the engine and the plan see
    priced: PricedBasket | None  # None: taken as sent (pricing not configured)
    promotions: Result | None = None  # what the POS promotions did (None: the shop has none active)
    pset: PromotionSet | None = None
    terms: Terms | None = None  # the member's terms the basket was priced with (a return reprices with them)

    @property
    def promoted(self) -> bool:
        return bool(self.promotions and self.promotions.applied)


def lines_sent(basket: engine.Basket) -> tuple[LineIn, ...]:
    """A basket's lines as sent with their prices (the counter screen, day-end batches)."""
    return tuple(LineIn(line_no=ln.line_no, code=ln.sku, quantity=ln.quantity, unit_price=ln.unit_price,
                        discount=ln.discount, category=ln.category, brand=ln.brand) for ln in basket.lines)


def basket_priced(*, organization: Organization, branch: Branch, basket: engine.Basket,
                  member: Member | MemberValues | None,
                  sent: tuple[LineIn, ...] | None = None, batch: bool = False,
                  choices: Mapping[str, str] | None = None, lock: bool = False,
                  catalog: CatalogRead | None = None, hints: bool = True) -> Priced:
    """Check the sale's date (``checks.sale_time_check``; ``batch``: the batches' window) and
    price ``sent`` (by default the basket's own lines, each with the price it carries).

    POS promotions run unless ``batch`` (day-end batches carry what the POS charged); ``choices``
    are the cashier's ({promotion code: chosen SKU}); ``lock``: inside the commit's transaction,
    the limited promotions' rows are locked before their counts are read (``promotions.uses``).

    Refuses a line it cannot price: ``unknown_product`` (not in the catalog, and the organization
    takes no open lines), ``price_required`` (an open line without a price),
    ``discount_above_line``; each names the line's field; then ``discount_above_bill``.

    ``catalog`` reads the products (codes, the member's table as :func:`member_terms` chose it);
    by default ``catalog.prices.basket_products`` (``checkout.pricing_read`` passes the rows it
    read with the member). ``hints=False`` (a commit): the promotions' "next promotion" hints are
    not computed (``promotions`` then carries none); the prices are the same."""
    sale_time_check(basket.occurred_at, batch=batch, since=organization.sales_since, zone=organization.time_zone)
    lines = sent if sent is not None else lines_sent(basket)
    places = places_of(organization.currency)
    settings = prices.pricing_settings(organization.pk)
    pset = None if batch else promotion_set_for(organization.pk)
    if pset is None and not settings.configured and all(ln.unit_price is not None for ln in lines):
        try:
            sent_lines_check(lines, places)
        except PricingError as exc:
            raise DomainError(exc.code, str(exc), field=exc.field) from None
        taken = basket if sent is None else dataclasses.replace(basket, lines=tuple(_as_sent(ln) for ln in lines))
        bill_discount_check(taken)
        return Priced(basket=taken, priced=None)
    on = local_date(basket.occurred_at, organization.time_zone)
    terms = Terms(authority=settings.authority, min_bill=settings.min_bill,
                  skip_discounted_lines=settings.skip_discounted_lines,
                  excluded_categories=settings.excluded_categories, places=places)
    calendar = calendars.period_calendar(organization) if member is not None else ""
    terms, table, tier = member_terms(organization, terms, settings, member, on, calendar)
    gifts = gift_skus_for(organization.pk) if pset is not None else frozenset()
    codes = [*(ln.code for ln in lines), *sorted(gifts)]
    if catalog is not None:
        products = catalog(codes, table)
    else:
        products = prices.basket_products(organization.pk, codes, branch_id=branch.pk, branch_code=branch.code,
                                          on=on, settings=settings, member_table=table)
    promoter = None
    if pset is not None:
        promoter = _promoter(organization, branch, basket, member, tier, pset, products, gifts, lines, choices, lock,
                             hints)
    try:
        priced = basket_price(lines, products, terms, open_lines=settings.open_lines, promote=promoter)
    except PricingError as exc:
        raise DomainError(exc.code, str(exc), field=exc.field) from None
    if promoter is not None and choices:
        for pending in promoter.result.choices:
            if pending.promotion in choices:
                raise DomainError(PROMOTION_CHOICE, f"{choices[pending.promotion]} is not one of the choices of "
                                  f"{pending.promotion}: {', '.join(pending.options)}.",
                                  field=f"choices.{pending.promotion}")
    out = _priced_basket(basket, priced, lines, choices if promoter is not None else None)
    bill_discount_check(out)
    return Priced(basket=out, priced=priced, promotions=promoter.result if promoter else None, pset=pset,
                  terms=terms)


def catalog_codes(*, organization: Organization, basket: engine.Basket, sent: tuple[LineIn, ...] | None = None,
                  batch: bool = False, settings: prices.Settings | None = None) -> list[str] | None:
    """The codes :func:`basket_priced` will ask the catalog for (the lines', then the promotions'
    gifts), or None when it will take the basket as sent without reading the catalog. From the
    same cached settings (or ``settings``, the ones the caller reads with), so a read made before
    (``checkout.pricing_read``) asks for the same."""
    lines = sent if sent is not None else lines_sent(basket)
    pset = None if batch else promotion_set_for(organization.pk)
    if settings is None:
        settings = prices.pricing_settings(organization.pk)
    if pset is None and not settings.configured and all(ln.unit_price is not None for ln in lines):
        return None
    gifts = gift_skus_for(organization.pk) if pset is not None else frozenset()
    return [*(ln.code for ln in lines), *sorted(gifts)]


def member_terms(organization: Organization, base: Terms, settings: prices.Settings,
                 member: Member | MemberValues | None, on: dt.date, calendar: str
                 ) -> tuple[Terms, tuple[int, str] | None, str]:
    """The member's terms on ``on`` (type discounts, the tier's added or instead: docs/tiers.md,
    "Benefits"), the price table their type uses, and their tier's code ("" without one); the
    base terms, no table and no tier without a member. The till's and the day-end batch's.
    ``member`` may be plain values (``ledger.plan_member``): they carry the fields
    ``members.selectors`` reads, under the same names."""
    if member is None:
        return base, None, ""
    as_read = cast(Member, member)  # a MemberValues reads as a Member for the fields read here
    benefits = member_benefits(as_read, on, calendar=calendar)
    percent, birthday, label = benefits.discount_percent, benefits.birthday_discount_percent, member.member_type.code
    ladder = ladder_for(organization.pk)
    tier = ""
    if ladder is not None and benefits.active:
        tier = member_tier_code(organization.pk, member)
        if tier:
            percent, birthday = tier_discounts(ladder, tier, percent, birthday, is_birthday(as_read, on, calendar=calendar))
            label = f"{label}+{tier}"
    terms = dataclasses.replace(base, member_label=label, benefits_active=benefits.active,
                                benefits_reason=benefits.reason, discount_percent=percent, birthday_percent=birthday)
    table = settings.member_tables.get(member.member_type_id) if benefits.active else None
    return terms, table, tier


def _promoter(organization: Organization, branch: Branch, basket: engine.Basket, member: Member | MemberValues | None,
              tier: str,
              pset: PromotionSet, products: Mapping[str, ProductPrices], gifts: frozenset[str],
              lines: tuple[LineIn, ...], choices: Mapping[str, str] | None, lock: bool, hints: bool
              ) -> promo.Promoter:
    """The promotions' step for this basket: the counts its limited promotions read (locked at
    commit; nothing to read, and no lines to look them up with, when no active promotion has a
    budget or a per-member limit), where, when and for whom, and the gifts' list prices."""
    counts: Counts = ({}, {})
    if promo.has_limits(pset):
        touched = []
        for i, ln in enumerate(lines):
            p = products.get(ln.code)
            touched.append(Line(index=i, sku=p.sku if p else ln.code, brand=p.brand if p else ln.brand,
                                categories=p.categories if p else frozenset({ln.category}),
                                quantity=ln.quantity, unit_price=ZERO, list_price=ZERO))
        counts = promo.counts_for(organization.pk, pset, tuple(touched), member.pk if member else None, lock=lock)
    ctx = promo.context_of(
        occurred_at=basket.occurred_at, zone=organization.time_zone, branch=branch.code,
        terminal=basket.terminal_code, salesperson=basket.salesperson, document_type=basket.document_type,
        member=member.code if member else "", member_type=member.member_type.code if member else "", tier=tier,
        counts=counts, choices=choices or {},
        gift_prices={sku: products[sku].list_price for sku in gifts if sku in products},
    )
    earn = any(p.members_earn_on_gifts for p in pset.promotions)  # the organization's setting, compiled in
    return promo.Promoter(pset, ctx, products=products, gifts_earn_points=earn, hints=hints)


def _as_sent(ln: LineIn) -> engine.BasketLine:
    assert ln.unit_price is not None
    return engine.BasketLine(line_no=ln.line_no, sku=ln.code, quantity=ln.quantity, unit_price=ln.unit_price,
                             discount=ln.discount, category=ln.category, brand=ln.brand)


def _priced_basket(basket: engine.Basket, priced: PricedBasket, sent: tuple[LineIn, ...],
                   choices: Mapping[str, str] | None = None) -> engine.Basket:
    lines = tuple(
        engine.BasketLine(
            line_no=ln.line_no, sku=ln.sku, quantity=ln.quantity, unit_price=ln.unit_price, discount=ln.discount,
            category=ln.category, brand=ln.brand, list_price=ln.list_price, price_source=ln.price_source,
            price_flag=ln.price_flag, member_discount=ln.benefit_discount,
            excluded_from_points=ln.excluded_from_points,
        )
        for ln in priced.lines
    )
    notes = [(0, n.kind, "", _reason(n)) for n in priced.notes]
    notes += [(ln.line_no, a.kind, "" if a.amount is None else str(rounded(a.amount)), _reason(a))
              for ln in priced.lines for a in ln.adjustments]
    return dataclasses.replace(basket, lines=lines, sent_lines_hash=_sent_hash(sent, choices), pricing=tuple(notes))


def _reason(a: Adjustment) -> str:
    """A step's reason as the sale stores it: language- and unit-neutral data (``promo_texts``)."""
    return a.reason if a.values is None else said_stored(a.reason, a.values, a.places)


def _sent_hash(sent: tuple[LineIn, ...], choices: Mapping[str, str] | None = None) -> str:
    """The lines as sent (and the promotions' choices, when any): a replay is the same sale when it
    sends the same lines and choices, whatever the prices are by then."""
    body: list[Any] = [[ln.line_no, ln.code, decimal_text(ln.quantity),
                        None if ln.unit_price is None else decimal_text(ln.unit_price), decimal_text(ln.discount),
                        ln.category, ln.brand] for ln in sorted(sent, key=lambda x: x.line_no)]
    if choices:
        body.append(sorted(choices.items()))
    return hashlib.sha256(json.dumps(body).encode()).hexdigest()


def campaign_discount(extra: Decimal, payable: Decimal, places: int = 2) -> Decimal:
    """The money a campaign's extra discount takes off a bill (docs/points.md 3.9): after every
    other discount, points and coupons, never more than what is left to pay."""
    return max(Decimal("0.00"), min(money(extra, places), money(payable, places)))
