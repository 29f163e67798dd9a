"""Returning part of a sale, voiding it (DOMAIN.md 5): entries that reverse, never edits.

A return recomputes the sale without the quantities returned so far and takes back the
difference; points paid with come back in proportion. A void reverses whatever returns left.

A sale that got POS promotions is returned with a ``reprice`` (the checkout's, which knows the
promotions as they were at the sale): the remainder's lines are priced again without the
promotions' discounts they no longer earn, and the money returned is what the sale kept before
this return less what it keeps after (never below zero), so returning an item that unlocked a
benefit takes the benefit's value back (DOMAIN.md 10).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sasom.core.audit import Actor, audit_record
from sasom.core.currency import places_of
from sasom.core.errors import Conflict, DomainError
from sasom.core.money import money
from sasom.earning import engine
from sasom.ledger.errors import (
    ALREADY_VOIDED,
    INVALID_BASKET,
    INVALID_RECEIPT,
    REASON_REQUIRED,
    RETURN_CONFLICT,
    RETURN_EXCEEDS_SOLD,
    SALE_VOIDED,
    UNKNOWN_LINE,
)
from sasom.ledger.locking import lock_accounts
from sasom.ledger.models import Entry, Sale, SaleLine, SaleReturn, SaleReturnLine
from sasom.ledger.plan import context_from_json, decimal_text
from sasom.ledger.policy import local_date, settings_of, zone
from sasom.ledger.services import core, sales

# (the sale's lines, cumulative quantities returned per line number) -> line number -> the
# promotions' discount on the quantity kept (checkout.promo_returns)
Reprice = Callable[[list[SaleLine], dict[int, Decimal]], dict[int, Decimal]]


def _remaining_basket(sale: Sale, lines: list[SaleLine], returned: dict[int, Decimal],
                      reprice: Reprice | None = None, places: int = 2) -> tuple[engine.Basket, Decimal, Decimal]:
    """The sale as it stands after ``returned`` (cumulative quantities per line number), plus the
    net value kept and the total net value. Line and bill-level discounts shrink in proportion;
    with ``reprice``, a line's promotions' discount is the one the remainder earns."""
    total = sum((ln.net for ln in lines), Decimal("0"))
    promoted = reprice(lines, returned) if reprice is not None else None
    kept_lines, kept = [], Decimal("0")
    for ln in lines:
        qty = ln.quantity - returned.get(ln.line_no, Decimal("0"))
        if qty <= 0:
            continue
        share = qty / ln.quantity
        if promoted is None:
            discount = money(ln.discount * share, places)
            kept += ln.net * share
        else:
            amount = money(qty * ln.unit_price, places)
            others = money((ln.discount - ln.promotion_discount) * share, places)
            discount = min(amount, others + promoted.get(ln.line_no, Decimal("0")))
            kept += amount - discount
        kept_lines.append(
            engine.BasketLine(
                line_no=ln.line_no, sku=ln.sku, quantity=qty, unit_price=ln.unit_price,
                discount=discount, category=ln.category, brand=ln.brand,
                excluded_from_points=ln.excluded_from_points,
            )
        )
    ratio = (kept / total) if total else Decimal("0")
    basket = engine.Basket(
        occurred_at=sale.occurred_at,
        lines=tuple(kept_lines),
        branch_code=sale.branch.code,
        terminal_code=sale.terminal.code,
        salesperson=sale.salesperson,
        document_type=sale.document_type,
        bill_discount=money(sale.bill_discount * ratio, places),
        points_discount=money(sale.points_discount * ratio, places),
        coupon_discount=money(sale.coupon_discount * ratio, places),
        bag_declined=sale.bag_declined,
        campaign_plan=sale.campaign_plan,
    )
    return basket, kept, total


def _undo(
    *, sale: Sale, kind: str, reverse_member: int, reverse_referrer: int, refund: int, now: dt.datetime,
    actor: Actor, reason: str, sale_return: SaleReturn | None,
) -> int:
    """Post the entries that take back earned points and give back spent points. Returns the
    debt added to the member's account."""
    entries = list(Entry.objects.filter(sale=sale, kind__in=[Entry.Kind.EARN, Entry.Kind.PURCHASE]))
    if not entries:
        return 0
    locked = lock_accounts({e.account_id for e in entries})
    any_account = next(iter(locked.values()))
    org = any_account.organization
    settings = settings_of(org)
    today = local_date(now, org.time_zone)
    where: dict[str, Any] = dict(
        sale=sale, sale_return=sale_return, branch_id=sale.branch_id, terminal_id=sale.terminal_id,
        source_type="return" if sale_return else "void", source_id=sale_return.return_id if sale_return else sale.receipt_id,
        staff_user_id=actor.user_id, actor_label=actor.label[:200], reason=reason,
    )
    debt_added = 0
    for earn in (e for e in entries if e.kind == Entry.Kind.EARN):
        amount = reverse_member if earn.account_id == sale.account_id else reverse_referrer
        if amount <= 0:
            continue
        account = locked[earn.account_id]
        entry = core.debit(
            account, kind=kind, amount=amount, now=now, today=today, occurred_at=now,
            shortfall=settings.return_shortfall, include_pending=True, first_entry_ids=frozenset({earn.pk}),
            reverses=earn, explanation={"reverses_points": amount}, **where,
        )
        if entry is not None:
            account.lifetime_earned -= entry.amount
            if earn.account_id == sale.account_id:
                debt_added += entry.debt_delta
    spend = next((e for e in entries if e.kind == Entry.Kind.PURCHASE), None)
    if spend is not None and refund > 0:
        already = Entry.objects.filter(reverses=spend, sign=1).aggregate(s=Sum("amount"))["s"] or 0
        core.credit(
            locked[spend.account_id], kind=kind, amount=refund, now=now, occurred_at=now, expires_on=None,
            portions=core.give_back_portions(spend, refund, already), reverses=spend,
            explanation={"refunds_points": refund}, **where,
        )
    for account in locked.values():
        core.save_balances(account)
    return debt_added


