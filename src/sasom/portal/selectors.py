"""Reads of the member portal: the member's own figures, through the apps' own selectors."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.paginator import Page
from django.shortcuts import get_object_or_404
from django.utils import timezone

from sasom.ledger.selectors import Balance, account_of, balance_of, entries_for
from sasom.members.models import Consent, Member
from sasom.rewards.models import Coupon, Reward
from sasom.rewards.selectors import (
    coupons_of_member,
    local_today,
    member_tier,
    rewards_offered,
    tier_allowed,
)

HISTORY_PER_PAGE = 20


def portal_balance(member: Member) -> Balance:
    return balance_of(account_of(member))


def portal_history(member: Member, page: int | str | None) -> Page | None:
    """The member's entries, newest first, 20 a page (None: no points account yet)."""
    account = account_of(member)
    if account is None:
        return None
    return entries_for(account, page, per_page=HISTORY_PER_PAGE)


@dataclass
class CouponShelves:
    active: list[Coupon] = field(default_factory=list)
    used: list[Coupon] = field(default_factory=list)
    ended: list[Coupon] = field(default_factory=list)  # expired or cancelled


def portal_coupons(member: Member, now: dt.datetime | None = None) -> CouponShelves:
    now = now or timezone.now()
    shelves = CouponShelves()
    for coupon in coupons_of_member(member):
        if coupon.status == Coupon.Status.USED:
            shelves.used.append(coupon)
        elif coupon.status == Coupon.Status.ISSUED and coupon.expires_at > now:
            shelves.active.append(coupon)
        else:
            shelves.ended.append(coupon)
    return shelves


def portal_coupon(member: Member, pk: int) -> Coupon:
    """One of the member's own coupons; another member's (or organization's) id answers 404."""
    return get_object_or_404(coupons_of_member(member).filter(organization_id=member.organization_id), pk=pk)


def portal_rewards(member: Member, now: dt.datetime | None = None) -> list[Reward]:
    org = member.organization
    tier = member_tier(member)
    return [
        r for r in rewards_offered(org, member_type_id=member.member_type_id, on=local_today(org, now), tier_code=tier)
        .order_by("points_cost", "sort_order", "code")
        if tier_allowed(r.tiers, tier)
    ]


def portal_consents(member: Member) -> dict[str, bool]:
    """The latest consent per purpose (marketing falls back to the member's flag)."""
    state = {Consent.Purpose.MARKETING.value: member.marketing_consent, Consent.Purpose.PROFILING.value: False}
    seen: set[str] = set()
    for purpose, granted in Consent.objects.filter(
        organization_id=member.organization_id, member=member
    ).values_list("purpose", "granted"):
        if purpose in state and purpose not in seen:
            state[purpose] = granted
            seen.add(purpose)
    return state
