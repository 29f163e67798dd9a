"""Reads of messaging."""

from __future__ import annotations

from .models import Channel, ChannelConfig, LineLink


def line_recipient(*, organization_id: int, member_id: int) -> str | None:
    """The LINE user id to push to, or None (not linked, or the member blocked the account)."""
    return LineLink.objects.filter(organization_id=organization_id, member_id=member_id, following=True
                                   ).values_list("line_user_id", flat=True).first()


def line_offered(organization_id: int) -> tuple[bool, str]:
    """Whether the shop sends by LINE (an active LINE gateway), and its add-friend link."""
    config = ChannelConfig.objects.filter(organization_id=organization_id, channel=Channel.LINE, gateway="line",
                                          is_active=True).only("options").first()
    if config is None:
        return False, ""
    return True, str(config.options.get("add_friend_url") or "")
