"""Spending, manual adjustments, expiry and release of pending points."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sasom.core.audit import Actor, audit_record, diff, snapshot
from sasom.core.errors import DomainError, Forbidden
from sasom.core.permissions import staff_has
from sasom.ledger.errors import (  # noqa: F401
    IDEMPOTENCY_CONFLICT,
    INVALID_KIND,
    INVALID_POINTS,
    NOT_ALLOWED,
    REASON_REQUIRED,
)
from sasom.ledger.locking import lock_account, lock_account_for_member
from sasom.ledger.models import Entry, LedgerSettings, Lot, PointAccount
from sasom.ledger.policy import local_date, lot_dates, settings_of
from sasom.ledger.services import core
from sasom.ledger.services.expiry import EXPIRY_CHUNK, points_expire_due  # noqa: F401 (re-exported)
from sasom.members.models import Member
from sasom.organizations.models import Branch, Organization, Staff, Terminal

SPEND_KINDS = (Entry.Kind.REDEEM, Entry.Kind.PURCHASE)


def account_for(member: Member) -> PointAccount:
    """The member's account in the member's organization (created on first use)."""
    account, _ = PointAccount.objects.get_or_create(organization_id=member.organization_id, member=member)
    return account


def _actor_fields(actor: Actor) -> dict[str, Any]:
    return {"staff_user_id": actor.user_id, "actor_label": actor.label[:200]}


@transaction.atomic
def points_spend(
    *,
    account: PointAccount,
    points: int,
    kind: str = Entry.Kind.REDEEM,
    actor: Actor,
    source_type: str = "",
    source_id: str = "",
    idempotency_key: str | None = None,
    branch: Branch | None = None,
    terminal: Terminal | None = None,
    reason: str = "",
    now: dt.datetime | None = None,
) -> Entry:
    """Spend ``points`` from spendable lots, soonest expiry first; refuse ``insufficient_points``.

    With an ``idempotency_key`` a replay returns the entry already posted and spends nothing.
    """
    if not isinstance(points, int) or points <= 0:
        raise DomainError(INVALID_POINTS, _("Points must be a whole number above zero."), field="points")
    if kind not in SPEND_KINDS:
        raise DomainError(INVALID_KIND, _("Points can be spent only to redeem or to pay."), field="kind")
    now = now or timezone.now()
    account = lock_account(account.pk)
    if idempotency_key:
        done = Entry.objects.filter(organization_id=account.organization_id, idempotency_key=idempotency_key).first()
        if done is not None:
            if done.account_id != account.pk or done.amount != points or done.kind != kind:
                raise DomainError(IDEMPOTENCY_CONFLICT, _("This key was already used for another spend."))
            return done
    today = local_date(now, account.organization.time_zone)
    entry = core.debit(
        account,
        kind=kind,
        amount=points,
        now=now,
        today=today,
        occurred_at=now,
        source_type=source_type,
        source_id=source_id,
        idempotency_key=idempotency_key or None,
        branch=branch,
        terminal=terminal,
        reason=reason,
        **_actor_fields(actor),
    )
    assert entry is not None  # shortfall "refuse" raises instead of returning None
    core.save_balances(account)
    return entry


def ensure_actor_may(actor: Actor, organization_id: int, permission: str) -> None:
    """Scheduled jobs may; a staff user needs ``permission``; API keys may not adjust by hand."""
    if actor.kind == "system":
        return
    if actor.user_id is not None:
        staff = Staff.objects.filter(user_id=actor.user_id, organization_id=organization_id).first()
        if staff_has(staff, permission):
            return
    raise Forbidden(NOT_ALLOWED, _("Your role may not do this."))


@transaction.atomic
def points_adjust(
    *,
    account: PointAccount,
    points: int,
    reason: str,
    actor: Actor,
    now: dt.datetime | None = None,
) -> Entry:
    """A manual correction (+ credit / - debit) with a required reason; audited.

    A credit opens a lot with the organization's normal expiry counted from today; a debit spends
    like a redemption and never goes below zero.
    """
    if not isinstance(points, int) or points == 0:
        raise DomainError(INVALID_POINTS, _("Enter a whole number of points, not zero."), field="points")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(REASON_REQUIRED, _("A reason is required."), field="reason")
    ensure_actor_may(actor, account.organization_id, "points.adjust")
    now = now or timezone.now()
    account = lock_account(account.pk)
    org = account.organization
    fields = {"reason": reason, **_actor_fields(actor)}
    entry: Entry | None
    if points > 0:
        expires_on, _pending = lot_dates(settings_of(org), now, org, pending=False)
        entry = core.credit(
            account, kind=Entry.Kind.ADJUST, amount=points, now=now, occurred_at=now, expires_on=expires_on, **fields
        )
    else:
        entry = core.debit(
            account,
            kind=Entry.Kind.ADJUST,
            amount=-points,
            now=now,
            today=local_date(now, org.time_zone),
            occurred_at=now,
            **fields,
        )
        assert entry is not None  # shortfall "refuse" raises instead of returning None
    core.save_balances(account)
    audit_record(
        organization_id=account.organization_id,
        actor=actor,
        action="points.adjust",
        obj=account,
        changes={"points": [None, points], "spendable": [None, account.spendable]},
        reason=reason,
    )
    return entry


def points_release_pending(*, organization_id: int, now: dt.datetime | None = None) -> int:
    """Make pending lots spendable once their ``pending_until`` has passed. Returns the points.

    No entry is written: the points were already credited; only the bucket changes.
    """
    now = now or timezone.now()
    account_ids = (
        Lot.objects.filter(organization_id=organization_id, is_pending=True, pending_until__lte=now)
        .values_list("account_id", flat=True)
        .distinct()
    )
    total = 0
    for account_id in sorted(set(account_ids)):
        with transaction.atomic():
            account = lock_account(account_id)
            lots = list(Lot.objects.filter(account=account, is_pending=True, pending_until__lte=now))
            moved = sum(lot.remaining for lot in lots)
            Lot.objects.filter(pk__in=[lot.pk for lot in lots]).update(is_pending=False)
            account.pending -= moved
            account.spendable += moved
            total += moved
            core.save_balances(account)
    return total


def locked_member_account(member: Member) -> PointAccount:
    return lock_account_for_member(organization_id=member.organization_id, member_id=member.pk)


SETTINGS_FIELDS = ("expiry_policy", "expiry_n", "pending_days", "allow_same_sale_spend", "return_shortfall")


@transaction.atomic
def ledger_settings_update(*, organization: Organization, actor: Actor, **values: Any) -> LedgerSettings:
    """Change the organization's points policy (audited). New values apply to points credited
    from now on; existing lots keep their dates."""
    row, _created = LedgerSettings.objects.select_for_update().get_or_create(organization=organization)
    before = snapshot(row, list(SETTINGS_FIELDS))
    for name in SETTINGS_FIELDS:
        if name in values:
            setattr(row, name, values[name])
    row.full_clean(exclude=["organization"])
    row.save()
    audit_record(
        organization_id=organization.pk, actor=actor, action="points.settings", obj=row,
        changes=diff(before, snapshot(row, list(SETTINGS_FIELDS))),
    )
    return row
