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

from django.db import transaction
from django.utils.translation import gettext as _

from sasom.core.audit import Actor, audit_record
from sasom.core.errors import DomainError

from .errors import E_QUIET_HOURS
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


@transaction.atomic
def messaging_settings_save(*, organization_id: int, quiet_from: dt.time, quiet_until: dt.time,
                            marketing_daily_cap: int, actor: Actor,
                            opt_out_keywords: str | None = None) -> MessagingSettings:
    if not 0 <= int(marketing_daily_cap) <= 100:
        raise DomainError(E_QUIET_HOURS, _("The daily cap is from 0 to 100."), field="marketing_daily_cap")
    row, _created = MessagingSettings.objects.select_for_update().get_or_create(organization_id=organization_id)
    before = {"quiet_from": str(row.quiet_from), "quiet_until": str(row.quiet_until), "cap": row.marketing_daily_cap,
              "opt_out": row.opt_out_keywords}
    row.quiet_from, row.quiet_until, row.marketing_daily_cap = quiet_from, quiet_until, int(marketing_daily_cap)
    if opt_out_keywords is not None:
        words = " ".join(opt_out_keywords.split())
        if not words or len(words) > 200:
            raise DomainError(E_QUIET_HOURS, _("Give at least one opt-out word (200 characters at most)."),
                              field="opt_out_keywords")
        row.opt_out_keywords = words
    row.save()
    after = {"quiet_from": str(quiet_from), "quiet_until": str(quiet_until), "cap": row.marketing_daily_cap,
             "opt_out": row.opt_out_keywords}
    audit_record(organization_id=organization_id, actor=actor, action="notify.settings_save", obj=row,
                 changes={k: [before[k], v] for k, v in after.items() if before[k] != v})
    return row
