"""What a shop and the law expect of messages to members (DOMAIN.md, 13).

* Transactional messages always go when the channel is known; marketing ones only with the
  member's marketing consent (PDPA).
* Quiet hours, in the organization's time zone: a message that may wait (marketing, date-based
  reminders) is queued until they end, never dropped. A window may span midnight (21:00-08:00).
* A daily cap of marketing messages per member (every channel counted; 0: no cap).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from .models import Message, MessageKind, MessagingSettings


def messaging_settings(organization_id: int) -> MessagingSettings:
    found = MessagingSettings.objects.filter(organization_id=organization_id).first()
    return found if found is not None else MessagingSettings(organization_id=organization_id)


def quiet_end(settings: MessagingSettings, now: dt.datetime, time_zone: str) -> dt.datetime | None:
    """When the quiet hours around ``now`` end, or None when ``now`` is not in them."""
    start, end = settings.quiet_from, settings.quiet_until
    if start == end:
        return None
    zone = zoneinfo.ZoneInfo(time_zone or "Asia/Bangkok")
    local = now.astimezone(zone)
    clock = local.time().replace(tzinfo=None)
    quiet = (clock >= start or clock < end) if start > end else (start <= clock < end)
    if not quiet:
        return None
    ends = dt.datetime.combine(local.date(), end, tzinfo=zone)
    if ends <= local:
        ends += dt.timedelta(days=1)
    return ends


def over_daily_cap(settings: MessagingSettings, *, member_id: int, now: dt.datetime) -> bool:
    if not settings.marketing_daily_cap:
        return False
    sent = Message.objects.filter(
        organization_id=settings.organization_id, member_id=member_id, kind=MessageKind.MARKETING,
        created_at__gt=now - dt.timedelta(days=1)).exclude(status=Message.Status.FAILED).count()
    return sent >= settings.marketing_daily_cap
