"""Reads: balances, history, lots, the daily list of sales."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from django.core.paginator import Page, Paginator
from django.db.models import F, QuerySet, Sum

from sasom.earning import engine
from sasom.ledger.models import Entry, Lot, PointAccount, Sale
from sasom.ledger.policy import local_date, lot_dates, settings_of, zone
from sasom.ledger.services.sales import member_context, rules_of
from sasom.members.models import Member
from sasom.organizations.models import Organization

if TYPE_CHECKING:
    from sasom.earning.engine import Basket, EarnResult


@dataclass(frozen=True)
class Balance:
    spendable: int = 0
    pending: int = 0
    lifetime_earned: int = 0
    debt: int = 0
    next_expiry_on: dt.date | None = None
    next_expiry_points: int = 0


def balance_after(*, organization: Organization, account: PointAccount | None, earned: int, used: int,
                  occurred_at: dt.datetime, now: dt.datetime) -> Balance:
    """The balance a sale would leave: ``used`` points spent, ``earned`` paying the debt first,
    the rest spendable or pending as the organization's pending days say (``ledger.plan``)."""
    debt = account.debt if account else 0
    paid = min(debt, earned)
    lot = earned - paid
    _expires, pending_until = lot_dates(settings_of(organization), occurred_at, organization, pending=True)
    pending = pending_until is not None and pending_until > now
    return Balance(
        spendable=(account.spendable if account else 0) - used + (0 if pending else lot),
        pending=(account.pending if account else 0) + (lot if pending else 0),
        lifetime_earned=(account.lifetime_earned if account else 0) + earned, debt=debt - paid,
    )


def account_of(member: Member) -> PointAccount | None:
    return PointAccount.objects.filter(organization_id=member.organization_id, member=member).first()


def balance_of(account: PointAccount | None) -> Balance:
    """Cached balances plus the points expiring next and when (two queries at most)."""
    if account is None:
        return Balance()
    first = (
        Lot.objects.filter(account=account, remaining__gt=0, expires_on__isnull=False)
        .order_by("expires_on")
        .values_list("expires_on", flat=True)
        .first()
    )
    expiring = 0
    if first is not None:
        expiring = (
            Lot.objects.filter(account=account, remaining__gt=0, expires_on=first).aggregate(s=Sum("remaining"))["s"] or 0
        )
    return Balance(
        spendable=account.spendable,
        pending=account.pending,
        lifetime_earned=account.lifetime_earned,
        debt=account.debt,
        next_expiry_on=first,
        next_expiry_points=expiring,
    )


def entries_for(account: PointAccount, page: int | str | None = 1, per_page: int = 20) -> Page[Entry]:
    """The account's history, newest first, each entry with its explanation and sale.

    The page's ids are found in the index alone (``entry_account_occurred_id_idx``: an
    index-only scan, however deep the page), then only those rows are read with their sale and
    branch, in one statement: an OFFSET over the joined rows read every skipped entry with its
    joins (43 ms at page 250 of 10,000 entries; docs/performance.md, B5).
    """
    ids = Entry.objects.filter(account=account).order_by("-occurred_at", "-id").values_list("id", flat=True)
    found = Paginator(ids, per_page).get_page(page)
    rows = Entry.objects.filter(id__in=found.object_list).select_related("sale", "branch").order_by("-occurred_at", "-id")
    # the paginator counted the ids, one per entry: its numbers are the entries'
    return Page(rows, found.number, cast("Paginator[Entry]", found.paginator))


def lots_for(account: PointAccount, *, open_only: bool = True) -> QuerySet[Lot]:
    qs = Lot.objects.filter(account=account)
    if open_only:
        qs = qs.filter(remaining__gt=0)
    return qs.order_by(F("expires_on").asc(nulls_last=True), "earned_at", "id")


def sales_for_day(organization: Organization, day: dt.date, *, branch_ids: set[int] | None = None, branch_id: int | None = None) -> QuerySet[Sale]:
    """Sales whose local date (organization's zone) is ``day``; ``branch_ids`` = staff scope."""
    tz = zone(organization.time_zone)
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    end = start + dt.timedelta(days=1)
    qs = Sale.objects.filter(organization=organization, occurred_at__gte=start, occurred_at__lt=end)
    if branch_ids is not None:
        qs = qs.filter(branch_id__in=branch_ids)
    if branch_id:
        qs = qs.filter(branch_id=branch_id)
    return qs.select_related("branch", "terminal", "member").order_by("-occurred_at", "-id")


def today_in(organization: Organization, now: dt.datetime) -> dt.date:
    return local_date(now, organization.time_zone)


def sale_quote(*, organization: Organization, basket: Basket, member: Member | None,
               account: PointAccount | None) -> EarnResult:
    """What ``basket`` would earn for ``member`` now, with every award explained; writes nothing.

    The same engine call, with the same rules, as :func:`sasom.ledger.services.sale_post` makes,
    on the member's context as ``account`` (the member's account as read; None: none yet) shows
    it (first purchase, card expiry, referral), so a quote and the commit agree.
    """
    if member is None:
        context = engine.MemberContext(member_id=None)
    else:
        probe = account or PointAccount(organization_id=organization.pk, member=member)
        context = member_context(member, probe, basket.occurred_at, organization.time_zone)
    return engine.compute(basket, context, rules_of(organization.pk), tz=zone(organization.time_zone))
