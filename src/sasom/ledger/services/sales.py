"""Posting a sale, returning part of it, voiding it (DOMAIN.md 2, 4, 5, 6).

The post path is one transaction: lock the member's account row (one query, which also brings
the organization and its points settings), compute the awards with the earning engine, insert
the sale, its lines (one bulk insert), the earn entry and its lot, update the cached balance.
A replay of the same receipt hits the unique key (organization, branch, terminal, receipt_id):
the transaction rolls back and the stored result is returned.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sasom.core.audit import Actor, audit_record
from sasom.core.errors import Conflict, DomainError
from sasom.core.money import money
from sasom.earning import engine
from sasom.ledger.locking import lock_account, lock_account_for_member, lock_accounts
from sasom.ledger.models import (
    Entry,
    PointAccount,
    Sale,
    SaleLine,
    SaleReturn,
    SaleReturnLine,
)
from sasom.ledger.policy import local_date, lot_dates, settings_of, zone
from sasom.ledger.services import core

RECEIPT_CONFLICT = "receipt_conflict"
RETURN_CONFLICT = "return_conflict"
ALREADY_VOIDED = "already_voided"
SALE_VOIDED = "sale_voided"
UNKNOWN_LINE = "unknown_line"
RETURN_EXCEEDS_SOLD = "return_exceeds_sold"
INVALID_BASKET = "invalid_basket"
INVALID_RECEIPT = "invalid_receipt"
WRONG_PLACE = "wrong_place"
MEMBER_INACTIVE = "member_inactive"
POINTS_WITHOUT_MEMBER = "points_without_member"
REASON_REQUIRED = "reason_required"

INACTIVE_STATUSES = frozenset({"suspended", "closed", "anonymized"})


def _ruleset(organization_id: int):
    from sasom.earning.selectors import ruleset_for

    return ruleset_for(organization_id)


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


@dataclass(frozen=True)
class SalePostResult:
    sale: Sale
    created: bool
    points_earned: int
    referrer_points: int
    points_used: int
    awards: list[dict[str, Any]] = field(default_factory=list)
    spendable: int | None = None
    pending: int | None = None
    debt: int | None = None
    account: PointAccount | None = None  # the member's account as the post left it (saves a re-read)


class _Relock(Exception):
    """The referrer's account sorts before the member's: start again locking both in order."""


# ---------------------------------------------------------------- validation and hashing


def _dec(value: Decimal) -> str:
    return format(Decimal(value).normalize(), "f")


def _body_hash(basket: engine.Basket, member_id: int | None, points_used: int) -> str:
    body = {
        "occurred_at": basket.occurred_at.astimezone(dt.UTC).isoformat(),
        "lines": [
            [ln.line_no, ln.sku, _dec(ln.quantity), _dec(ln.unit_price), _dec(ln.discount), ln.category, ln.brand]
            for ln in sorted(basket.lines, key=lambda x: x.line_no)
        ],
        "salesperson": basket.salesperson,
        "document_type": basket.document_type,
        "discounts": [_dec(basket.bill_discount), _dec(basket.points_discount), _dec(basket.coupon_discount)],
        "bag_declined": basket.bag_declined,
        "campaign_plan": basket.campaign_plan,
        "member": member_id,
        "points_used": points_used,
    }
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def _bad(message, field: str | None = None) -> DomainError:
    return DomainError(INVALID_BASKET, message, field=field)


def _validate(organization, branch, terminal, receipt_id, basket, member, points_used) -> None:
    if not receipt_id or len(receipt_id) > 64:
        raise DomainError(INVALID_RECEIPT, _("A receipt number (up to 64 characters) is required."), field="receipt_id")
    if branch.organization_id != organization.pk or terminal.organization_id != organization.pk:
        raise DomainError(WRONG_PLACE, _("Branch or terminal of another organization."), field="branch")
    if terminal.branch_id != branch.pk:
        raise DomainError(WRONG_PLACE, _("This terminal belongs to another branch."), field="terminal")
    if basket.occurred_at.tzinfo is None:
        raise _bad(_("The sale time must carry a time zone."), "occurred_at")
    if not basket.lines:
        raise _bad(_("A sale needs at least one line."), "lines")
    seen: set[int] = set()
    for line in basket.lines:
        if line.line_no in seen:
            raise _bad(_("Line numbers must be unique."), "lines")
        seen.add(line.line_no)
        if line.quantity <= 0 or line.unit_price < 0 or line.discount < 0:
            raise _bad(_("Quantities must be above zero; prices and discounts not negative."), "lines")
        if line.discount > line.quantity * line.unit_price:
            raise _bad(_("A line discount cannot exceed the line amount."), "lines")
    for name in ("bill_discount", "points_discount", "coupon_discount"):
        if getattr(basket, name) < 0:
            raise _bad(_("Discounts cannot be negative."), name)
    if not isinstance(points_used, int) or points_used < 0:
        raise _bad(_("Points used must be a whole number, not negative."), "points_used")
    if member is None:
        if points_used:
            raise DomainError(POINTS_WITHOUT_MEMBER, _("Only a member can pay with points."), field="points_used")
        return
    if member.organization_id != organization.pk:
        raise DomainError(WRONG_PLACE, _("Member of another organization."), field="member")
    if member.status in INACTIVE_STATUSES:
        raise DomainError(MEMBER_INACTIVE, _("This membership is not active."), field="member")


def _line_rows(organization_id: int, basket: engine.Basket) -> tuple[list[SaleLine], Decimal]:
    rows, gross = [], Decimal("0")
    for ln in sorted(basket.lines, key=lambda x: x.line_no):
        amount = money(ln.quantity * ln.unit_price)
        gross += amount
        rows.append(
            SaleLine(
                organization_id=organization_id,
                line_no=ln.line_no,
                sku=ln.sku[:64],
                category=ln.category[:64],
                brand=ln.brand[:64],
                quantity=ln.quantity,
                unit_price=ln.unit_price,
                discount=money(ln.discount),
                net=money(amount - ln.discount),
            )
        )
    return rows, gross


# ---------------------------------------------------------------- member context


def _member_context(member, account: PointAccount, occurred_at: dt.datetime, tz_name: str) -> engine.MemberContext:
    member_type = member.member_type
    return engine.MemberContext(
        member_id=member.pk,
        member_type=member_type.code,
        tier=getattr(member, "tier_code", "") or "",
        birth_on=member.birth_on,
        card_expired=bool(member.expires_on and member.expires_on < local_date(occurred_at, tz_name)),
        can_earn=member_type.can_earn,
        is_first_purchase=account.sale_count == 0,
        referred_by_member_id=member.referred_by_id if member.referred_by_id != member.pk else None,
    )


def _context_json(ctx: engine.MemberContext) -> dict[str, Any]:
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


def _context_from_json(data: dict[str, Any] | None) -> engine.MemberContext:
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


def _account_id(organization_id: int, member_id: int) -> int:
    account, _ = PointAccount.objects.get_or_create(organization_id=organization_id, member_id=member_id)
    return account.pk


# ---------------------------------------------------------------- sale_post


def sale_post(
    *,
    organization,
    branch,
    terminal,
    receipt_id: str,
    basket: engine.Basket,
    member=None,
    actor: Actor,
    points_used: int = 0,
    now: dt.datetime | None = None,
) -> SalePostResult:
    """Store the sale and post the points it earns (and the points paid with, if any).

    Idempotent on (organization, branch, terminal, receipt_id): the same body again returns the
    stored result and posts nothing; another body under the same receipt → ``receipt_conflict``.
    """
    receipt_id = (receipt_id or "").strip()
    _validate(organization, branch, terminal, receipt_id, basket, member, points_used)
    body_hash = _body_hash(basket, member.pk if member else None, points_used)
    args = dict(
        organization=organization, branch=branch, terminal=terminal, receipt_id=receipt_id, basket=basket,
        member=member, actor=actor, points_used=points_used, now=now or timezone.now(), body_hash=body_hash,
    )
    try:
        try:
            return _sale_post_tx(**args, lock_referrer=False)
        except _Relock:
            return _sale_post_tx(**args, lock_referrer=True)
    except IntegrityError:
        existing = Sale.objects.filter(
            organization=organization, branch=branch, terminal=terminal, receipt_id=receipt_id
        ).first()
        if existing is None:
            raise
        if existing.body_hash != body_hash:
            raise Conflict(
                RECEIPT_CONFLICT, _("This receipt number was already posted with different content."), field="receipt_id"
            ) from None
        return _stored_result(existing)


def _stored_result(sale: Sale) -> SalePostResult:
    account = PointAccount.objects.filter(pk=sale.account_id).first() if sale.account_id else None
    return SalePostResult(
        sale=sale,
        created=False,
        points_earned=sale.points_earned,
        referrer_points=sale.referrer_points,
        points_used=sale.points_used,
        awards=sale.explanation.get("awards", []),
        spendable=account.spendable if account else None,
        pending=account.pending if account else None,
        debt=account.debt if account else None,
        account=account,
    )


@transaction.atomic
def _sale_post_tx(
    *, organization, branch, terminal, receipt_id, basket, member, actor: Actor, points_used: int,
    now: dt.datetime, body_hash: str, lock_referrer: bool,
) -> SalePostResult:
    tz_name = organization.time_zone
    account = ref_account = None
    referrer_id = member.referred_by_id if member is not None and member.referred_by_id != member.pk else None
    if member is None:
        ctx = engine.MemberContext(member_id=None)
    else:
        if lock_referrer and referrer_id:
            own_id = _account_id(organization.pk, member.pk)
            ref_id = _account_id(organization.pk, referrer_id)
            locked = lock_accounts([own_id, ref_id])
            account, ref_account = locked[own_id], locked[ref_id]
        else:
            account = lock_account_for_member(organization_id=organization.pk, member_id=member.pk)
        ctx = _member_context(member, account, basket.occurred_at, tz_name)
    result = engine.compute(basket, ctx, _ruleset(organization.pk), tz=zone(tz_name))
    member_points = result.member_points if member is not None else 0
    referrer_points = result.referrer_points if referrer_id else 0
    if referrer_points and ref_account is None:
        ref_id = _account_id(organization.pk, referrer_id)
        if ref_id < account.pk:
            raise _Relock
        ref_account = lock_account(ref_id)

    lines, gross = _line_rows(organization.pk, basket)
    line_discounts = sum((ln.discount for ln in lines), Decimal("0"))
    bill_level = money(basket.bill_discount) + money(basket.coupon_discount) + money(basket.points_discount)
    awards = [award_json(a) for a in result.awards]
    sale = Sale.objects.create(
        organization=organization,
        branch=branch,
        terminal=terminal,
        receipt_id=receipt_id,
        document_type=basket.document_type,
        occurred_at=basket.occurred_at,
        recorded_at=now,
        member=member,
        account=account,
        member_type_code=ctx.member_type,
        salesperson=basket.salesperson[:64],
        campaign_plan=basket.campaign_plan[:40],
        bag_declined=basket.bag_declined,
        gross=gross,
        discounts=line_discounts + bill_level,
        bill_discount=money(basket.bill_discount),
        coupon_discount=money(basket.coupon_discount),
        points_discount=money(basket.points_discount),
        net=gross - line_discounts - bill_level,
        eligible_net=money(result.eligible_net),
        points_earned=member_points,
        referrer_points=referrer_points,
        points_used=points_used,
        donation=money(result.donation),
        explanation={"awards": awards, "context": _context_json(ctx), "extra_discount": str(result.extra_discount)},
        body_hash=body_hash,
        actor_label=actor.label[:200],
        staff_user_id=actor.user_id,
    )
    for line in lines:
        line.sale = sale
    SaleLine.objects.bulk_create(lines)

    if account is not None:
        settings = settings_of(account.organization)
        where = dict(
            sale=sale, branch=branch, terminal=terminal, source_type="sale", source_id=receipt_id,
            staff_user_id=actor.user_id, actor_label=actor.label[:200],
        )
        today = local_date(now, tz_name)
        spend = dict(kind=Entry.Kind.PURCHASE, amount=points_used, now=now, today=today, occurred_at=basket.occurred_at, **where)
        if points_used and not settings.allow_same_sale_spend:
            core.debit(account, **spend)
        earn_entry = None
        if member_points:
            expires_on, pending_until = lot_dates(settings, basket.occurred_at, tz_name, pending=True)
            earn_entry = core.credit(
                account, kind=Entry.Kind.EARN, amount=member_points, now=now, occurred_at=basket.occurred_at,
                expires_on=expires_on, pending_until=pending_until,
                explanation={"awards": [a for a in awards if a["beneficiary"] == "member"],
                             "eligible_net": str(result.eligible_net)},
                **where,
            )
            account.lifetime_earned += member_points
        if points_used and settings.allow_same_sale_spend:
            first = frozenset({earn_entry.pk}) if earn_entry else frozenset()
            core.debit(account, first_entry_ids=first, **spend)
        account.sale_count += 1
        core.save_balances(account, "sale_count")
        if referrer_points:
            expires_on, pending_until = lot_dates(settings, basket.occurred_at, tz_name, pending=True)
            core.credit(
                ref_account, kind=Entry.Kind.EARN, amount=referrer_points, now=now, occurred_at=basket.occurred_at,
                expires_on=expires_on, pending_until=pending_until,
                explanation={"awards": [a for a in awards if a["beneficiary"] == "referrer"], "referred_member_id": member.pk},
                **where,
            )
            ref_account.lifetime_earned += referrer_points
            core.save_balances(ref_account)
    return SalePostResult(
        sale=sale, created=True, points_earned=member_points, referrer_points=referrer_points,
        points_used=points_used, awards=awards,
        spendable=account.spendable if account else None,
        pending=account.pending if account else None,
        debt=account.debt if account else None,
        account=account,
    )


# ---------------------------------------------------------------- returns and voids


def _remaining_basket(sale: Sale, lines: list[SaleLine], returned: dict[int, Decimal]) -> tuple[engine.Basket, Decimal, Decimal]:
    """The sale as it stands after ``returned`` (cumulative quantities per line number), plus the
    net value kept and the total net value. Line and bill-level discounts shrink in proportion."""
    total = sum((ln.net for ln in lines), Decimal("0"))
    kept_lines, kept = [], Decimal("0")
    for ln in lines:
        qty = ln.quantity - returned.get(ln.line_no, Decimal("0"))
        if qty <= 0:
            continue
        share = qty / ln.quantity
        kept += ln.net * share
        kept_lines.append(
            engine.BasketLine(
                line_no=ln.line_no, sku=ln.sku, quantity=qty, unit_price=ln.unit_price,
                discount=money(ln.discount * share), category=ln.category, brand=ln.brand,
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
        bill_discount=money(sale.bill_discount * ratio),
        points_discount=money(sale.points_discount * ratio),
        coupon_discount=money(sale.coupon_discount * ratio),
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
    where = dict(
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


def _previous(sale: Sale) -> dict[str, int]:
    sums = sale.returns.aggregate(
        member=Sum("points_reversed"), referrer=Sum("referrer_points_reversed"), refunded=Sum("points_refunded")
    )
    return {k: v or 0 for k, v in sums.items()}


def _return_hash(lines: dict[int, Decimal]) -> str:
    body = sorted((int(k), _dec(Decimal(v))) for k, v in lines.items())
    return hashlib.sha256(json.dumps(body).encode()).hexdigest()


def sale_return(
    *,
    sale: Sale,
    lines: dict[int, Decimal | int],
    actor: Actor,
    return_id: str,
    reason: str = "",
    now: dt.datetime | None = None,
) -> SaleReturn:
    """Return ``lines`` ({line_no: quantity}) of ``sale``.

    The engine recomputes the sale without every quantity returned so far (original time, the
    rules as they are now); the points the sale earned minus that recomputation, less what earlier
    returns already took back, are reversed — never more than the sale earned in total. Points paid
    with on the sale come back in proportion to the net value returned (all of them on a full
    return). A shortfall becomes debt or is forgiven, by the organization's policy. Idempotent per
    ``return_id``.
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
        basket, kept, total = _remaining_basket(sale, sale_lines, cumulative)
        fully = not basket.lines
        prev = _previous(sale)
        if sale.points_earned or sale.referrer_points:
            ctx = _context_from_json(sale.explanation.get("context"))
            result = engine.compute(basket, ctx, _ruleset(sale.organization_id), tz=zone(sale.organization.time_zone))
            now_member, now_referrer = result.member_points, result.referrer_points
        else:
            now_member = now_referrer = 0
        target_member = sale.points_earned if fully else min(sale.points_earned, max(0, sale.points_earned - now_member))
        target_referrer = sale.referrer_points if fully else min(sale.referrer_points, max(0, sale.referrer_points - now_referrer))
        target_refund = sale.points_used if fully else (
            math.floor(sale.points_used * (total - kept) / total) if total else 0
        )
        returned_net = money(sum((by_no[no].net * qty / by_no[no].quantity for no, qty in wanted.items()), Decimal("0")))
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
                quantity=qty, net=money(by_no[no].net * qty / by_no[no].quantity),
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