def _shared(amount: Decimal, weights: dict[int, Decimal], places: int) -> dict[int, Decimal]:
    """``amount`` over the lines in proportion to ``weights`` (the last line takes the rounding)."""
    total = sum(weights.values(), Decimal("0"))
    out, left = {}, amount
    keys = sorted(weights)
    for no in keys[:-1]:
        part = money(amount * weights[no] / total, places) if total else Decimal("0")
        out[no], left = part, left - part
    out[keys[-1]] = left
    return out


def _bill_share(bill_level: Decimal, lines: list[SaleLine], returned: dict[int, Decimal], total: Decimal,
                places: int) -> Decimal:
    """The part of the sale's bill-level discounts (bill discount, coupons, points paid as money)
    that the units ``returned`` (cumulative per line number) carry: the discounts spread over the
    lines in proportion to their nets as stored at the sale (never as the remainder is repriced
    today), rounded once on the sum, so that every unit returned gives back exactly the whole."""
    if not bill_level or not total:
        return Decimal("0")
    value = sum((ln.net * returned.get(ln.line_no, Decimal("0")) / ln.quantity for ln in lines), Decimal("0"))
    return money(bill_level * value / total, places)


def _previous(sale: Sale) -> dict[str, int]:
    sums = sale.returns.aggregate(
        member=Sum("points_reversed"), referrer=Sum("referrer_points_reversed"), refunded=Sum("points_refunded")
    )
    return {k: v or 0 for k, v in sums.items()}


def _return_hash(lines: dict[int, Decimal]) -> str:
    body = sorted((int(k), decimal_text(Decimal(v))) for k, v in lines.items())
    return hashlib.sha256(json.dumps(body).encode()).hexdigest()


