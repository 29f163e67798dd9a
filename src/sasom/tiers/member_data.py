"""The member data export's tier section (``members.registry``), registered from
``TiersConfig.ready``: the member's tier changes with why."""

from __future__ import annotations

from sasom.members.models import Member
from sasom.members.privacy import export_rows
from sasom.members.registry import Rows, register_exporter
from sasom.tiers.models import TierChange


def export_tier_history(member: Member) -> Rows:
    return export_rows(
        TierChange.objects.filter(organization_id=member.organization_id, member=member).order_by("changed_at", "id"),
        ["from_code", "to_code", "reason", "detail", "measure", "window_from", "window_to", "effective_on",
         "changed_at", "note"],
    )


def register() -> None:
    register_exporter("tier_history", export_tier_history)
