"""A sale and a quote as the API answers them (and the till shows them): the lines as priced or
stored, the totals, the coupons, the campaign discount, the balance and the receipt text."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone

from sasom.checkout import receipts, services
from sasom.checkout.api_schemas import (
    PointsDiscountOut,
    PriceStepOut,
    PromotionAppliedOut,
    PromotionChoiceOut,
    PromotionHintOut,
    SaleCouponOut,
    SaleLineOut,
    SaleOut,
    SaleQuoteOut,
    SaleRewardOptionOut,
)
from sasom.checkout.pricing import campaign_discount
from sasom.checkout.promo import GIFT_SOURCE
from sasom.checkout.promo_texts import TextReader, api_texts, reason_shown
from sasom.core.currency import Currency, currency_of, places_of
from sasom.core.money import money
from sasom.earning import engine
from sasom.ledger.api_schemas import awards_out, balance_out
from sasom.ledger.models import PointAccount, Sale, SaleLine
from sasom.ledger.plan import LineRow, award_json, line_rows
from sasom.ledger.plan_promotions import SNAPSHOT
from sasom.ledger.selectors import Balance, balance_after
from sasom.ledger.tier_card import tier_after_sale_of
from sasom.members.models import Member
from sasom.organizations.models import Organization
from sasom.promotions.engine.types import Result


def steps_out(rows: list[list[Any]] | tuple[tuple[int, str, str, str], ...], line_no: int) -> list[PriceStepOut]:
    """A line's price steps; a stored reason (a promotion's, the catalog's) in the active language, its amounts as the
    caller states them (``api_texts``: the shop's display unit, the unit named)."""
    reader = TextReader()
    return [PriceStepOut(kind=kind, amount=Decimal(amount) if amount else None, reason=reason_shown(reason, reader))
            for no, kind, amount, reason in rows if no == line_no and kind != SNAPSHOT]


QUANTITY_PLACES = Decimal("0.000")  # a line's quantity as stored: three decimals, the same in every answer


def quantity_out(value: Decimal) -> Decimal:
    """A line's quantity as the sale stores it (``1`` sent is ``1.000`` stored), so a fresh answer,
    a replay and a read of the same sale write it alike. An addition, not a rounding: quantities
    take three decimals at most, and adding ``0.000`` only widens the exponent."""
    return Decimal(value) + QUANTITY_PLACES


def line_out(ln: LineRow | SaleLine, pricing: list[list[Any]] | tuple[tuple[int, str, str, str], ...]
              ) -> SaleLineOut:
    """A line as the plan decided it (``LineRow``) or as stored (``SaleLine``): the same fields."""
    return SaleLineOut(
        line_no=ln.line_no, sku=ln.sku, quantity=quantity_out(ln.quantity),
        list_price=ln.unit_price if ln.list_price is None else ln.list_price, unit_price=ln.unit_price,
        price_source=ln.price_source, price_flag=ln.price_flag, discount=ln.discount,
        member_discount=ln.member_discount, promotion_discount=ln.promotion_discount,
        promotions=ln.promotions.split(), gift=ln.price_source == GIFT_SOURCE, net=ln.net,
        earns_points=not ln.excluded_from_points, steps=steps_out(pricing, ln.line_no),
    )


def _lines_out(basket: engine.Basket, places: int) -> list[SaleLineOut]:
    """The lines of a basket priced now (a quote, a sale just posted), as the plan stores them:
    a weighed line's amount (0.375 kg × price) rounded to the currency's minor unit ``places``."""
    return [line_out(ln, basket.pricing) for ln in line_rows(basket, places)[0]]


def _stored_lines_out(sale: Sale) -> list[SaleLineOut]:
    rows = sale.explanation.get("pricing", []) if isinstance(sale.explanation, dict) else []
    return [line_out(ln, rows) for ln in sale.lines.all()]


def coupons_out(coupons: list[services.CouponUsed]) -> list[SaleCouponOut]:
    return [SaleCouponOut(code=c.code, kind=c.kind, amount=c.amount) for c in coupons]


def sale_out(sale: Sale, member: Member | None, *, awards: list[dict[str, Any]], replayed: bool,
              coupons: list[services.CouponUsed], organization: Organization, account: PointAccount | None = None,
              known: Balance | None = None, basket: engine.Basket | None = None) -> SaleOut:
    balance = balance_out(member, account, known)
    member_awards = awards_out(awards)
    with api_texts(currency_of(organization)):  # the promotions' reasons in the shop's display unit
        lines = (_lines_out(basket, places_of(organization.currency)) if basket is not None
                 else _stored_lines_out(sale))
    paid_otherwise = money((sale.points_discount or Decimal("0")) + (sale.coupon_discount or Decimal("0")))
    campaign = campaign_discount(Decimal((sale.explanation or {}).get("extra_discount") or "0"), sale.net - paid_otherwise)
    return SaleOut(
        receipt_id=sale.receipt_id,
        branch=sale.branch.code,
        terminal=sale.terminal.code,
        status=sale.status,
        member=member.code if member else None,
        points_earned=sale.points_earned,
        no_points=(sale.explanation or {}).get("no_points") if member is not None else None,
        points_used=sale.points_used,
        awards=member_awards,
        discount_applied=paid_otherwise + campaign,
        campaign_discount=campaign,
        donation=money(sale.donation),
        coupons=coupons_out(coupons),
        net=money(sale.net),
        eligible_net=money(sale.eligible_net),
        member_discount=money(sale.member_discount),
        price_flagged=sale.price_flagged,
        lines=lines,
        balance=balance,
        receipt_text=receipts.receipt_text(
            organization=organization, sale=sale, member=member, awards=member_awards, balance=balance,
            campaign_discount=campaign,
            tier=tier_after_sale_of(organization_id=sale.organization_id, member_id=member.pk, sale_id=sale.pk)
            if member is not None else None,
        ),
        replayed=replayed,
    )


def quote_out(organization: Organization, q: services.SaleQuote) -> SaleQuoteOut:
    pd, b, member = q.points_discount, q.basket, q.member
    currency = currency_of(organization)
    rows, gross = line_rows(b, currency.places)
    with api_texts(currency):  # the promotions' reasons in the shop's display unit
        lines, notes = [line_out(ln, b.pricing) for ln in rows], steps_out(b.pricing, 0)
    line_discounts = sum((ln.discount for ln in rows), Decimal("0"))
    bill_level = money(b.bill_discount) + money(b.coupon_discount) + money(b.points_discount)
    campaign = campaign_discount(q.result.extra_discount, gross - line_discounts - bill_level)
    after = None
    if member is not None:
        known = balance_after(organization=organization, account=q.account, earned=q.result.member_points,
                              used=q.points_used, occurred_at=b.occurred_at, now=timezone.now())
        after = balance_out(member, known=known)
    return SaleQuoteOut(
        member=member.code if member else None, lines=lines, notes=notes, gross=gross,
        member_discount=sum((ln.member_discount for ln in rows), Decimal("0")),
        discounts=line_discounts + bill_level + campaign, bill_discount=money(b.bill_discount),
        coupon_discount=money(b.coupon_discount), points_paid=money(b.points_discount), campaign_discount=campaign,
        donation=money(q.result.donation),
        net=gross - line_discounts - bill_level - campaign, price_flagged=any(ln.price_flag for ln in rows),
        coupons_used=coupons_out(q.coupons_used), redeem_points=q.points_used,
        points_earned=q.result.member_points, no_points=q.result.no_points or None if member else None,
        awards=awards_out([award_json(a) for a in q.result.awards]), eligible_net=q.result.eligible_net,
        points_discount=PointsDiscountOut(max_points=pd.max_points, max_amount=pd.max_amount) if pd else None,
        coupons=coupons_out(q.coupons),
        rewards=[SaleRewardOptionOut(code=r.code, name=r.name, points=r.points_cost) for r in q.rewards],
        balance=balance_out(member, q.account), balance_after=after,
        **promotions_out(q, currency),
    )


def promotions_out(q: services.SaleQuote, currency: Currency) -> dict[str, Any]:
    """The quote's promotions: applied, choices pending, hints, bill messages; the explanations'
    and hints' amounts in the shop's display unit with its name (``promo_texts.api_texts``)."""
    r = q.promotions
    if r is None:
        return {}
    with api_texts(currency):
        return _promotions_out(r)


def _promotions_out(r: Result) -> dict[str, Any]:
    return {
        "promotion_discount": money(r.discount),
        "promotions": [PromotionAppliedOut(code=a.code, name=a.name, kind=a.kind, times=a.times,
                                           discount=money(a.discount), message=a.message, explanation=str(a.explanation))
                       for a in r.applied],
        "choices": [PromotionChoiceOut(promotion=c.promotion, options=list(c.options), quantity=c.quantity,
                                       unit_price=money(c.unit_price)) for c in r.choices],
        "hints": [PromotionHintOut(promotion=h.promotion, name=h.name, missing_units=h.missing_units,
                                   missing_amount=h.missing_amount, reward=str(h.reward)) for h in r.hints],
        "messages": list(r.messages),
    }
