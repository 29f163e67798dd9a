"""Corrections the rewards app needs: give back a spend, buy points, reverse a credit."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sasom.core.audit import Actor
from sasom.core.errors import DomainError, NotFound
from sasom.ledger.errors import ALREADY_REVERSED, ENTRY_NOT_FOUND, OVER_REVERSAL  # noqa: F401
from sasom.ledger.locking import lock_account
from sasom.ledger.models import Entry, PointAccount
from sasom.ledger.policy import local_date, lot_dates, settings_of
from sasom.ledger.services import core
from sasom.organizations.models import Branch


def _entry_of(account: PointAccount, entry_id: int, kinds: tuple[str, ...]) -> Entry:
    entry = Entry.objects.filter(pk=entry_id, account=account, kind__in=kinds).first()
    if entry is None:
        raise NotFound(ENTRY_NOT_FOUND, _("No such points entry on this account."))
    return entry


@transaction.atomic
def points_spend_reverse(
    *, account: PointAccount, entry_id: int, points: int | None = None, actor: Actor,
    source_type: str = "", source_id: str = "", reason: str = "", now: dt.datetime | None = None,
) -> Entry:
    """Give back ``points`` (all not yet given back when None) of a redeem/purchase entry.

    The points come back as new lots, one per lot the spend drew from, each keeping that lot's
    expiry (latest-expiring first on a partial give-back). Never more than was spent.
    """
    now = now or timezone.now()
    account = lock_account(account.pk)
    spend = _entry_of(account, entry_id, (Entry.Kind.REDEEM, Entry.Kind.PURCHASE))
    given = Entry.objects.filter(reverses=spend, sign=1).aggregate(s=Sum("amount"))["s"] or 0
    left = spend.amount - given
    points = left if points is None else points
    if points <= 0 or points > left:
        raise DomainError(OVER_REVERSAL, _("At most %(n)s points can be given back.") % {"n": left}, field="points")
    entry = core.credit(
        account, kind=Entry.Kind.REVERSE, amount=points, now=now, occurred_at=now, expires_on=None,
        portions=core.give_back_portions(spend, points, given),
        reverses=spend, source_type=source_type, source_id=source_id, reason=reason,
        staff_user_id=actor.user_id, actor_label=actor.label[:200],
    )
    core.save_balances(account)
    return entry


@transaction.atomic
def points_buy(
    *, account: PointAccount, points: int, actor: Actor, payment_reference: str, source_type: str = "",
    source_id: str = "", branch: Branch | None = None, now: dt.datetime | None = None,
) -> Entry:
    """Credit points bought for money (kind ``buy``): spendable at once, normal expiry."""
    if not isinstance(points, int) or points <= 0:
        raise DomainError("invalid_points", _("Points must be a whole number above zero."), field="points")
    now = now or timezone.now()
    account = lock_account(account.pk)
    org = account.organization
    expires_on, _pending = lot_dates(settings_of(org), now, org, pending=False)
    entry = core.credit(
        account, kind=Entry.Kind.BUY, amount=points, now=now, occurred_at=now, expires_on=expires_on,
        source_type=source_type, source_id=source_id, branch=branch,
        explanation={"payment_reference": payment_reference},
        staff_user_id=actor.user_id, actor_label=actor.label[:200],
    )
    core.save_balances(account)
    return entry


@transaction.atomic
def points_credit_reverse(
    *, account: PointAccount, entry_id: int, actor: Actor, source_type: str = "", source_id: str = "",
    reason: str = "", now: dt.datetime | None = None,
) -> Entry:
    """Take back a whole credit (bought or adjusted points), first from the lot it opened; a
    shortfall follows the organization's return policy (debt or cap). Once only."""
    now = now or timezone.now()
    account = lock_account(account.pk)
    credit = _entry_of(account, entry_id, (Entry.Kind.BUY, Entry.Kind.ADJUST))
    if credit.sign != 1:
        raise NotFound(ENTRY_NOT_FOUND, _("No such points entry on this account."))
    if Entry.objects.filter(reverses=credit, sign=-1).exists():
        raise DomainError(ALREADY_REVERSED, _("This entry was already reversed."))
    org = account.organization
    entry = core.debit(
        account, kind=Entry.Kind.REVERSE, amount=credit.amount, now=now, today=local_date(now, org.time_zone),
        occurred_at=now, shortfall=settings_of(org).return_shortfall, include_pending=True,
        first_entry_ids=frozenset({credit.pk}), reverses=credit, source_type=source_type, source_id=source_id,
        reason=reason, staff_user_id=actor.user_id, actor_label=actor.label[:200],
    )
    core.save_balances(account)
    if entry is None:  # cap policy and nothing left to take
        raise DomainError(ALREADY_REVERSED, _("Nothing left to take back."))
    return entry
