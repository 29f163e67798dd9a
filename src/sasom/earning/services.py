"""Writes for earning configuration: rules, campaigns, settings — validated, audited, and each
bumping the organization's rule-set version so every process recompiles (see selectors)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from sasom.core.audit import Actor, audit_record, diff, snapshot
from sasom.core.currency import amounts_in
from sasom.core.errors import Conflict, DomainError
from sasom.core.money import is_cents, money
from sasom.earning import models as m
from sasom.earning.arithmetic import Rounding
from sasom.earning.engine import Basket, BasketLine, EarnResult, MemberContext, compute
from sasom.earning.errors import (  # noqa: F401  (codes live in errors.py)
    CAMPAIGN_CODE_TAKEN,
    FIELD_INVALID,
    PREVIEW_INVALID,
    RULE_CODE_TAKEN,
    UNKNOWN_CODE,
)
from sasom.earning.kinds import KINDS
from sasom.earning.params import validate_params
from sasom.earning.selectors import ruleset_for, ruleset_forget
from sasom.members.models import MemberType
from sasom.organizations.models import Branch, Organization, Terminal
from sasom.organizations.selectors import organization_places
from sasom.tiers.models import Tier

RULE_FIELDS = [
    "code", "name", "kind", "priority", "stop_further", "is_active", "valid_from", "valid_to",
    "weekdays", "days_of_month", "time_from", "time_to", "member_types", "tiers", "branches",
    "terminals", "salespersons", "document_types", "campaign_plans", "params",
]
CAMPAIGN_FIELDS = [
    "code", "name", "priority", "is_active", "valid_from", "valid_to", "member_types", "branches",
    "plans", "bag_percent", "bag_points", "donation_per_bag", "fund_name", "extra_discount", "combinable",
]
SETTINGS_FIELDS = ["rounding", "base_includes_vat", "vat_rate", "excluded_categories", "expired_card_earns"]


def _snap(obj: Any, fields: list[str]) -> dict[str, Any]:
    """``snapshot`` with times as text (the audit trail stores JSON)."""
    return {k: (v.isoformat() if isinstance(v, dt.time) else v) for k, v in snapshot(obj, fields).items()}


def _invalid(field: str, message: StrOrPromise) -> DomainError:
    return DomainError(FIELD_INVALID, message, field=field)


PRIORITY_LIMIT = 1_000_000


def _priority(data: Any) -> int:
    try:
        value = int(data.get("priority") or 0)
    except (TypeError, ValueError):
        raise _invalid("priority", _("Priority must be a whole number.")) from None
    if not -PRIORITY_LIMIT <= value <= PRIORITY_LIMIT:
        raise _invalid("priority", _("Priority must be between -1,000,000 and 1,000,000."))
    return value


def _clean_codes(values: Iterable[Any] | str | None) -> list[str]:
    if isinstance(values, str):
        values = values.split(",")
    return sorted({str(v).strip() for v in (values or []) if str(v).strip()})


def _ints(values: Iterable[Any] | None, field: str, low: int, high: int) -> list[int]:
    out = set()
    for v in values or []:
        try:
            n = int(v)
        except (TypeError, ValueError):
            raise _invalid(field, f"{v!r} is not a number") from None
        if not low <= n <= high:
            raise _invalid(field, f"{n} is outside {low}–{high}")
        out.add(n)
    return sorted(out)


def _known(organization_id: int, field: str, codes: list[str]) -> None:
    """Member type, branch and terminal codes in a scope must exist in the organization."""
    if not codes:
        return
    by_field: dict[str, type[MemberType] | type[Branch] | type[Terminal]] = {
        "member_types": MemberType, "branches": Branch, "terminals": Terminal
    }
    model = by_field[field]
    found = set(model.objects.filter(organization_id=organization_id, code__in=codes).values_list("code", flat=True))
    missing = [c for c in codes if c not in found]
    if missing:
        raise DomainError(UNKNOWN_CODE, f"unknown {field.replace('_', ' ')}: {', '.join(missing)}", field=field)


def _known_tiers(organization_id: int, codes: list[str]) -> None:
    """Tier codes in a scope must be tiers of the organization's ladder (docs/tiers.md)."""
    if not codes:
        return
    found = set(Tier.objects.filter(organization_id=organization_id, code__in=codes).values_list("code", flat=True))
    missing = [c for c in codes if c not in found]
    if missing:
        raise DomainError(UNKNOWN_CODE, f"unknown tiers: {', '.join(missing)}", field="tiers")


