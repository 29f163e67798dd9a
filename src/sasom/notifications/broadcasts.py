"""Broadcasts: one message to the members of a segment, scheduled, sent by the worker in
throttled batches, with a delivery report.

:func:`broadcast_create` checks the segment (:mod:`sasom.segments`) and the text, and enqueues
:func:`broadcast_run_batch` for the time chosen. Each batch takes the next
``NOTIFY_BROADCAST_PER_MINUTE`` members in id order after the broadcast's cursor and queues their
messages in one transaction, then enqueues the next batch a minute later; a batch run twice (a
worker restarted) queues nothing twice, every message being keyed ``broadcast:<id>:<member>``.
Broadcasts are marketing: members without marketing consent or over the daily cap are skipped,
messages found in quiet hours wait for their end (:mod:`.rules`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from sasom.core.audit import Actor, audit_record
from sasom.core.errors import DomainError
from sasom.core.jobs import local_today
from sasom.organizations.models import Organization
from sasom.segments.builder import segment_members, segment_plain

from .errors import E_CHANNEL, E_LINK, E_TEMPLATE
from .event_messages import member_language, member_values
from .events import COMMON
from .links import link_target
from .models import Broadcast, Channel, Message, MessageKind
from .optout import PLACEHOLDER as OPTOUT
from .optout import optout_link
from .services import member_message_send
from .templating import template_check, template_render

PURPOSE = "broadcast"
MAX_BODY = 2000
LINK = "news_link"  # the placeholder of the page picked (a portal news item)


def _enqueue_batch(broadcast_id: int, run_after: dt.datetime | None) -> None:
    from .tasks import broadcast_run_task  # tasks imports this module: import at call time

    task = broadcast_run_task
    if run_after is not None and task.get_backend().supports_defer:
        task = task.using(run_after=run_after)
    task.enqueue(broadcast_id)


def _deferrable() -> bool:
    from .tasks import broadcast_run_task  # tasks imports this module: import at call time

    return bool(broadcast_run_task.get_backend().supports_defer)


@transaction.atomic
def broadcast_create(
    *, organization: Organization, name: str, channel: str, body_th: str, body_en: str, subject: str = "",
    conditions: Any, scheduled_at: dt.datetime, actor: Actor, link: str = "",
) -> Broadcast:
    """Schedule a broadcast. ``link`` is the key of a page to link to (a live portal news item,
    :func:`.links.link_targets`): the texts may place it with ``{news_link}``; a text that does
    not gets it at its end."""
    if channel not in Channel.values:
        raise DomainError(E_CHANNEL, _("Unknown channel."), field="channel")
    stored = segment_plain(conditions)
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise DomainError(E_TEMPLATE, _("Give the broadcast a name (up to 100 characters)."), field="name")
    target = None
    if link:
        target = link_target(organization, link, local_today(organization.time_zone))
        if target is None:
            raise DomainError(E_LINK, _("This news item is not published or has ended."), field="news")
    allowed = (*COMMON, OPTOUT, LINK) if target else (*COMMON, OPTOUT)
    texts = {"body_th": (body_th or "").strip(), "body_en": (body_en or "").strip(), "subject": (subject or "").strip()}
    if target:
        for field in ("body_th", "body_en"):
            if texts[field] and "{" + LINK + "}" not in texts[field]:
                texts[field] += "\n{" + LINK + "}"
    for field, text in texts.items():
        if len(text) > (200 if field == "subject" else MAX_BODY):
            raise DomainError(E_TEMPLATE, _("This text is too long."), field=field)
        template_check(text, allowed, field=field)
    if not (texts["body_th"] or texts["body_en"]):
        raise DomainError(E_TEMPLATE, _("Write the text in Thai or English."), field="body_th")
    if timezone.is_naive(scheduled_at):
        raise DomainError(E_TEMPLATE, _("Choose when to send."), field="scheduled_at")
    broadcast = Broadcast.objects.create(
        organization=organization, name=name, channel=channel, conditions=stored,
        link_title=target.title[:200] if target else "", link_url=target.url[:500] if target else "",
        scheduled_at=scheduled_at, created_by=actor.label[:200], **texts)
    audit_record(organization_id=organization.pk, actor=actor, action="notify.broadcast_create", obj=broadcast,
                 changes={"channel": [None, channel], "scheduled_at": [None, scheduled_at.isoformat()],
                          "conditions": [None, broadcast.conditions], "link": [None, broadcast.link_url or None]})
    pk, when = broadcast.pk, scheduled_at
    transaction.on_commit(lambda: _enqueue_batch(pk, when))
    return broadcast


@transaction.atomic
def broadcast_cancel(*, broadcast: Broadcast, actor: Actor) -> Broadcast:
    """Stop a broadcast: members not yet reached get nothing; messages already queued still go."""
    broadcast = Broadcast.objects.select_for_update().get(pk=broadcast.pk)
    if broadcast.status in (Broadcast.Status.SCHEDULED, Broadcast.Status.SENDING):
        broadcast.status = Broadcast.Status.CANCELLED
        broadcast.finished_at = timezone.now()
        broadcast.save(update_fields=["status", "finished_at"])
        audit_record(organization_id=broadcast.organization_id, actor=actor, action="notify.broadcast_cancel",
                     obj=broadcast)
    return broadcast


def broadcast_run_batch(*, broadcast_id: int, now: dt.datetime | None = None, limit: int | None = None) -> Broadcast | None:
    """Queue the next batch of a due broadcast (the worker's task; safe to run twice)."""
    now = now or timezone.now()
    limit = limit or settings.NOTIFY_BROADCAST_PER_MINUTE
    with transaction.atomic():
        broadcast = Broadcast.objects.select_for_update().select_related("organization").filter(pk=broadcast_id).first()
        if broadcast is None or broadcast.status not in (Broadcast.Status.SCHEDULED, Broadcast.Status.SENDING):
            return broadcast
        if broadcast.scheduled_at > now:
            when = broadcast.scheduled_at
            if _deferrable():
                transaction.on_commit(lambda: _enqueue_batch(broadcast_id, when))
            return broadcast
        organization = broadcast.organization
        members = segment_members(organization_id=organization.pk, conditions=broadcast.conditions)
        if broadcast.status == Broadcast.Status.SCHEDULED:
            broadcast.status = Broadcast.Status.SENDING
            broadcast.started_at = now
            broadcast.selected = members.count()
        batch = list(members.filter(pk__gt=broadcast.cursor).order_by("pk")[:limit])
        for member in batch:
            language = member_language(organization, member)
            body = (broadcast.body_en or broadcast.body_th) if language == "en" else (broadcast.body_th or broadcast.body_en)
            values = {**member_values(organization, member, language=language), LINK: broadcast.link_url,
                      OPTOUT: optout_link(organization, member.pk)}
            member_message_send(
                organization=organization, member=member, channel=broadcast.channel, kind=MessageKind.MARKETING,
                purpose=PURPOSE, subject=template_render(broadcast.subject, values), body=template_render(body, values),
                event_key=f"broadcast:{broadcast.pk}:{member.pk}", may_wait=True, now=now, broadcast_id=broadcast.pk)
        if batch:
            broadcast.cursor = batch[-1].pk
            broadcast.processed += len(batch)
        if len(batch) < limit:
            broadcast.status = Broadcast.Status.DONE
            broadcast.finished_at = now
        else:
            later = now + dt.timedelta(minutes=1)
            transaction.on_commit(lambda: _enqueue_batch(broadcast_id, later))
        broadcast.save(update_fields=["status", "started_at", "selected", "cursor", "processed", "finished_at"])
    return broadcast


@dataclass(frozen=True)
class BroadcastReport:
    queued: int
    sent: int  # handed to the gateway (delivered ones included)
    delivered: int  # reported delivered by the gateway, where it reports
    failed: int
    skipped: int  # reached but not sent: no address on the channel, no consent, over the cap
    parts: int
    cost: Decimal
    reasons: list[tuple[str, int]]


def broadcast_report(broadcast: Broadcast) -> BroadcastReport:
    rows = {r["status"]: r for r in Message.objects.filter(
        organization_id=broadcast.organization_id, broadcast=broadcast).values("status").annotate(
        n=Count("id"), parts=Sum("segments"), cost=Sum("cost"))}

    def n(status: str) -> int:
        return int(rows.get(status, {}).get("n") or 0)

    created = sum(int(r["n"]) for r in rows.values())
    reasons = list(Message.objects.filter(
        organization_id=broadcast.organization_id, broadcast=broadcast, status=Message.Status.FAILED)
        .values("error").annotate(n=Count("id")).order_by("-n").values_list("error", "n")[:5])
    return BroadcastReport(
        queued=n(Message.Status.QUEUED), sent=n(Message.Status.SENT) + n(Message.Status.DELIVERED),
        delivered=n(Message.Status.DELIVERED), failed=n(Message.Status.FAILED),
        skipped=max(broadcast.processed - created, 0),
        parts=sum(int(r["parts"] or 0) for r in rows.values()),
        cost=sum((Decimal(r["cost"] or 0) for r in rows.values()), Decimal("0.00")),
        reasons=[(str(e), int(c)) for e, c in reasons])
