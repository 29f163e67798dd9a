"""The posting plan of a sale: every row a sale writes, decided before anything is written.

One pure function, :func:`sale_plan`, turns the basket, the earning engine's result and the
member's account *as read* into a frozen :class:`SalePlan`. The writers only persist a plan:

* the ORM writer (``ledger.services.sales.sale_post``), under the account's row lock;
* the PostgreSQL function ``sasom_sale_post2(plan jsonb)`` (``ledger/sql/sale_post2.sql``), which
  re-checks under its own lock that the account is still as the plan read it (``expect``);
* the bulk writer of day-end batches (``ledger.services.bulk``), many plans per statement.

A new sale field is added here once; ``ledger/tests/test_writers.py`` posts random baskets
through every writer and compares every stored row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sasom.core.currency import places_of
from sasom.core.money import money
from sasom.earning import engine
from sasom.ledger.plan_promotions import PromotionTake, line_promotions, promotion_uses

SALE_EXPLANATION_VERSION = 1


@dataclass(frozen=True, slots=True)
class LineRow:
    line_no: int
    sku: str
    category: str
    brand: str
    quantity: Decimal
    unit_price: Decimal
    discount: Decimal
    net: Decimal
    list_price: Decimal | None = None
    price_source: str = ""
    price_flag: str = ""
    member_discount: Decimal = Decimal("0")
    excluded_from_points: bool = False
    promotion_discount: Decimal = Decimal("0")
    promotions: str = ""


@dataclass(frozen=True, slots=True)
class SaleRow:
    """The ``ledger_sale`` row, but for its id and ``account_id`` (known once the account is
    locked or created); ``status`` is ``posted``, ``voided_at`` empty."""

    organization_id: int
    branch_id: int
    terminal_id: int
    receipt_id: str
    document_type: str
    occurred_at: dt.datetime
    recorded_at: dt.datetime
    member_id: int | None
    member_type_code: str
    salesperson: str
    campaign_plan: str
    bag_declined: bool
    gross: Decimal
    discounts: Decimal
    bill_discount: Decimal
    coupon_discount: Decimal
    points_discount: Decimal
    net: Decimal
    eligible_net: Decimal
    points_earned: int
    referrer_points: int
    points_used: int
    donation: Decimal
    member_discount: Decimal
    price_flagged: bool
    explanation: dict[str, Any]
    body_hash: str
    actor_label: str
    staff_user_id: int | None


@dataclass(frozen=True, slots=True)
class EarnRow:
    """An earn entry and its lot. ``debt_paid`` of the points pay the account's debt first (as
    read); the lot holds the rest (none when the debt took everything)."""

    amount: int
    debt_paid: int
    expires_on: dt.date | None
    pending_until: dt.datetime | None  # set only when the lot is pending at posting time
    explanation: dict[str, Any]

    @property
    def is_pending(self) -> bool:
        return self.pending_until is not None

    @property
    def lot_amount(self) -> int:
        return self.amount - self.debt_paid


@dataclass(frozen=True, slots=True)
class AccountDelta:
    """What the sale adds to the member's account, spending of points excepted (a spend draws
    lots in spending order under the lock, ``ledger.services.core.debit``)."""

    spendable: int = 0
    pending: int = 0
    lifetime_earned: int = 0
    debt: int = 0
    sale_count: int = 0


@dataclass(frozen=True, slots=True)
class AccountExpect:
    """The account as the plan read it: a writer that locks later checks these still hold."""

    first_purchase: bool
    debt: int


@dataclass(frozen=True, slots=True)
class SalePlan:
    sale: SaleRow
    lines: tuple[LineRow, ...]
    earn: EarnRow | None
    delta: AccountDelta
    expect: AccountExpect | None  # None: no member
    points_used: int = 0
    spend_after_earn: bool = False  # the points paid with may come from this sale's own earn
    referrer_id: int | None = None
    referrer_earn: EarnRow | None = None  # its debt payment is decided under the referrer's lock
    awards: tuple[dict[str, Any], ...] = ()
    events: tuple[str, ...] = ()  # event kinds the writers record, in order (core.events)
    promotion_uses: tuple[PromotionTake, ...] = ()  # POS promotions applied (plan_promotions), by id

    @property
    def plain(self) -> bool:
        """Money only: no points paid with, no second account (a referrer) to credit."""
        return self.points_used == 0 and self.referrer_earn is None


# ------------------------------------------------------------------------------ pure helpers


def decimal_text(value: Decimal) -> str:
    return format(Decimal(value).normalize(), "f")


def body_hash(basket: engine.Basket, member_id: int | None, points_used: int) -> str:
    """The fingerprint of a sale's content: a replayed receipt with the same hash is the same sale."""
    body = {
        "occurred_at": basket.occurred_at.astimezone(dt.UTC).isoformat(),
        "lines": basket.sent_lines_hash or lines_body(basket.lines),
        "salesperson": basket.salesperson,
        "document_type": basket.document_type,
        "discounts": [decimal_text(basket.bill_discount), decimal_text(basket.points_discount), decimal_text(basket.coupon_discount)],
        "bag_declined": basket.bag_declined,
        "campaign_plan": basket.campaign_plan,
        "member": member_id,
        "points_used": points_used,
    }
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def lines_body(lines: tuple[engine.BasketLine, ...]) -> list[list[Any]]:
    """The lines as a replay compares them."""
    return [
        [ln.line_no, ln.sku, decimal_text(ln.quantity), decimal_text(ln.unit_price), decimal_text(ln.discount),
         ln.category, ln.brand]
        for ln in sorted(lines, key=lambda x: x.line_no)
    ]


