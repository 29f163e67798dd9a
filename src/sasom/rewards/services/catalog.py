"""Configuration marketing sets up: rewards and their stock, coupon types, points-as-money rules."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from sasom.core.audit import Actor, audit_record, diff, snapshot
from sasom.core.currency import places_of
from sasom.core.errors import Conflict, DomainError
from sasom.core.money import is_cents
from sasom.members.models import MemberType
from sasom.organizations.models import Branch, Organization
from sasom.tiers.models import Tier

from .. import errors as E
from ..models import CouponTemplate, PointsDiscountRule, Reward, RewardSettings, RewardStock

REWARD_FIELDS = [
    "code", "name", "name_en", "description", "points_cost", "cash_copay", "tiers", "valid_from_on",
    "valid_to_on", "stock_mode", "limit_quantity", "limit_period", "is_active", "sort_order",
]
COUPON_TEMPLATE_FIELDS = [
    "code", "name", "name_en", "kind", "value", "discount_kind", "min_spend", "product_codes",
    "category_codes", "text", "points_cost", "validity_days", "valid_until_on",
    "per_member_limit", "tiers", "is_active",
]
RULE_FIELDS = ["member_type_id", "points_per_unit", "per_amount", "min_points", "max_bill_percent", "max_balance_percent", "is_active"]
SETTINGS_FIELDS = ["point_price", "purchase_max_points"]


def _types_of(organization: Organization, member_types: Iterable[MemberType] | None) -> list[MemberType]:
    types = list(member_types or [])
    if any(t.organization_id != organization.pk for t in types):
        raise DomainError(E.VALUE_INVALID, _("A member type of another organization."), field="member_types")
    return types


def _tiers_of(organization: Organization, tiers: Iterable[str] | None) -> list[str]:
    """Tier codes, each a tier of the organization's ladder (docs/tiers.md), without repeats."""
    codes = list(dict.fromkeys(c.strip() for c in (tiers or []) if c and c.strip()))
    if not codes:
        return []
    found = set(Tier.objects.filter(organization_id=organization.pk, code__in=codes).values_list("code", flat=True))
    missing = [c for c in codes if c not in found]
    if missing:
        raise DomainError(E.UNKNOWN_TIER, _("Not a tier of the ladder: %(codes)s.") % {"codes": ", ".join(missing)},
                          field="tiers")
    return codes


def _audit(organization: Organization, actor: Actor, action: str, obj: Any, before: dict, fields: list[str], extra: dict | None = None) -> None:
    changes = diff(before, snapshot(obj, fields))
    changes.update(extra or {})
    if changes or not before:
        audit_record(organization_id=organization.pk, actor=actor, action=action, obj=obj, changes=changes)


@transaction.atomic
def reward_save(
    *,
    organization: Organization,
    actor: Actor,
    data: Mapping[str, Any],
    member_types: Iterable[MemberType] | None = None,
    tiers: Iterable[str] | None = None,
    reward: Reward | None = None,
) -> Reward:
    """Create or change a reward. Stock is not set here (see :func:`reward_stock_adjust`).
    ``tiers``: codes of the ladder's tiers the reward is limited to (none: every member)."""
    code = (data.get("code") or "").strip().upper()
    clash = Reward.objects.filter(organization=organization, code=code)
    if reward is not None:
        clash = clash.exclude(pk=reward.pk)
    if clash.exists():
        raise Conflict(E.CODE_TAKEN, _("Another reward already uses this code."), field="code")
    vf, vt = data.get("valid_from_on"), data.get("valid_to_on")
    if vf and vt and vt < vf:
        raise DomainError(E.VALUE_INVALID, _("The end date is before the start date."), field="valid_to_on")
    types = _types_of(organization, member_types)
    tier_codes = _tiers_of(organization, tiers)
    creating = reward is None
    obj = Reward(organization=organization) if reward is None else Reward.objects.select_for_update().get(pk=reward.pk)
    before = {} if creating else snapshot(obj, REWARD_FIELDS)
    before_types = [] if creating else sorted(obj.member_types.values_list("pk", flat=True))
    for k in REWARD_FIELDS:
        if k in data:
            setattr(obj, k, data[k])
    if data.get("image"):
        obj.image = data["image"]
    obj.code = code
    obj.tiers = tier_codes
    obj.save()
    obj.member_types.set(types)
    after_types = sorted(t.pk for t in types)
    extra = {"member_types": [before_types, after_types]} if before_types != after_types else {}
    _audit(organization, actor, "reward.create" if creating else "reward.update", obj, before, REWARD_FIELDS, extra)
    return obj


