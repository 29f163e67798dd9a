"""The rewards sections of a member's data export (redemptions, coupons), registered from
``RewardsConfig.ready`` (``members.registry``)."""

from __future__ import annotations

from sasom.members.models import Member
from sasom.members.privacy import export_rows
from sasom.members.registry import Rows, register_exporter
from sasom.rewards.models import Coupon, Redemption


def export_redemptions(member: Member) -> Rows:
    return export_rows(
        Redemption.objects.filter(member=member).order_by("created_at", "id"),
        ["number", "reward__code", "reward__name", "branch__code", "quantity", "points", "cash_copay", "status",
         "created_at", "cancelled_at"],
    )


def export_coupons(member: Member) -> Rows:
    return export_rows(
        Coupon.objects.filter(member=member).order_by("issued_at", "id"),
        ["code", "template__code", "template__name", "status", "points", "issued_at", "expires_at", "used_at",
         "used_amount", "cancelled_at"],
    )


def register() -> None:
    register_exporter("redemptions", export_redemptions)
    register_exporter("coupons", export_coupons)
