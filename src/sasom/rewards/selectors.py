"""Reads: what a member can redeem now, the redemption list of the day, coupon lookups."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from sasom.core.currency import places_of
from sasom.members.models import Member
from sasom.members.selectors import member_benefits
from sasom.organizations.models import Branch, Organization
from sasom.tiers.models import MemberTier
from sasom.tiers.selectors import member_tier_code

from . import errors as E
from .models import (
    Coupon,
    CouponTemplate,
    LimitPeriod,
    PointsDiscountRule,
    Redemption,
    Reward,
    RewardSettings,
    RewardStock,
)
from .pricing import DiscountRuleData, period_start, purchase_amount


def local_today(organization: Organization, now: dt.datetime | None = None) -> dt.date:
    return (now or timezone.now()).astimezone(zoneinfo.ZoneInfo(organization.time_zone)).date()


def member_tier(member: Member) -> str:
    """The member's tier code ("" for none), as the sale reads it (``tiers.selectors``): no query
    without an active ladder (cached per process), else one."""
    return member_tier_code(member.organization_id, member)


def tier_allowed(tiers: list[str] | None, tier_code: str) -> bool:
    """A reward or coupon type limited to ``tiers`` (none: every member) for a member of ``tier_code``."""
    return not tiers or tier_code in tiers


def members_of_tiers(organization_id: int, tiers: list[str]) -> QuerySet[MemberTier, Any]:
    """Ids of the members now in one of ``tiers`` of the organization's active ladder (a subquery)."""
    return MemberTier.objects.filter(
        organization_id=organization_id, tier__code__in=tiers, tier__ladder__is_active=True
    ).values("member_id")


def _for_tier(tier_code: str) -> Q:
    """Rows with no tier limit, or whose limit lists ``tier_code``. The codes are a JSON list; the
    match is on the quoted code in its text (``contains`` on a JSON list is not portable to
    SQLite), and services check the exact code again (:func:`tier_allowed`)."""
    unlimited = Q(tiers=[])
    if not tier_code:
        return unlimited
    return unlimited | Q(tiers__icontains=f'"{tier_code}"')


def rewards_offered(
    organization: Organization, *, member_type_id: int, on: dt.date, tier_code: str = ""
) -> QuerySet[Reward]:
    """Active rewards valid on ``on`` (local date) that the member type and tier may redeem
    (``tier_code``: the member's, :func:`member_tier`; "" for no tier)."""
    return (
        Reward.objects.filter(organization=organization, is_active=True)
        .filter(Q(valid_from_on__isnull=True) | Q(valid_from_on__lte=on))
        .filter(Q(valid_to_on__isnull=True) | Q(valid_to_on__gte=on))
        .filter(Q(member_types__isnull=True) | Q(member_types__id=member_type_id))
        .filter(_for_tier(tier_code))
        .distinct()
    )


def reward_stock_left(reward: Reward, branch: Branch | None) -> int | None:
    """Stock on hand for a redemption at ``branch``; None means unlimited."""
    if reward.stock_mode == Reward.StockMode.UNLIMITED:
        return None
    if reward.stock_mode == Reward.StockMode.GLOBAL:
        return reward.stock
    if branch is None:
        return 0
    return (
        RewardStock.objects.filter(reward=reward, branch=branch).values_list("quantity", flat=True).first() or 0
    )


def member_redeemed_count(member: Member, reward: Reward, *, now: dt.datetime) -> int:
    """Quantity of ``reward`` the member redeemed (not cancelled) in the reward's limit period."""
    rows = Redemption.objects.filter(member=member, reward=reward, status=Redemption.Status.DONE)
    start = period_start(reward.limit_period, now, member.organization.time_zone)
    if start is not None:
        rows = rows.filter(created_at__gte=start)
    return rows.aggregate(n=Sum("quantity"))["n"] or 0


@dataclass
class RewardOption:
    reward: Reward
    stock_left: int | None
    used: int
    limit_left: int | None
    shortfall: int  # points missing (0: enough)
    purchasable: bool  # the shortfall can be bought
    purchase_amount: Decimal = Decimal("0.00")
    refusal: str = ""
    messages: list[str] = field(default_factory=list)

    @property
    def redeemable(self) -> bool:
        return not self.refusal and (self.shortfall == 0 or self.purchasable)