def _check_period(valid_from: dt.datetime | None, valid_to: dt.datetime | None) -> None:
    for name, value in (("valid_from", valid_from), ("valid_to", valid_to)):
        if value is not None and value.tzinfo is None:
            raise _invalid(name, _("a date-time needs a time zone"))
    if valid_from is not None and valid_to is not None and valid_to <= valid_from:
        raise _invalid("valid_to", _("the end must be after the start"))


def _rule_values(organization_id: int, data: dict[str, Any]) -> dict[str, Any]:
    code = (data.get("code") or "").strip()
    name = (data.get("name") or "").strip()
    kind = data.get("kind") or ""
    if not code:
        raise _invalid("code", _("code is required"))
    if not name:
        raise _invalid("name", _("name is required"))
    if kind not in KINDS:
        raise _invalid("kind", f"unknown rule kind {kind!r}")
    _check_period(data.get("valid_from"), data.get("valid_to"))
    time_from, time_to = data.get("time_from"), data.get("time_to")
    if (time_from is None) != (time_to is None):
        raise _invalid("time_to", _("give both ends of the daily window, or neither"))
    if time_from is not None and time_from == time_to:
        raise _invalid("time_to", _("the daily window is empty"))
    if KINDS[kind].needs_time_window and time_from is None:
        raise _invalid("time_from", _("a golden minute needs a daily time window"))
    values: dict[str, Any] = {
        "code": code,
        "name": name,
        "kind": kind,
        "priority": _priority(data),
        "stop_further": bool(data.get("stop_further")),
        "is_active": bool(data.get("is_active", True)),
        "valid_from": data.get("valid_from"),
        "valid_to": data.get("valid_to"),
        "weekdays": _ints(data.get("weekdays"), "weekdays", 0, 6),
        "days_of_month": _ints(data.get("days_of_month"), "days_of_month", 1, 31),
        "time_from": time_from,
        "time_to": time_to,
    }
    with amounts_in(organization_places(organization_id)):  # money parameters fit the currency's minor unit
        values["params"] = validate_params(kind, data.get("params") or {})
    for field in ("member_types", "tiers", "branches", "terminals", "salespersons", "document_types", "campaign_plans"):
        values[field] = _clean_codes(data.get(field))
    for field in ("member_types", "branches", "terminals"):
        _known(organization_id, field, values[field])
    _known_tiers(organization_id, values["tiers"])
    return values


def ruleset_bump(*, organization_id: int) -> int:
    """Move the organization's rule-set version on (in the caller's transaction)."""
    m.EarnSettings.objects.get_or_create(organization_id=organization_id)
    m.EarnSettings.objects.filter(organization_id=organization_id).update(version=F("version") + 1)
    ruleset_forget(organization_id)
    transaction.on_commit(lambda: ruleset_forget(organization_id))
    return m.EarnSettings.objects.filter(organization_id=organization_id).values_list("version", flat=True).get()


@transaction.atomic
def rule_create(*, organization_id: int, actor: Actor, **data: Any) -> m.EarnRule:
    values = _rule_values(organization_id, data)
    if m.EarnRule.objects.filter(organization_id=organization_id, code=values["code"]).exists():
        raise Conflict(RULE_CODE_TAKEN, _("another rule has this code"), field="code")
    rule = m.EarnRule.objects.create(organization_id=organization_id, **values)
    audit_record(
        organization_id=organization_id, actor=actor, action="earning.rule_create", obj=rule,
        changes=diff({}, _snap(rule, RULE_FIELDS)),
    )
    ruleset_bump(organization_id=organization_id)
    return rule


@transaction.atomic
def rule_update(*, rule: m.EarnRule, actor: Actor, **data: Any) -> m.EarnRule:
    rule = m.EarnRule.objects.select_for_update().get(pk=rule.pk)
    merged = {f: getattr(rule, f) for f in RULE_FIELDS} | data
    new_kind = KINDS.get(merged["kind"])
    if "params" not in data and merged["kind"] != rule.kind and new_kind is not None:
        # A new kind without new parameters keeps the stored ones the new kind takes; the others
        # belonged to the old kind and are not the caller's to answer for.
        merged["params"] = {k: v for k, v in (rule.params or {}).items() if k in new_kind.param_names}
    values = _rule_values(rule.organization_id, merged)
    if m.EarnRule.objects.filter(organization_id=rule.organization_id, code=values["code"]).exclude(pk=rule.pk).exists():
        raise Conflict(RULE_CODE_TAKEN, _("another rule has this code"), field="code")
    before = _snap(rule, RULE_FIELDS)
    for field, value in values.items():
        setattr(rule, field, value)
    rule.save()
    audit_record(
        organization_id=rule.organization_id, actor=actor, action="earning.rule_update", obj=rule,
        changes=diff(before, _snap(rule, RULE_FIELDS)),
    )
    ruleset_bump(organization_id=rule.organization_id)
    return rule