def award_json(award: engine.Award) -> dict[str, Any]:
    return {
        "rule_id": award.rule_id,
        "rule_code": award.rule_code,
        "rule_name": award.rule_name,
        "kind": award.kind,
        "points": award.points,
        "base_amount": str(award.base_amount),
        "explanation": award.explanation,
        "multiplier": None if award.multiplier is None else str(award.multiplier),
        "extra": award.extra,
        "beneficiary": award.beneficiary,
        "line_nos": list(award.line_nos),
    }


def context_json(ctx: engine.MemberContext) -> dict[str, Any]:
    return {
        "member_id": ctx.member_id,
        "member_type": ctx.member_type,
        "tier": ctx.tier,
        "birth_on": ctx.birth_on.isoformat() if ctx.birth_on else None,
        "card_expired": ctx.card_expired,
        "can_earn": ctx.can_earn,
        "is_first_purchase": ctx.is_first_purchase,
        "referred_by_member_id": ctx.referred_by_member_id,
    }


def context_from_json(data: dict[str, Any] | None) -> engine.MemberContext:
    if not data or data.get("member_id") is None:
        return engine.MemberContext(member_id=None)
    birth = data.get("birth_on")
    return engine.MemberContext(
        member_id=data["member_id"],
        member_type=data.get("member_type", ""),
        tier=data.get("tier", ""),
        birth_on=dt.date.fromisoformat(birth) if birth else None,
        card_expired=data.get("card_expired", False),
        can_earn=data.get("can_earn", True),
        is_first_purchase=data.get("is_first_purchase", False),
        referred_by_member_id=data.get("referred_by_member_id"),
    )


_STEP = {places: Decimal(1).scaleb(-places) for places in range(0, 5)}  # 1, 0.1, 0.01, ...
ZERO2 = Decimal("0.00")
_ZEROS = {places: money(0, places) for places in _STEP}  # money() of a zero (not -0), per places


