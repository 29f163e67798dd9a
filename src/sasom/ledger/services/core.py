"""Lot arithmetic shared by every service. Callers hold the account lock (see ``locking``).

Credits pay debt first, then open a lot. Debits draw lots in *spending order*:

1. lots named in ``first_entry_ids`` (a reversal takes back the sale's own lot first);
2. spendable lots, soonest ``expires_on`` first, lots that never expire last, then oldest
   ``earned_at``, then lowest id;
3. pending lots in the same order — only for reversals (``include_pending``).

Before drawing, lots already past their expiry (``expires_on`` < local today) are expired in the
same transaction, so an expired point is never spent even if the nightly job has not run yet.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

from django.utils.translation import gettext_lazy as _

from sasom.core.errors import DomainError
from sasom.core.events import event_record
from sasom.ledger.errors import INSUFFICIENT_POINTS  # noqa: F401
from sasom.ledger.models import Entry, Lot, LotDraw, PointAccount, ShortfallPolicy
from sasom.members.models import Member

REFUSE = "refuse"

_FAR = dt.date.max


def spending_key(
    lot: Lot, first_entry_ids: frozenset[int] = frozenset()
) -> tuple[int, int, dt.date, dt.datetime, int]:
    return (
        0 if lot.entry_id in first_entry_ids else 1,
        1 if lot.is_pending else 0,
        lot.expires_on or _FAR,
        lot.earned_at,
        lot.pk,
    )


# Which event an entry records (core.events.KINDS).
_EVENT_OF_KIND: dict[str, str] = {
    Entry.Kind.EARN: "points.earned",
    Entry.Kind.REDEEM: "points.redeemed",
    Entry.Kind.PURCHASE: "points.redeemed",
    Entry.Kind.EXPIRE: "points.expired",
    Entry.Kind.RETURN: "points.reversed",
    Entry.Kind.VOID: "points.reversed",
    Entry.Kind.REVERSE: "points.reversed",
    Entry.Kind.ADJUST: "points.adjusted",
}


class Balances(Protocol):
    """What an entry's event reads of its account: whose it is and the balances the entry left."""

    @property
    def member_id(self) -> int: ...
    @property
    def spendable(self) -> int: ...
    @property
    def pending(self) -> int: ...
    @property
    def debt(self) -> int: ...


def announce(entry: Entry, account: Balances) -> None:
    """Record the event of ``entry`` (inside the posting's transaction: an entry that rolls back is
    never announced). Costs nothing when no subscriber wants it (``core.events.event_record``)."""
    kind = _EVENT_OF_KIND.get(entry.kind, "points.earned" if entry.sign > 0 else "points.reversed")

    def payload() -> dict[str, Any]:
        return {
            "entry_id": entry.pk,
            "kind": entry.kind,
            "points": entry.sign * entry.amount,
            "member": Member.objects.filter(pk=account.member_id).values_list("code", flat=True).first(),
            "sale_id": entry.sale_id,
            "occurred_at": entry.occurred_at,
            "balance": {"spendable": account.spendable, "pending": account.pending, "debt": account.debt},
        }

    event_record(organization_id=entry.organization_id, kind=kind, payload=payload, occurred_at=entry.occurred_at)


def credit(
    account: PointAccount,
    *,
    kind: str,
    amount: int,
    now: dt.datetime,
    occurred_at: dt.datetime,
    expires_on: dt.date | None,
    pending_until: dt.datetime | None = None,
    portions: list[tuple[int, dt.date | None]] | None = None,
    **fields: Any,
) -> Entry:
    """Credit ``amount`` points: pay the account's debt first, put the rest in a new lot — or in
    one lot per ``(points, expires_on)`` portion (points given back keep their lots' expiry)."""
    assert amount > 0
    paid = min(account.debt, amount)
    entry = Entry(
        organization_id=account.organization_id,
        account=account,
        kind=kind,
        sign=1,
        amount=amount,
        debt_delta=-paid,
        occurred_at=occurred_at,
        recorded_at=now,
        **fields,
    )
    if paid:
        entry.explanation = {**(entry.explanation or {}), "debt_paid": paid}
    entry.save()
    account.debt -= paid
    if portions is None:
        portions = [(amount, expires_on)]
    assert sum(p for p, _d in portions) == amount
    is_pending = pending_until is not None and pending_until > now
    to_pay, lots = paid, []
    for points, expiry in portions:
        skip = min(to_pay, points)
        to_pay -= skip
        if points - skip > 0:
            lots.append(
                Lot(
                    organization_id=account.organization_id,
                    account=account,
                    entry=entry,
                    amount=points - skip,
                    remaining=points - skip,
                    earned_at=occurred_at,
                    expires_on=expiry,
                    pending_until=pending_until if is_pending else None,
                    is_pending=is_pending,
                )
            )
    if lots:
        Lot.objects.bulk_create(lots)
        rest = amount - paid
        if is_pending:
            account.pending += rest
        else:
            account.spendable += rest
    announce(entry, account)
    return entry