def reward_options(
    member: Member, *, branch: Branch, spendable: int, now: dt.datetime | None = None
) -> list[RewardOption]:
    """Every reward offered to the member today, with why it can or cannot be redeemed now.

    Three queries whatever the catalog size: the rewards with this branch's stock, the member's
    redemption counts per period, and the organization's purchase settings; one more for the
    member's tier when the organization has a ladder.
    """
    now = now or timezone.now()
    org = member.organization
    tz = org.time_zone
    branch_stock = RewardStock.objects.filter(reward=OuterRef("pk"), branch=branch).values("quantity")[:1]
    tier = member_tier(member)
    rewards = [
        r for r in rewards_offered(org, member_type_id=member.member_type_id, on=local_today(org, now),
                                   tier_code=tier).annotate(
            branch_quantity=Coalesce(Subquery(branch_stock, output_field=IntegerField()), 0)
        )
        if tier_allowed(r.tiers, tier)
    ]
    starts = {p: period_start(p, now, tz) for p in LimitPeriod.values}
    agg = {"lifetime": Sum("quantity")}
    for p in (LimitPeriod.DAY, LimitPeriod.MONTH, LimitPeriod.YEAR):
        agg[p] = Sum("quantity", filter=Q(created_at__gte=starts[p]))
    counts = {
        row["reward_id"]: row
        for row in Redemption.objects.filter(
            member=member, status=Redemption.Status.DONE, reward_id__in=[r.pk for r in rewards]
        )
        .values("reward_id")
        .annotate(**agg)
    }
    settings = RewardSettings.objects.filter(organization=org).first()
    # a member who may not spend (card expired where benefits stop, suspended...) is offered
    # nothing redeemable: the same rule as the redemption (``services.redeem.ensure_benefits``)
    benefits = member_benefits(member, local_today(org, now))
    blocked = "" if benefits.active else (
        E.MEMBER_EXPIRED if benefits.reason == Member.Status.EXPIRED else E.MEMBER_NOT_ACTIVE)
    options = []
    for reward in rewards:
        if reward.stock_mode == Reward.StockMode.UNLIMITED:
            stock = None
        elif reward.stock_mode == Reward.StockMode.GLOBAL:
            stock = reward.stock
        else:
            stock = reward.branch_quantity
        used = (counts.get(reward.pk) or {}).get(reward.limit_period) or 0
        limit_left = None if reward.limit_quantity is None else max(reward.limit_quantity - used, 0)
        shortfall = max(reward.points_cost - spendable, 0)
        purchasable, amount = _purchasable(settings, shortfall)
        refusal = blocked
        if not refusal and stock is not None and stock < 1:
            refusal = E.OUT_OF_STOCK
        elif not refusal and limit_left is not None and limit_left < 1:
            refusal = E.LIMIT_REACHED
        options.append(
            RewardOption(
                reward=reward, stock_left=stock, used=used, limit_left=limit_left, shortfall=shortfall,
                purchasable=purchasable, purchase_amount=amount, refusal=refusal,
            )
        )
    return options


def _purchasable(settings: RewardSettings | None, shortfall: int) -> tuple[bool, Decimal]:
    if shortfall <= 0 or settings is None or settings.point_price is None:
        return False, Decimal("0.00")
    if shortfall > settings.purchase_max_points:
        return False, Decimal("0.00")
    return True, purchase_amount(points=shortfall, point_price=settings.point_price)


def discount_rule_for(organization: Organization, member_type_id: int) -> DiscountRuleData | None:
    """The member type's own active rule, else the organization's default; None: points are not money."""
    rules = {
        r.member_type_id: r
        for r in PointsDiscountRule.objects.filter(organization=organization, is_active=True).filter(
            Q(member_type_id=member_type_id) | Q(member_type__isnull=True)
        )
    }
    rule = rules.get(member_type_id) or rules.get(None)
    if rule is None:
        return None
    return DiscountRuleData(
        points_per_unit=rule.points_per_unit,
        per_amount=rule.per_amount,
        min_points=rule.min_points,
        max_bill_percent=rule.max_bill_percent,
        max_balance_percent=rule.max_balance_percent,
        places=places_of(organization.currency),
    )


def redemptions_of_day(
    organization: Organization, *, day: dt.date, branch_ids: set[int] | None = None
) -> QuerySet[Redemption]:
    tz = zoneinfo.ZoneInfo(organization.time_zone)
    start = dt.datetime.combine(day, dt.time(0), tzinfo=tz)
    rows = Redemption.objects.filter(
        organization=organization, created_at__gte=start, created_at__lt=start + dt.timedelta(days=1)
    ).select_related("member", "reward", "branch", "created_by", "cancelled_by")
    if branch_ids is not None:
        rows = rows.filter(branch_id__in=branch_ids)
    return rows.order_by("-created_at", "-id")


def coupons_of_member(member: Member) -> QuerySet[Coupon]:
    return Coupon.objects.filter(member=member).select_related("template").order_by("-issued_at", "-id")


def coupon_templates_offered(member: Member) -> QuerySet[CouponTemplate]:
    return (
        CouponTemplate.objects.filter(organization_id=member.organization_id, is_active=True)
        .filter(Q(member_types__isnull=True) | Q(member_types__id=member.member_type_id))
        .filter(_for_tier(member_tier(member)))
        .distinct()
    )


def member_status_refusal(member: Member) -> str | None:
    if member.status != Member.Status.ACTIVE:
        return _("This member is not active.")
    return None