@transaction.atomic
def reward_stock_adjust(
    *, reward: Reward, actor: Actor, delta: int, branch: Branch | None = None, reason: str = ""
) -> int:
    """Add (or with a negative delta, write off) stock; returns the new quantity.

    A conditional ``F()`` update on the row: concurrent redemptions are never lost, and a write-off
    larger than the stock on hand is refused rather than driving it below zero.
    """
    if delta == 0:
        raise DomainError(E.QUANTITY_INVALID, _("Enter a quantity other than zero."), field="delta")
    if reward.stock_mode == Reward.StockMode.UNLIMITED:
        raise DomainError(E.VALUE_INVALID, _("This reward has unlimited stock."), field="delta")
    if reward.stock_mode == Reward.StockMode.PER_BRANCH:
        if branch is None or branch.organization_id != reward.organization_id:
            raise DomainError(E.VALUE_INVALID, _("Choose the branch whose stock changes."), field="branch")
        RewardStock.objects.get_or_create(organization_id=reward.organization_id, reward=reward, branch=branch)
        rows = RewardStock.objects.filter(reward=reward, branch=branch, quantity__gte=-delta)
        if not rows.update(quantity=F("quantity") + delta):
            raise DomainError(E.OUT_OF_STOCK, _("There is not that much stock to write off."), field="delta")
        quantity = RewardStock.objects.get(reward=reward, branch=branch).quantity
    else:
        reward_rows = Reward.objects.filter(pk=reward.pk, stock__gte=-delta)
        if not reward_rows.update(stock=F("stock") + delta):
            raise DomainError(E.OUT_OF_STOCK, _("There is not that much stock to write off."), field="delta")
        quantity = Reward.objects.get(pk=reward.pk).stock
    audit_record(
        organization_id=reward.organization_id,
        actor=actor,
        action="reward.stock",
        obj=reward,
        changes={"stock": [quantity - delta, quantity], "branch": [None, branch.code if branch else None]},
        reason=reason,
    )
    return quantity


@transaction.atomic
def coupon_template_save(
    *,
    organization: Organization,
    actor: Actor,
    data: Mapping[str, Any],
    member_types: Iterable[MemberType] | None = None,
    tiers: Iterable[str] | None = None,
    template: CouponTemplate | None = None,
) -> CouponTemplate:
    code = (data.get("code") or "").strip().upper()
    clash = CouponTemplate.objects.filter(organization=organization, code=code)
    if template is not None:
        clash = clash.exclude(pk=template.pk)
    if clash.exists():
        raise Conflict(E.CODE_TAKEN, _("Another coupon type already uses this code."), field="code")
    value = Decimal(data.get("value") or 0)
    if value <= 0:
        raise DomainError(E.VALUE_INVALID, _("Enter a value above zero."), field="value")
    is_percent = data.get("kind") == CouponTemplate.Kind.DISCOUNT and data.get("discount_kind") == CouponTemplate.DiscountKind.PERCENT
    if is_percent and value > 100:
        raise DomainError(E.VALUE_INVALID, _("A percent discount is at most 100."), field="value")
    types = _types_of(organization, member_types)
    tier_codes = _tiers_of(organization, tiers)
    creating = template is None
    obj = CouponTemplate(organization=organization) if template is None else CouponTemplate.objects.select_for_update().get(pk=template.pk)
    before = {} if creating else snapshot(obj, COUPON_TEMPLATE_FIELDS)
    for k in COUPON_TEMPLATE_FIELDS:
        if k in data:
            setattr(obj, k, data[k])
    if data.get("image"):
        obj.image = data["image"]
    obj.code = code
    obj.tiers = tier_codes
    obj.save()
    obj.member_types.set(types)
    _audit(organization, actor, "coupon_template.create" if creating else "coupon_template.update", obj, before, COUPON_TEMPLATE_FIELDS)
    return obj