def give_back_portions(spend: Entry, points: int, already: int) -> list[tuple[int, dt.date | None]]:
    """Which lots' expiry ``points`` given back from debit ``spend`` keep, when ``already`` were
    given back before: the draws latest-expiring first (the member keeps the longest-lived points
    first), each portion keeping its lot's own ``expires_on``."""
    draws = list(LotDraw.objects.filter(entry=spend).select_related("lot").order_by("-id"))
    out: list[tuple[int, dt.date | None]] = []
    skip, left = already, points
    for draw in draws:
        take_from = draw.amount
        if skip:
            used = min(skip, take_from)
            skip -= used
            take_from -= used
        if take_from and left:
            give = min(take_from, left)
            left -= give
            out.append((give, draw.lot.expires_on))
    if left:  # a spend without draws (should not happen): no expiry
        out.append((left, None))
    return out


def open_lots(account: PointAccount) -> list[Lot]:
    return list(Lot.objects.filter(account=account, remaining__gt=0))


def expire_lots(account: PointAccount, lots: list[Lot], *, today: dt.date, now: dt.datetime) -> Entry | None:
    """Expire every lot in ``lots`` whose ``expires_on`` < ``today``: one expire entry drawing
    each such lot to zero. Returns the entry (None when nothing was due)."""
    due = [lot for lot in lots if lot.remaining > 0 and lot.expires_on is not None and lot.expires_on < today]
    if not due:
        return None
    total = sum(lot.remaining for lot in due)
    entry = Entry.objects.create(
        organization_id=account.organization_id,
        account=account,
        kind=Entry.Kind.EXPIRE,
        sign=-1,
        amount=total,
        occurred_at=now,
        recorded_at=now,
        actor_label="system",
        explanation={"expired_on": today.isoformat(), "lots": [lot.pk for lot in due]},
    )
    draws = []
    for lot in due:
        draws.append(LotDraw(organization_id=account.organization_id, entry=entry, lot=lot, amount=lot.remaining))
        if lot.is_pending:
            account.pending -= lot.remaining
        else:
            account.spendable -= lot.remaining
        lot.remaining = 0
    LotDraw.objects.bulk_create(draws)
    Lot.objects.bulk_update(due, ["remaining"])
    announce(entry, account)
    return entry


def debit(
    account: PointAccount,
    *,
    kind: str,
    amount: int,
    now: dt.datetime,
    today: dt.date,
    occurred_at: dt.datetime,
    shortfall: str = REFUSE,
    include_pending: bool = False,
    first_entry_ids: frozenset[int] = frozenset(),
    lots: list[Lot] | None = None,
    **fields: Any,
) -> Entry | None:
    """Take ``amount`` points from the account's lots in spending order.

    ``shortfall`` decides what happens when the lots hold less than ``amount``: ``refuse``
    (DomainError ``insufficient_points``, nothing changed), ``debt`` (the rest becomes debt) or
    ``cap`` (take only what there is; None when there is nothing).
    """
    assert amount > 0
    if shortfall == REFUSE and not (include_pending or first_entry_ids) and account.spendable < amount:
        raise _insufficient(account, amount)
    lots = open_lots(account) if lots is None else lots
    expire_lots(account, lots, today=today, now=now)
    usable = [lot for lot in lots if lot.remaining > 0 and (include_pending or not lot.is_pending or lot.entry_id in first_entry_ids)]
    usable.sort(key=lambda lot: spending_key(lot, first_entry_ids))
    available = sum(lot.remaining for lot in usable)
    if shortfall == REFUSE and available < amount:
        raise _insufficient(account, amount)
    short = max(0, amount - available)
    take_total = amount - short
    if shortfall == ShortfallPolicy.CAP:
        amount, short = take_total, 0
        if amount == 0:
            return None
    entry = Entry(
        organization_id=account.organization_id,
        account=account,
        kind=kind,
        sign=-1,
        amount=amount,
        debt_delta=short,
        occurred_at=occurred_at,
        recorded_at=now,
        **fields,
    )
    if short:
        entry.explanation = {**(entry.explanation or {}), "debt_added": short}
    entry.save()
    account.debt += short
    draws, touched, left = [], [], take_total
    for lot in usable:
        if left == 0:
            break
        take = min(lot.remaining, left)
        left -= take
        lot.remaining -= take
        if lot.is_pending:
            account.pending -= take
        else:
            account.spendable -= take
        draws.append(LotDraw(organization_id=account.organization_id, entry=entry, lot=lot, amount=take))
        touched.append(lot)
    LotDraw.objects.bulk_create(draws)
    Lot.objects.bulk_update(touched, ["remaining"])
    announce(entry, account)
    return entry


def _insufficient(account: PointAccount, amount: int) -> DomainError:
    return DomainError(
        INSUFFICIENT_POINTS,
        _("Not enough points: %(have)s spendable, %(want)s needed.") % {"have": account.spendable, "want": amount},
        field="points",
    )


def save_balances(account: PointAccount, *extra: str) -> None:
    account.save(update_fields=["spendable", "pending", "debt", "lifetime_earned", "updated_at", *extra])
