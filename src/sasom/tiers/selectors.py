"""Reads of tiers: the organization's compiled ladder (cached per process, like the earning rule
set), a member's state and history."""

from __future__ import annotations

import threading
import time
from typing import Any

from django.conf import settings as django_settings
from django.db.models import QuerySet

from sasom.core.calendars import period_calendar
from sasom.organizations.models import Organization
from sasom.tiers import engine
from sasom.tiers.models import MemberTier, Tier, TierChange, TierLadder

_CACHE: dict[int, tuple[tuple[int, str, str, bool], engine.Ladder | None, float]] = {}
_LOCK = threading.Lock()


def ladder_compile(organization_id: int) -> engine.Ladder | None:
    row = TierLadder.objects.filter(organization_id=organization_id, is_active=True).first()
    if row is None:
        return None
    tiers = tuple(
        engine.TierDef(id=t.pk, code=t.code, name=t.name, threshold=t.threshold,
                       validity_months=t.validity_months, card_color=t.card_color,
                       discount_percent=t.discount_percent, birthday_percent=t.birthday_discount_percent)
        for t in Tier.objects.filter(organization_id=organization_id, ladder=row).order_by("threshold")
    )
    if not tiers:
        return None
    organization = Organization.objects.filter(pk=organization_id).first()
    return engine.Ladder(
        time_zone=getattr(organization, "time_zone", "") or "Asia/Bangkok",
        calendar=period_calendar(organization) if organization is not None else "gregorian", id=row.pk, version=row.version, tiers=tiers, basis=row.basis, window_months=row.window_months,
        downgrade=row.downgrade, cutoff_frequency=row.cutoff_frequency, drop_mode=row.drop_mode,
        benefits_mode=row.benefits_mode,
    )


def _version(organization_id: int) -> tuple[int, str, str, bool]:
    """The ladder's version (negative when paused, 0 without one) with what the compiled ladder
    takes from its organization (zone, calendar), so a change of either recompiles it too."""
    row = (TierLadder.objects.filter(organization_id=organization_id)
           .values_list("version", "is_active", "organization__time_zone", "organization__calendar",
                        "organization__periods_follow_calendar").first())
    if row is None:
        return (0, "", "", False)
    return (row[0] if row[1] else -row[0], row[2], row[3], row[4])


def ladder_for(organization_id: int) -> engine.Ladder | None:
    """The organization's active ladder with at least one tier, or None. Cached per process for
    ``TIERS_LADDER_TTL`` seconds (default: the earning rule set's TTL); after that one query
    compares the version and recompiles when it moved. Services forget this process's entry."""
    ttl = float(getattr(django_settings, "TIERS_LADDER_TTL", getattr(django_settings, "EARNING_RULESET_TTL", 0)))
    now = time.monotonic()
    cached = _CACHE.get(organization_id)
    if cached is not None and ttl > 0 and now - cached[2] < ttl:
        return cached[1]
    version = _version(organization_id)
    if cached is not None and cached[0] == version:
        _CACHE[organization_id] = (version, cached[1], now)
        return cached[1]
    ladder = ladder_compile(organization_id) if version[0] > 0 else None
    with _LOCK:
        _CACHE[organization_id] = (version, ladder, now)
    return ladder


def ladder_forget(organization_id: int | None = None) -> None:
    with _LOCK:
        if organization_id is None:
            _CACHE.clear()
        else:
            _CACHE.pop(organization_id, None)


def ladder_row(organization_id: int) -> TierLadder | None:
    return TierLadder.objects.filter(organization_id=organization_id).first()


def member_tier_row(*, organization_id: int, member_id: int) -> MemberTier | None:
    return (MemberTier.objects.select_related("tier", "floor_tier")
            .filter(organization_id=organization_id, member_id=member_id).first())


def state_of(row: MemberTier | None) -> engine.State:
    if row is None:
        return engine.State()
    return engine.State(
        tier=row.tier.code if row.tier is not None else None, reached_on=row.reached_on, expires_on=row.expires_on,
        floor_tier=row.floor_tier.code if row.floor_tier is not None else None, floor_until=row.floor_until,
    )


def tier_code_of(*, organization_id: int, member_id: int) -> str:
    """The member's tier code ("" for none): one query, for the earning engine's context."""
    code = (MemberTier.objects.filter(organization_id=organization_id, member_id=member_id)
            .values_list("tier__code", flat=True).first())
    return code or ""


TIER_CODE_READ = "_sasom_tier_code"  # set by a lookup that read the member's tier with the member


def member_tier_code(organization_id: int, member: Any) -> str:
    """The member's tier code for a sale ("" for none): no query without a ladder (cached per
    process), none when the member was read with its tier (``ledger.services.fastpost``'s lookup
    sets ``TIER_CODE_READ``), else one."""
    if member is None or ladder_for(organization_id) is None:
        return ""
    known = getattr(member, TIER_CODE_READ, None)
    if known is not None:
        return str(known)
    return tier_code_of(organization_id=organization_id, member_id=member.pk)


def tier_history(*, organization_id: int, member_id: int) -> QuerySet[TierChange]:
    return TierChange.objects.filter(organization_id=organization_id, member_id=member_id).order_by(
        "-changed_at", "-id")


def tiers_of(organization_id: int) -> list[Any]:
    return list(Tier.objects.filter(organization_id=organization_id).order_by("threshold"))