PER_AMOUNT_LIMIT = Decimal("10000000000")  # the column: 12 digits, 2 places


def _rate_of(data: Mapping[str, Any], places: int) -> dict[str, Any]:
    """The rule's rate as stored: ``points_per_unit`` points are worth ``per_amount`` money, or,
    given ``money_per_point`` ("1 point = 10 rial"), one point is worth that money. The money fits
    the currency's minor unit (whole rial) and is above zero; nothing is divided."""
    out = dict(data)
    per_point = out.pop("money_per_point", None)
    if per_point is not None:
        if int(out.get("points_per_unit") or 1) != 1 or Decimal(str(out.get("per_amount") or 1)) != 1:
            raise DomainError(E.VALUE_INVALID, _("Give the money per point, or the points and the money they are worth, "
                                                 "not both."), field="money_per_point")
        out["points_per_unit"], out["per_amount"] = 1, per_point
    field = "money_per_point" if per_point is not None else "per_amount"
    if int(out.get("points_per_unit") or 0) < 1:
        raise DomainError(E.VALUE_INVALID, _("Enter at least 1 point per unit of money."), field="points_per_unit")
    raw = out.get("per_amount")
    try:
        amount = Decimal(str(1 if raw in (None, "") else raw))
    except ArithmeticError:
        amount = Decimal("NaN")
    if not amount.is_finite() or amount <= 0 or not is_cents(amount, places) or amount >= PER_AMOUNT_LIMIT:
        raise DomainError(E.VALUE_INVALID, _("Enter the money the points are worth: above zero, in the currency's "
                                             "smallest unit at most."), field=field)
    out["per_amount"] = amount
    return out


@transaction.atomic
def points_discount_rule_save(
    *, organization: Organization, actor: Actor, data: Mapping[str, Any], rule: PointsDiscountRule | None = None
) -> PointsDiscountRule:
    member_type = data.get("member_type")
    if member_type is not None and member_type.organization_id != organization.pk:
        raise DomainError(E.VALUE_INVALID, _("A member type of another organization."), field="member_type")
    clash = PointsDiscountRule.objects.filter(organization=organization, member_type=member_type)
    if rule is not None:
        clash = clash.exclude(pk=rule.pk)
    if clash.exists():
        raise Conflict(E.CODE_TAKEN, _("This member type already has a rule."), field="member_type")
    data = _rate_of(data, places_of(organization.currency))
    creating = rule is None
    obj = rule or PointsDiscountRule(organization=organization)
    before = {} if creating else snapshot(obj, RULE_FIELDS)
    obj.member_type = member_type
    for k in ["points_per_unit", "per_amount", "min_points", "max_bill_percent", "max_balance_percent", "is_active"]:
        if k in data:
            setattr(obj, k, data[k])
    obj.save()
    _audit(organization, actor, "points_discount_rule.create" if creating else "points_discount_rule.update", obj, before, RULE_FIELDS)
    return obj


@transaction.atomic
def reward_settings_save(*, organization: Organization, actor: Actor, data: Mapping[str, Any]) -> RewardSettings:
    obj, _created = RewardSettings.objects.select_for_update().get_or_create(organization=organization)
    before = snapshot(obj, SETTINGS_FIELDS)
    price = data.get("point_price")
    if price is not None and Decimal(price) < 0:
        raise DomainError(E.VALUE_INVALID, _("The price cannot be negative."), field="point_price")
    obj.point_price = price
    obj.purchase_max_points = int(data.get("purchase_max_points") or 0)
    obj.save()
    changes = diff(before, snapshot(obj, SETTINGS_FIELDS))
    if changes:
        audit_record(organization_id=organization.pk, actor=actor, action="reward_settings.update", obj=obj, changes=changes)
    return obj