def sale_return(
    *,
    sale: Sale,
    lines: dict[int, Decimal | int],
    actor: Actor,
    return_id: str,
    reason: str = "",
    now: dt.datetime | None = None,
    reprice: Reprice | None = None,
) -> SaleReturn:
    """Return ``lines`` ({line_no: quantity}) of ``sale``.

    The engine recomputes the sale without every quantity returned so far (original time, the
    rules as they are now); the points the sale earned minus that recomputation, less what earlier
    returns already took back, are reversed — never more than the sale earned in total. Points paid
    with on the sale come back in proportion to the net value returned (all of them on a full
    return). A shortfall becomes debt or is forgiven, by the organization's policy. Idempotent per
    ``return_id``. ``reprice``: the sale got POS promotions (see the module's docstring).
    """
    return_id = (return_id or "").strip()
    if not return_id or len(return_id) > 64:
        raise DomainError(INVALID_RECEIPT, _("A return number (up to 64 characters) is required."), field="return_id")
    try:
        wanted = {int(k): Decimal(v) for k, v in lines.items() if Decimal(v) != 0}
    except (TypeError, ValueError, ArithmeticError):
        raise DomainError(INVALID_BASKET, _("Return quantities must be numbers."), field="lines") from None
    if not wanted or any(q < 0 for q in wanted.values()):
        raise DomainError(INVALID_BASKET, _("Choose at least one line and a quantity above zero."), field="lines")
    body_hash = _return_hash(wanted)
    now = now or timezone.now()
    with transaction.atomic():
        sale = Sale.objects.select_for_update(of=("self",)).select_related("branch", "terminal").get(pk=sale.pk)
        existing = SaleReturn.objects.filter(sale=sale, return_id=return_id).first()
        if existing is not None:
            if existing.body_hash != body_hash:
                raise Conflict(RETURN_CONFLICT, _("This return number was already used for other lines."), field="return_id")
            return existing
        if sale.status == Sale.Status.VOIDED:
            raise DomainError(SALE_VOIDED, _("This sale was voided."))
        sale_lines = list(sale.lines.all())
        by_no = {ln.line_no: ln for ln in sale_lines}
        for no, qty in wanted.items():
            line = by_no.get(no)
            if line is None:
                raise DomainError(UNKNOWN_LINE, _("Line %(no)s is not on this sale.") % {"no": no}, field="lines")
            if qty > line.quantity - line.returned_quantity:
                raise DomainError(
                    RETURN_EXCEEDS_SOLD, _("Line %(no)s: more returned than sold.") % {"no": no}, field="lines"
                )
        for no, qty in wanted.items():
            by_no[no].returned_quantity += qty
        cumulative = {ln.line_no: ln.returned_quantity for ln in sale_lines}
        places = places_of(sales.rules_of(sale.organization_id).currency)  # the currency's minor unit
        basket, kept, total = _remaining_basket(sale, sale_lines, cumulative, reprice, places)
        fully = not basket.lines
        prev = _previous(sale)
        if sale.points_earned or sale.referrer_points:
            ctx = context_from_json(sale.explanation.get("context"))
            result = engine.compute(basket, ctx, sales.rules_of(sale.organization_id), tz=zone(sale.organization.time_zone))
            now_member, now_referrer = result.member_points, result.referrer_points
        else:
            now_member = now_referrer = 0
        target_member = sale.points_earned if fully else min(sale.points_earned, max(0, sale.points_earned - now_member))
        target_referrer = sale.referrer_points if fully else min(sale.referrer_points, max(0, sale.referrer_points - now_referrer))
        target_refund = sale.points_used if fully else (
            math.floor(sale.points_used * (total - kept) / total) if total else 0
        )
        # each line's net returned so far, rounded on the running total: the units of a line returned
        # one by one give back exactly its net (a third of 3,518,516 is not 1,172,838.67 three times)
        line_nets = {no: money(by_no[no].net * cumulative[no] / by_no[no].quantity, places)
                     - money(by_no[no].net * (cumulative[no] - qty) / by_no[no].quantity, places)
                     for no, qty in wanted.items()}
        returned_net = money(sum(line_nets.values(), Decimal("0")), places)
        bill_level = total - sale.net  # bill discount, coupons and points as money: not on the lines
        if reprice is not None:  # what the sale kept before this return less what it keeps now
            before = sale.net - (sale.returns.aggregate(s=Sum("returned_net"))["s"] or Decimal("0"))
            kept_share = bill_level - _bill_share(bill_level, sale_lines, cumulative, total, places)
            returned_net = money(max(Decimal("0"), before - (kept - kept_share)), places)
            line_nets = _shared(returned_net, line_nets, places)
        elif bill_level:  # the units returned take their share of the bill-level discounts back
            earlier = {no: q - wanted.get(no, Decimal("0")) for no, q in cumulative.items()}
            share = (_bill_share(bill_level, sale_lines, cumulative, total, places)
                     - _bill_share(bill_level, sale_lines, earlier, total, places))
            returned_net = money(max(Decimal("0"), returned_net - share), places)
            line_nets = _shared(returned_net, line_nets, places)
        ret = SaleReturn.objects.create(
            organization_id=sale.organization_id,
            sale=sale,
            return_id=return_id,
            recorded_at=now,
            returned_net=returned_net,
            points_reversed=max(0, target_member - prev["member"]),
            referrer_points_reversed=max(0, target_referrer - prev["referrer"]),
            points_refunded=max(0, target_refund - prev["refunded"]),
            reason=reason,
            body_hash=body_hash,
            actor_label=actor.label[:200],
        )
        SaleReturnLine.objects.bulk_create(
            SaleReturnLine(
                organization_id=sale.organization_id, sale_return=ret, sale_line=by_no[no], line_no=no,
                quantity=qty, net=line_nets[no],
            )
            for no, qty in wanted.items()
        )
        SaleLine.objects.bulk_update([by_no[no] for no in wanted], ["returned_quantity"])
        debt = _undo(
            sale=sale, kind=Entry.Kind.RETURN, reverse_member=ret.points_reversed,
            reverse_referrer=ret.referrer_points_reversed, refund=ret.points_refunded, now=now, actor=actor,
            reason=reason, sale_return=ret,
        )
        if debt:
            ret.debt_added = debt
            ret.save(update_fields=["debt_added"])
        sale.status = Sale.Status.RETURNED if fully else Sale.Status.PARTLY_RETURNED
        sale.save(update_fields=["status"])
    return ret


@transaction.atomic
def sale_void(*, sale: Sale, reason: str, actor: Actor, now: dt.datetime | None = None) -> Sale:
    """Reverse everything the sale caused that returns have not already reversed, once."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(REASON_REQUIRED, _("A reason is required."), field="reason")
    now = now or timezone.now()
    sale = Sale.objects.select_for_update(of=("self",)).get(pk=sale.pk)
    if sale.status == Sale.Status.VOIDED:
        raise DomainError(ALREADY_VOIDED, _("This sale was already voided."))
    prev = _previous(sale)
    _undo(
        sale=sale, kind=Entry.Kind.VOID, reverse_member=sale.points_earned - prev["member"],
        reverse_referrer=sale.referrer_points - prev["referrer"], refund=sale.points_used - prev["refunded"],
        now=now, actor=actor, reason=reason, sale_return=None,
    )
    sale.status = Sale.Status.VOIDED
    sale.voided_at = now
    sale.void_reason = reason
    sale.save(update_fields=["status", "voided_at", "void_reason"])
    audit_record(
        organization_id=sale.organization_id, actor=actor, action="sale.void", obj=sale,
        changes={"status": ["posted", "voided"], "points_earned": [sale.points_earned, 0]}, reason=reason,
    )
    return sale