def rounded(value: Decimal | int, places: int = 2) -> Decimal:
    """``money(value, places)`` without a second rounding: a value already at exactly ``places``
    decimals (what the till's pricing hands over) is that value, digit for digit, so it is taken
    as it is; anything else (more decimals, fewer, a line taken as sent) goes through ``money``.
    ``same_quantum`` compares exponents only (no rounding), about a tenth of ``money``'s cost."""
    step = _STEP.get(places)
    if step is not None and isinstance(value, Decimal):  # an int (a whole amount given by code, not the
        # pricing) goes through ``money``
        if value.same_quantum(step):
            return value
        if value.is_zero() and not value.is_signed():  # a zero sent as "0" (no discount): money's zero
            return _ZEROS[places]
    return money(value, places)


def line_rows(basket: engine.Basket, places: int = 2) -> tuple[tuple[LineRow, ...], Decimal]:
    """The sale's lines in line order, and the gross (sum of the lines' amounts, rounded to the
    currency's minor unit ``places``). Discounts are stored at two places, as before; a value the
    pricing already rounded is taken as it is (:func:`rounded`), and the net of an amount and a
    discount that came at two places is exact (a ``Decimal`` difference keeps the smaller
    exponent), so it is not rounded again; a discount sent with more decimals is subtracted as
    sent and the net rounded, as before (``ledger/tests/test_plan_rounding.py``: equal, digit for
    digit, to rounding every value)."""
    rows, gross = [], Decimal("0")
    promoted = line_promotions(basket.pricing) if basket.pricing else {}
    exact_net = places <= 2  # amount at ``places`` minus a discount sent at 2 places: exactly 2 places
    for ln in sorted(basket.lines, key=lambda x: x.line_no):
        promo_discount, promo_codes = promoted.get(ln.line_no, (ZERO2, ""))
        amount = rounded(ln.quantity * ln.unit_price, places)
        gross += amount
        discount = rounded(ln.discount)
        rows.append(LineRow(
            line_no=ln.line_no, sku=ln.sku[:64], category=ln.category[:64], brand=ln.brand[:64],
            quantity=ln.quantity, unit_price=ln.unit_price, discount=discount,
            net=amount - discount if exact_net and (discount is ln.discount or discount is _ZEROS[2]) else money(
                amount - ln.discount),
            list_price=ln.list_price, price_source=ln.price_source[:40], price_flag=ln.price_flag[:8],
            member_discount=rounded(ln.member_discount), excluded_from_points=ln.excluded_from_points,
            promotion_discount=rounded(promo_discount), promotions=promo_codes[:200],
        ))
    return tuple(rows), gross


def earn_row(*, amount: int, debt: int, expires_on: dt.date | None, pending_until: dt.datetime | None,
             now: dt.datetime, explanation: dict[str, Any]) -> EarnRow:
    """An earn of ``amount`` on an account owing ``debt``: the debt is paid first (and says so)."""
    paid = min(debt, amount)
    if paid:
        explanation = {**explanation, "debt_paid": paid}
    pending = pending_until if pending_until is not None and pending_until > now else None
    return EarnRow(amount=amount, debt_paid=paid, expires_on=expires_on, pending_until=pending, explanation=explanation)


# ------------------------------------------------------------------------------ the plan