@transaction.atomic
def rule_set_active(*, rule: m.EarnRule, actor: Actor, active: bool) -> m.EarnRule:
    """Deactivate (or reactivate) a rule; rules are never deleted, so history can explain awards."""
    rule = m.EarnRule.objects.select_for_update().get(pk=rule.pk)
    if rule.is_active == active:
        return rule
    rule.is_active = active
    rule.save(update_fields=["is_active", "updated_at"])
    audit_record(
        organization_id=rule.organization_id, actor=actor,
        action="earning.rule_activate" if active else "earning.rule_deactivate", obj=rule,
        changes={"is_active": [not active, active]},
    )
    ruleset_bump(organization_id=rule.organization_id)
    return rule


def _decimal(data: dict[str, Any], field: str, low: Decimal, high: Decimal | None = None, places: int = 2) -> Decimal:
    raw = data.get(field)
    try:
        value = Decimal(str(raw if raw not in (None, "") else "0"))
    except InvalidOperation:
        raise _invalid(field, _("must be an amount")) from None
    if not value.is_finite() or value < low or (high is not None and value > high):
        raise _invalid(field, f"must be between {low} and {high}" if high is not None else f"must be at least {low}")
    if not is_cents(value, places):
        raise _invalid(field, _("at most two decimals") if places else _("a whole amount, no decimals"))
    return money(value, places)


def _campaign_values(organization_id: int, data: dict[str, Any]) -> dict[str, Any]:
    code = (data.get("code") or "").strip()
    name = (data.get("name") or "").strip()
    if not code:
        raise _invalid("code", _("code is required"))
    if not name:
        raise _invalid("name", _("name is required"))
    _check_period(data.get("valid_from"), data.get("valid_to"))
    try:
        bag_points = int(data.get("bag_points") or 0)
    except (TypeError, ValueError):
        raise _invalid("bag_points", _("must be a whole number")) from None
    if not 0 <= bag_points <= 1_000_000:
        raise _invalid("bag_points", _("must be between 0 and 1,000,000"))
    places = organization_places(organization_id)
    values: dict[str, Any] = {
        "code": code,
        "name": name,
        "priority": _priority(data),
        "is_active": bool(data.get("is_active", True)),
        "valid_from": data.get("valid_from"),
        "valid_to": data.get("valid_to"),
        "member_types": _clean_codes(data.get("member_types")),
        "branches": _clean_codes(data.get("branches")),
        "plans": _clean_codes(data.get("plans")),
        "bag_percent": _decimal(data, "bag_percent", Decimal("0"), Decimal("100")),
        "bag_points": bag_points,
        "donation_per_bag": _decimal(data, "donation_per_bag", Decimal("0"), Decimal("999999"), places),
        "fund_name": (data.get("fund_name") or "").strip(),
        "extra_discount": _decimal(data, "extra_discount", Decimal("0"), Decimal("99999999"), places),
        "combinable": bool(data.get("combinable")),
    }
    for field in ("member_types", "branches"):
        _known(organization_id, field, values[field])
    return values


@transaction.atomic
def campaign_create(*, organization_id: int, actor: Actor, **data: Any) -> m.Campaign:
    values = _campaign_values(organization_id, data)
    if m.Campaign.objects.filter(organization_id=organization_id, code=values["code"]).exists():
        raise Conflict(CAMPAIGN_CODE_TAKEN, _("another campaign has this code"), field="code")
    campaign = m.Campaign.objects.create(organization_id=organization_id, **values)
    audit_record(
        organization_id=organization_id, actor=actor, action="earning.campaign_create", obj=campaign,
        changes=diff({}, snapshot(campaign, CAMPAIGN_FIELDS)),
    )
    ruleset_bump(organization_id=organization_id)
    return campaign


