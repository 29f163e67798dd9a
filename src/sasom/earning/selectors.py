"""Reads for earning: the compiled rule set (cached per organization) and back-office lists.

Cache: each process keeps ``{organization_id: (version, RuleSet, checked_at)}``. A warm call reads
only ``EarnSettings.version`` with the organization's currency and calendar (one indexed query) —
or nothing at all within ``settings.EARNING_RULESET_TTL`` seconds (default 0: always check) — and
recompiles when any of them moved (the rules round to the currency's minor unit and count birthday
months in the shop's calendar). Services bump the version in the same transaction as any change and drop this
process's entry at once, so other processes notice on their next check.
"""

from __future__ import annotations

import threading
import time
from decimal import Decimal
from typing import Any

from django.conf import settings as django_settings
from django.db.models import QuerySet

from sasom.core import calendars
from sasom.earning import models as m
from sasom.earning.bill import EarnPolicy
from sasom.earning.campaigns import Campaign
from sasom.earning.conditions import Scope, When
from sasom.earning.kinds import Rule
from sasom.earning.params import build_rule
from sasom.earning.ruleset import RuleSet
from sasom.organizations.models import Organization

Version = tuple[int, str, str, bool]
_CACHE: dict[int, tuple[Version, RuleSet, float]] = {}
_LOCK = threading.Lock()


def _codes(values: Any) -> frozenset[str]:
    return frozenset(str(v) for v in (values or []))


def compile_rule(row: m.EarnRule) -> Rule:
    scope = Scope(
        member_types=_codes(row.member_types),
        tiers=_codes(row.tiers),
        branches=_codes(row.branches),
        terminals=_codes(row.terminals),
        salespersons=_codes(row.salespersons),
        document_types=_codes(row.document_types),
        campaign_plans=_codes(row.campaign_plans),
    )
    when = When(
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        weekdays=frozenset(int(d) for d in row.weekdays or []),
        days_of_month=frozenset(int(d) for d in row.days_of_month or []),
        time_from=row.time_from,
        time_to=row.time_to,
    )
    return build_rule(
        kind=row.kind, id=row.pk, code=row.code, name=row.name, priority=row.priority,
        stop_further=row.stop_further, scope=scope, when=when, params=row.params,
    )


def compile_campaign(row: m.Campaign) -> Campaign:
    return Campaign(
        id=row.pk, code=row.code, name=row.name, priority=row.priority,
        valid_from=row.valid_from, valid_to=row.valid_to,
        member_types=_codes(row.member_types), branches=_codes(row.branches), plans=_codes(row.plans),
        bag_percent=Decimal(row.bag_percent), bag_points=row.bag_points,
        donation_per_bag=Decimal(row.donation_per_bag), extra_discount=Decimal(row.extra_discount),
        combinable=row.combinable,
    )


def compile_policy(row: m.EarnSettings | None, period_calendar: str = calendars.GREGORIAN) -> EarnPolicy:
    if row is None:
        return EarnPolicy(period_calendar=period_calendar)
    return EarnPolicy(
        period_calendar=period_calendar,
        rounding=row.rounding,
        base_includes_vat=row.base_includes_vat,
        vat_rate=Decimal(row.vat_rate),
        excluded_categories=_codes(row.excluded_categories),
        expired_card_earns=row.expired_card_earns,
    )


def ruleset_compile(organization_id: int) -> RuleSet:
    """Build the rule set from the database (4 queries); :func:`ruleset_for` caches it."""
    row = m.EarnSettings.objects.filter(organization_id=organization_id).first()
    organization = (Organization.objects.filter(pk=organization_id)
                    .only("currency", "calendar", "periods_follow_calendar").first())
    currency = (organization.currency if organization is not None else "") or "THB"
    rules = [compile_rule(r) for r in m.EarnRule.objects.filter(organization_id=organization_id, is_active=True)]
    campaigns = [compile_campaign(c) for c in m.Campaign.objects.filter(organization_id=organization_id, is_active=True)]
    return RuleSet(
        rules=rules, campaigns=campaigns, policy=compile_policy(row, calendars.period_calendar(organization)),
        version=row.version if row is not None else 0, currency=currency,
    )


def ruleset_version(organization_id: int) -> Version:
    """The rules' version with what the compiled rules take from their organization (currency,
    calendar), so a change of either recompiles them too."""
    fields = ("currency", "calendar", "periods_follow_calendar")
    row = (m.EarnSettings.objects.filter(organization_id=organization_id)
           .values_list("version", *(f"organization__{f}" for f in fields)).first())
    if row is not None:
        return (row[0], row[1], row[2], row[3])
    org = Organization.objects.filter(pk=organization_id).values_list(*fields).first()
    return (0, *org) if org is not None else (0, "", "", False)


def ruleset_for(organization_id: int) -> RuleSet:
    """The organization's compiled rules: at most one query when warm (see the module docstring)."""
    ttl = float(getattr(django_settings, "EARNING_RULESET_TTL", 0))
    now = time.monotonic()
    cached = _CACHE.get(organization_id)
    if cached is not None and ttl > 0 and now - cached[2] < ttl:
        return cached[1]
    version = ruleset_version(organization_id)
    if cached is not None and cached[0] == version:
        _CACHE[organization_id] = (version, cached[1], now)
        return cached[1]
    ruleset = ruleset_compile(organization_id)
    with _LOCK:
        _CACHE[organization_id] = (version, ruleset, now)
    return ruleset


def ruleset_forget(organization_id: int | None = None) -> None:
    """Drop this process's cached rule set (one organization, or all)."""
    with _LOCK:
        if organization_id is None:
            _CACHE.clear()
        else:
            _CACHE.pop(organization_id, None)


def rules_list(*, organization_id: int, active: bool | None = None, kind: str = "") -> QuerySet[m.EarnRule]:
    qs = m.EarnRule.objects.filter(organization_id=organization_id)
    if active is not None:
        qs = qs.filter(is_active=active)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("kind", "-priority", "code")


def rule_get(*, organization_id: int, rule_id: int) -> m.EarnRule | None:
    return m.EarnRule.objects.filter(organization_id=organization_id, pk=rule_id).first()


def campaigns_list(*, organization_id: int) -> QuerySet[m.Campaign]:
    return m.Campaign.objects.filter(organization_id=organization_id).order_by("-is_active", "-priority", "code")


def campaign_get(*, organization_id: int, campaign_id: int) -> m.Campaign | None:
    return m.Campaign.objects.filter(organization_id=organization_id, pk=campaign_id).first()


def settings_get(*, organization_id: int) -> m.EarnSettings:
    """The organization's settings; an unsaved default row when none was stored yet."""
    row = m.EarnSettings.objects.filter(organization_id=organization_id).first()
    return row if row is not None else m.EarnSettings(organization_id=organization_id, version=0)
