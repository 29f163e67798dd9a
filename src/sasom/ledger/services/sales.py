"""Posting a sale (DOMAIN.md 2, 4, 6): the ORM writer of a :class:`~sasom.ledger.plan.SalePlan`.

The post path is one transaction: lock the member's account row (one query, which also brings
the organization and its points settings), compute the awards with the earning engine, build the
plan from the account as locked (:func:`plan_of`), then persist it: the sale, its lines (one bulk
insert), the points paid with, the earn entry and its lot, the referrer's earn, the cached
balance. A replay of the same receipt hits the unique key (organization, branch, terminal,
receipt_id): the transaction rolls back and the stored result is returned.

Returns and voids are in ``ledger.services.returns``; the one-call PostgreSQL writer in
``fastpost``, the set-based writer of batches in ``bulk``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sasom.core.audit import Actor
from sasom.core.errors import Conflict, DomainError
from sasom.core.events import SALE_POSTED, event_record
from sasom.core.money import money  # noqa: F401  (re-exported: ledger.services.money)
from sasom.earning import engine
from sasom.earning.selectors import ruleset_for
from sasom.ledger.errors import (
    INVALID_BASKET,
    INVALID_RECEIPT,
    MEMBER_INACTIVE,
    POINTS_WITHOUT_MEMBER,
    RECEIPT_CONFLICT,
    WRONG_PLACE,
)
from sasom.ledger.locking import lock_account, lock_account_for_member, lock_accounts
from sasom.ledger.models import Entry, LedgerSettings, Lot, PointAccount, Sale, SaleLine
from sasom.ledger.plan import SalePlan, award_json, body_hash, sale_plan
from sasom.ledger.policy import local_date, lot_dates, settings_of, zone
from sasom.ledger.services import core
from sasom.ledger.services.promotion_uses import uses_write
from sasom.ledger.services.tiering import TierPre, member_tier_code, referrer_tier, tier_after_sale

INACTIVE_STATUSES = frozenset({"suspended", "closed", "anonymized"})

__all__ = ["SalePostResult", "award_json", "member_context", "plan_of", "sale_post", "sale_validate"]


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


# ---------------------------------------------------------------- validation


# The receipt-id grammar (docs/api.md): 1 to 64 characters, segments of letters, digits and
# . _ - : # separated by single "/" (day-end batches post "tax_invoice/INV-004"), the last segment
# not one of the words the sales API puts after a receipt id in a path.
_RECEIPT_ID = re.compile(r"[A-Za-z0-9._:#-]+(?:/[A-Za-z0-9._:#-]+)*")
_RESERVED_LAST = frozenset({"returns", "void", "quote"})
RECEIPT_ID_RULE = _("A receipt number is 1 to 64 letters, digits or . _ - : #, in parts joined by "
                               "single /, not ending in /returns, /void or /quote.")


def receipt_id_valid(value: str) -> bool:
    return (0 < len(value) <= 64 and _RECEIPT_ID.fullmatch(value) is not None
            and value.rsplit("/", 1)[-1] not in _RESERVED_LAST)


def _bad(message: Any, field: str | None = None) -> DomainError:
    return DomainError(INVALID_BASKET, message, field=field)


def sale_validate(organization: Any, branch: Any, terminal: Any, receipt_id: str, basket: engine.Basket,
                  member: Any, points_used: int) -> None:
    """Refuse a sale that cannot be posted (every writer calls this first)."""
    if not receipt_id_valid(receipt_id):
        raise DomainError(INVALID_RECEIPT, RECEIPT_ID_RULE, field="receipt_id")
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


# ---------------------------------------------------------------- the plan


def member_context(member: Any, account: PointAccount, occurred_at: dt.datetime, tz_name: str) -> engine.MemberContext:
    """What the earning engine knows of the member, from the member and the account as read."""
    member_type = member.member_type
    return engine.MemberContext(
        member_id=member.pk,
        member_type=member_type.code,
        tier=member_tier_code(member.organization_id, member),
        birth_on=member.birth_on,
        card_expired=bool(member.expires_on and member.expires_on < local_date(occurred_at, tz_name)),
        can_earn=member_type.can_earn,
        is_first_purchase=account.sale_count == 0,
        referred_by_member_id=member.referred_by_id if member.referred_by_id != member.pk else None,
    )


def rules_of(organization_id: int) -> Any:
    """The organization's compiled earning rules (the one seam every posting path reads them
    through; tests replace it)."""
    return ruleset_for(organization_id)


def referrer_of(member: Any) -> int | None:
    return member.referred_by_id if member is not None and member.referred_by_id != member.pk else None


def plan_of(
    *, organization: Any, branch: Any, terminal: Any, receipt_id: str, basket: engine.Basket, member: Any,
    account: PointAccount | None, settings: LedgerSettings | None, actor: Actor, now: dt.datetime, hashed: str,
    points_used: int = 0, ruleset: Any = None,
) -> tuple[SalePlan, engine.EarnResult]:
    """Run the earning engine on the member's context as ``account`` shows it (None: no member,
    or a member without an account yet) and build the plan every writer persists."""
    tz_name = organization.time_zone
    if member is None:
        ctx = engine.MemberContext(member_id=None)
    else:
        probe = account if account is not None else PointAccount(organization_id=organization.pk, member_id=member.pk)
        ctx = member_context(member, probe, basket.occurred_at, tz_name)
    rules = ruleset if ruleset is not None else rules_of(organization.pk)
    result = engine.compute(basket, ctx, rules, tz=zone(tz_name))
    dates: tuple[dt.date | None, dt.datetime | None] = (None, None)
    if member is not None and settings is not None and (result.member_points or result.referrer_points):
        dates = lot_dates(settings, basket.occurred_at, organization, pending=True)
    plan = sale_plan(
        organization_id=organization.pk, branch_id=branch.pk, terminal_id=terminal.pk, receipt_id=receipt_id,
        basket=basket, member_id=member.pk if member is not None else None, context=ctx, result=result,
        account_first_purchase=(account is None or account.sale_count == 0) if member is not None else None,
        account_debt=account.debt if account is not None else 0, lot_dates=dates, now=now,
        actor_label=actor.label, staff_user_id=actor.user_id, hashed=hashed, points_used=points_used,
        spend_after_earn=bool(points_used and settings is not None and settings.allow_same_sale_spend),
        referrer_id=referrer_of(member), currency=getattr(rules, "currency", "THB"),
    )
    return plan, result


def sale_announce(plan: SalePlan, *, sale_id: int, branch_code: str, terminal_code: str,
                  member_code: str | None, tier_pre: TierPre | None = None, tier_step: bool = True) -> None:
    """Record ``sale.posted`` (every writer, once per sale, in its transaction); the earning may raise the tier
    (``tier_step``: off for the bulk writer, which moves a chunk's tiers set-based)."""
    row = plan.sale

    def payload() -> dict[str, Any]:
        return {
            "sale_id": sale_id, "receipt_id": row.receipt_id, "branch": branch_code, "terminal": terminal_code,
            "member": member_code, "member_type": row.member_type_code, "document_type": row.document_type,
            "occurred_at": row.occurred_at, "gross": row.gross, "net": row.net, "eligible_net": row.eligible_net,
            "points_earned": row.points_earned, "points_used": row.points_used,
        }

    event_record(organization_id=row.organization_id, kind=SALE_POSTED, payload=payload, occurred_at=row.occurred_at)
    if tier_step:
        tier_after_sale(plan, sale_id=sale_id, member_code=member_code, pre=tier_pre)


# ---------------------------------------------------------------- sale_post (the ORM writer)


def _account_id(organization_id: int, member_id: int) -> int:
    account, _created = PointAccount.objects.get_or_create(organization_id=organization_id, member_id=member_id)
    return account.pk


def sale_post(
    *, organization: Any, branch: Any, terminal: Any, receipt_id: str, basket: engine.Basket, member: Any = None,
    actor: Actor, points_used: int = 0, now: dt.datetime | None = None,
) -> SalePostResult:
    """Store the sale and post the points it earns (and the points paid with, if any).

    Idempotent on (organization, branch, terminal, receipt_id): the same body again returns the
    stored result and posts nothing; another body under the same receipt → ``receipt_conflict``.
    """
    receipt_id = (receipt_id or "").strip()
    sale_validate(organization, branch, terminal, receipt_id, basket, member, points_used)
    hashed = body_hash(basket, member.pk if member else None, points_used)
    args = dict(
        organization=organization, branch=branch, terminal=terminal, receipt_id=receipt_id, basket=basket,
        member=member, actor=actor, points_used=points_used, now=now or timezone.now(), hashed=hashed,
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
        if existing.body_hash != hashed:
            raise receipt_conflict() from None
        return stored_result(existing)


def receipt_conflict() -> Conflict:
    return Conflict(
        RECEIPT_CONFLICT, _("This receipt number was already posted with different content."), field="receipt_id"
    )


def stored_result(sale: Sale) -> SalePostResult:
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
    *, organization: Any, branch: Any, terminal: Any, receipt_id: str, basket: engine.Basket, member: Any,
    actor: Actor, points_used: int, now: dt.datetime, hashed: str, lock_referrer: bool,
) -> SalePostResult:
    account = ref_account = None
    referrer_id = referrer_of(member)
    if member is not None:
        if lock_referrer and referrer_id:
            own_id = _account_id(organization.pk, member.pk)
            ref_id = _account_id(organization.pk, referrer_id)
            locked = lock_accounts([own_id, ref_id])
            account, ref_account = locked[own_id], locked[ref_id]
        else:
            account = lock_account_for_member(organization_id=organization.pk, member_id=member.pk)
    settings = settings_of(account.organization) if account is not None else None
    plan, _result = plan_of(
        organization=organization, branch=branch, terminal=terminal, receipt_id=receipt_id, basket=basket,
        member=member, account=account, settings=settings, actor=actor, now=now, hashed=hashed,
        points_used=points_used,
    )
    if plan.referrer_earn is not None and ref_account is None:
        assert account is not None and referrer_id is not None
        ref_id = _account_id(organization.pk, referrer_id)
        if ref_id < account.pk:
            raise _Relock
        ref_account = lock_account(ref_id)
    sale = plan_write(plan, organization=organization, branch=branch, terminal=terminal, member=member,
                      account=account, ref_account=ref_account, settings=settings)
    return SalePostResult(
        sale=sale, created=True, points_earned=plan.sale.points_earned, referrer_points=plan.sale.referrer_points,
        points_used=points_used, awards=list(plan.awards),
        spendable=account.spendable if account else None,
        pending=account.pending if account else None,
        debt=account.debt if account else None,
        account=account,
    )


# ---------------------------------------------------------------- the plan's rows as model objects
# (unsaved; each writer saves them its own way: one by one, in bulk, or only to answer from)


def sale_object(plan: SalePlan, *, organization: Any, branch: Any, terminal: Any, member: Any,
                account: PointAccount | None) -> Sale:
    row = plan.sale
    fields = {f: getattr(row, f) for f in row.__slots__
              if f not in ("organization_id", "branch_id", "terminal_id", "member_id")}
    return Sale(organization=organization, branch=branch, terminal=terminal, member=member, account=account, **fields)


def line_objects(plan: SalePlan, sale: Sale) -> list[SaleLine]:
    return [SaleLine(organization_id=plan.sale.organization_id, sale=sale, **{f: getattr(ln, f) for f in ln.__slots__})
            for ln in plan.lines]


def earn_objects(plan: SalePlan, *, account: PointAccount | None, sale: Sale, branch: Any, terminal: Any
                 ) -> tuple[Entry, Lot | None]:
    """The earn entry of ``plan.earn`` and its lot (none when the account's debt took every point)."""
    earn, row = plan.earn, plan.sale
    assert earn is not None
    entry = Entry(
        organization_id=row.organization_id, account=account, kind=Entry.Kind.EARN, sign=1, amount=earn.amount,
        debt_delta=-earn.debt_paid, occurred_at=row.occurred_at, recorded_at=row.recorded_at, sale=sale,
        branch=branch, terminal=terminal, source_type="sale", source_id=row.receipt_id,
        staff_user_id=row.staff_user_id, actor_label=row.actor_label, explanation=earn.explanation,
    )
    lot = None
    if earn.lot_amount:
        lot = Lot(
            organization_id=row.organization_id, account=account, entry=entry, amount=earn.lot_amount,
            remaining=earn.lot_amount, earned_at=row.occurred_at, expires_on=earn.expires_on,
            pending_until=earn.pending_until, is_pending=earn.is_pending,
        )
    return entry, lot


def plan_write(plan: SalePlan, *, organization: Any, branch: Any, terminal: Any, member: Any,
               account: PointAccount | None, ref_account: PointAccount | None,
               settings: LedgerSettings | None) -> Sale:
    """Persist ``plan`` with the ORM. The caller holds the transaction and the accounts' locks
    (the plan was built from ``account`` as locked)."""
    row = plan.sale
    sale = sale_object(plan, organization=organization, branch=branch, terminal=terminal, member=member,
                       account=account)
    sale.save(force_insert=True)
    SaleLine.objects.bulk_create(line_objects(plan, sale))
    uses_write([(plan, sale.pk)])
    sale_announce(plan, sale_id=sale.pk, branch_code=branch.code, terminal_code=terminal.code,
                  member_code=member.code if member is not None else None)
    if account is None:
        return sale
    where = dict(
        sale=sale, branch=branch, terminal=terminal, source_type="sale", source_id=row.receipt_id,
        staff_user_id=row.staff_user_id, actor_label=row.actor_label,
    )
    now = row.recorded_at
    today = local_date(now, organization.time_zone)
    spend = dict(kind=Entry.Kind.PURCHASE, amount=plan.points_used, now=now, today=today,
                 occurred_at=row.occurred_at, **where)
    if plan.points_used and not plan.spend_after_earn:
        core.debit(account, **spend)
    earn_entry = None
    if plan.earn is not None:
        earn_entry, lot = earn_objects(plan, account=account, sale=sale, branch=branch, terminal=terminal)
        earn_entry.save(force_insert=True)
        if lot is not None:
            lot.entry = earn_entry
            lot.save(force_insert=True)
    account.spendable += plan.delta.spendable
    account.pending += plan.delta.pending
    account.debt += plan.delta.debt
    account.lifetime_earned += plan.delta.lifetime_earned
    account.sale_count += plan.delta.sale_count
    if earn_entry is not None:
        core.announce(earn_entry, account)
    if plan.points_used and plan.spend_after_earn:
        first = frozenset({earn_entry.pk}) if earn_entry else frozenset()
        core.debit(account, first_entry_ids=first, **spend)
    core.save_balances(account, "sale_count")
    if (ref := plan.referrer_earn) is not None:
        assert ref_account is not None and settings is not None
        core.credit(
            ref_account, kind=Entry.Kind.EARN, amount=ref.amount, now=now, occurred_at=row.occurred_at,
            expires_on=ref.expires_on, pending_until=ref.pending_until, explanation=ref.explanation, **where,
        )
        ref_account.lifetime_earned += ref.amount
        core.save_balances(ref_account)
        referrer_tier(plan, sale_id=sale.pk)  # the referrer's tier, as a sale raises the member's
    return sale