@transaction.atomic
def campaign_update(*, campaign: m.Campaign, actor: Actor, **data: Any) -> m.Campaign:
    campaign = m.Campaign.objects.select_for_update().get(pk=campaign.pk)
    merged = {f: getattr(campaign, f) for f in CAMPAIGN_FIELDS} | data
    values = _campaign_values(campaign.organization_id, merged)
    taken = m.Campaign.objects.filter(organization_id=campaign.organization_id, code=values["code"]).exclude(pk=campaign.pk)
    if taken.exists():
        raise Conflict(CAMPAIGN_CODE_TAKEN, _("another campaign has this code"), field="code")
    before = snapshot(campaign, CAMPAIGN_FIELDS)
    for field, value in values.items():
        setattr(campaign, field, value)
    campaign.save()
    audit_record(
        organization_id=campaign.organization_id, actor=actor, action="earning.campaign_update", obj=campaign,
        changes=diff(before, snapshot(campaign, CAMPAIGN_FIELDS)),
    )
    ruleset_bump(organization_id=campaign.organization_id)
    return campaign


@transaction.atomic
def earn_settings_update(*, organization_id: int, actor: Actor, **data: Any) -> m.EarnSettings:
    row, _created = m.EarnSettings.objects.select_for_update().get_or_create(organization_id=organization_id)
    rounding = data.get("rounding", row.rounding)
    if rounding not in (Rounding.BILL, Rounding.LINE):
        raise _invalid("rounding", _("rounding must be bill or line"))
    before = snapshot(row, SETTINGS_FIELDS)
    row.rounding = rounding
    row.base_includes_vat = bool(data.get("base_includes_vat", row.base_includes_vat))
    row.vat_rate = _decimal({"vat_rate": data.get("vat_rate", row.vat_rate)}, "vat_rate", Decimal("0"), Decimal("100"))
    row.excluded_categories = _clean_codes(data.get("excluded_categories", row.excluded_categories))
    row.expired_card_earns = bool(data.get("expired_card_earns", row.expired_card_earns))
    row.save()
    audit_record(
        organization_id=organization_id, actor=actor, action="earning.settings_update", obj=row,
        changes=diff(before, snapshot(row, SETTINGS_FIELDS)),
    )
    ruleset_bump(organization_id=organization_id)
    row.refresh_from_db()
    return row


# --- try a basket -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PreviewLine:
    sku: str
    quantity: Decimal
    unit_price: Decimal
    discount: Decimal = Decimal("0")
    category: str = ""
    brand: str = ""


def basket_preview(
    *,
    organization_id: int,
    lines: list[PreviewLine],
    occurred_at: dt.datetime,
    member_type: str = "",
    is_member: bool = True,
    tier: str = "",
    birth_on: dt.date | None = None,
    card_expired: bool = False,
    is_first_purchase: bool = False,
    referred: bool = False,
    branch_code: str = "",
    terminal_code: str = "",
    salesperson: str = "",
    document_type: str = "retail_receipt",
    bill_discount: Decimal = Decimal("0"),
    bag_declined: bool = False,
    campaign_plan: str = "",
) -> EarnResult:
    """What a basket would earn now under the organization's rules (nothing is stored)."""
    if not lines:
        raise DomainError(PREVIEW_INVALID, _("add at least one line"), field="lines")
    if occurred_at.tzinfo is None:
        raise DomainError(PREVIEW_INVALID, _("the date-time needs a time zone"), field="occurred_at")
    org = Organization.objects.only("time_zone").get(pk=organization_id)
    can_earn = True
    if is_member:
        found = MemberType.objects.filter(organization_id=organization_id, code=member_type).values_list("can_earn", flat=True).first()
        if found is None:
            raise DomainError(UNKNOWN_CODE, f"unknown member type {member_type!r}", field="member_type")
        can_earn = found
    basket = Basket(
        occurred_at=occurred_at,
        lines=tuple(
            BasketLine(
                line_no=i, sku=line.sku, quantity=line.quantity, unit_price=line.unit_price,
                discount=line.discount, category=line.category, brand=line.brand,
            )
            for i, line in enumerate(lines, start=1)
        ),
        branch_code=branch_code, terminal_code=terminal_code, salesperson=salesperson,
        document_type=document_type, bill_discount=bill_discount, bag_declined=bag_declined,
        campaign_plan=campaign_plan,
    )
    member = MemberContext(
        member_id=0 if is_member else None, member_type=member_type if is_member else "", tier=tier,
        birth_on=birth_on, card_expired=card_expired, can_earn=can_earn,
        is_first_purchase=is_first_purchase, referred_by_member_id=0 if referred else None,
    )
    return compute(basket, member, ruleset_for(organization_id), tz=zoneinfo.ZoneInfo(org.time_zone))