def sale_plan(
    *,
    organization_id: int,
    branch_id: int,
    terminal_id: int,
    receipt_id: str,
    basket: engine.Basket,
    member_id: int | None,
    context: engine.MemberContext,
    result: engine.EarnResult,
    account_first_purchase: bool | None,
    account_debt: int,
    lot_dates: tuple[dt.date | None, dt.datetime | None],
    now: dt.datetime,
    actor_label: str,
    staff_user_id: int | None,
    hashed: str,
    points_used: int = 0,
    spend_after_earn: bool = False,
    referrer_id: int | None = None,
    currency: str = "THB",
) -> SalePlan:
    """Every row of the sale, from the basket, the engine's ``result`` and the account as read
    (``account_first_purchase``, ``account_debt``; None/0 without a member). ``lot_dates`` is the
    (expires_on, pending_until) of points earned by this sale (``ledger.policy.lot_dates``)."""
    lines, gross = line_rows(basket, places_of(currency))
    line_discounts = sum((ln.discount for ln in lines), Decimal("0"))
    bill_discount, coupon_discount = rounded(basket.bill_discount), rounded(basket.coupon_discount)
    points_discount = rounded(basket.points_discount)
    bill_level = bill_discount + coupon_discount + points_discount
    awards = tuple(award_json(a) for a in result.awards)
    member_points = result.member_points if member_id is not None else 0
    referrer_points = result.referrer_points if referrer_id else 0
    sale = SaleRow(
        organization_id=organization_id, branch_id=branch_id, terminal_id=terminal_id, receipt_id=receipt_id,
        document_type=basket.document_type, occurred_at=basket.occurred_at, recorded_at=now, member_id=member_id,
        member_type_code=context.member_type, salesperson=basket.salesperson[:64],
        campaign_plan=basket.campaign_plan[:40], bag_declined=basket.bag_declined, gross=gross,
        discounts=line_discounts + bill_level, bill_discount=bill_discount,
        coupon_discount=coupon_discount, points_discount=points_discount,
        net=gross - line_discounts - bill_level, eligible_net=rounded(result.eligible_net),
        points_earned=member_points, referrer_points=referrer_points, points_used=points_used,
        donation=rounded(result.donation),
        member_discount=sum((ln.member_discount for ln in lines), Decimal("0")),
        price_flagged=any(ln.price_flag for ln in lines),
        explanation=_explanation(awards, context, result, basket),
        body_hash=hashed, actor_label=actor_label[:200], staff_user_id=staff_user_id,
    )
    expires_on, pending_until = lot_dates
    earn = None
    if member_points:
        earn = earn_row(
            amount=member_points, debt=account_debt, expires_on=expires_on, pending_until=pending_until, now=now,
            explanation={"awards": [a for a in awards if a["beneficiary"] == "member"],
                         "eligible_net": str(result.eligible_net)},
        )
    referrer_earn = None
    if referrer_points:
        referrer_earn = earn_row(
            amount=referrer_points, debt=0, expires_on=expires_on, pending_until=pending_until, now=now,
            explanation={"awards": [a for a in awards if a["beneficiary"] == "referrer"],
                         "referred_member_id": member_id},
        )
    delta = AccountDelta()
    events: list[str] = ["sale.posted"]
    if member_id is not None:
        lot = earn.lot_amount if earn else 0
        pending = bool(earn and earn.is_pending)
        delta = AccountDelta(
            spendable=0 if pending else lot, pending=lot if pending else 0, lifetime_earned=member_points,
            debt=-(earn.debt_paid if earn else 0), sale_count=1,
        )
        if points_used and not spend_after_earn:
            events.append("points.redeemed")
        if earn:
            events.append("points.earned")
        if points_used and spend_after_earn:
            events.append("points.redeemed")
        if referrer_earn:
            events.append("points.earned")
    return SalePlan(
        sale=sale, lines=lines, earn=earn, delta=delta,
        expect=None if member_id is None else AccountExpect(first_purchase=bool(account_first_purchase),
                                                           debt=account_debt),
        points_used=points_used, spend_after_earn=spend_after_earn, referrer_id=referrer_id if referrer_points else None,
        referrer_earn=referrer_earn, awards=awards, events=tuple(events),
        promotion_uses=promotion_uses(basket.pricing) if basket.pricing else (),
    )


def _explanation(awards: tuple[dict[str, Any], ...], context: engine.MemberContext, result: engine.EarnResult,
                 basket: engine.Basket) -> dict[str, Any]:
    out: dict[str, Any] = {"awards": list(awards), "context": context_json(context),
                           "extra_discount": str(result.extra_discount)}
    if result.campaigns:  # the bag campaigns chosen; a donation names the funds it went to
        out["campaigns"] = list(result.campaigns)
    if result.donation_campaigns:
        out["donation_campaigns"] = "+".join(result.donation_campaigns)
    if basket.pricing:
        out["pricing"] = [list(row) for row in basket.pricing]
    if result.no_points and context.member_id is not None:
        out["no_points"] = result.no_points
    return out
