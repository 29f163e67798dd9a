"""Sending a message: store it in the outbox, then let the worker deliver it.

:func:`message_send` stores the message (secrets masked) and, once the caller's transaction
commits, enqueues :func:`~sasom.notifications.tasks.message_deliver_task` with the message's id
only: task arguments are stored in the queue's table, so they must never carry a secret.
:func:`message_deliver` hands the clear text to the organization's gateway for the channel
(:class:`~sasom.notifications.models.ChannelConfig`), or to the backend chosen by
``NOTIFY_BACKEND`` when it has none; a failed attempt is retried later (``NOTIFY_RETRY_SECONDS``
doubled each time) up to ``NOTIFY_MAX_ATTEMPTS``, and a refusal the gateway calls permanent (an
invalid number, a blocked LINE user) is given up at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from sasom.core.errors import DomainError
from sasom.core.money import money
from sasom.members.models import Member
from sasom.members.registry import ErasureSubject
from sasom.notifications.errors import E_CHANNEL, E_RECIPIENT  # noqa: F401  (codes live in errors.py)
from sasom.organizations.models import Organization

from .backends import DeliveryError, Outgoing, backend
from .channels import channel_settings
from .models import Channel, ChannelConfig, LineLink, LineLinkCode, Message, MessageKind
from .rules import messaging_settings, over_daily_cap, quiet_end
from .seal import SealBroken, seal, unseal
from .selectors import line_recipient
from .sms import sms_count

MASK = "••••••"
ERASED = "(erased)"


def _masked(body: str, secrets: Sequence[str]) -> str:
    for secret in secrets:
        if secret:
            body = body.replace(secret, MASK)
    return body


@transaction.atomic
def message_send(
    *, organization_id: int, channel: str, recipient: str, purpose: str, body: str, secrets: Sequence[str] = (),
    subject: str = "",
) -> Message:
    """Queue ``body`` for ``recipient``. Each string in ``secrets`` (a one-time code) is masked in
    the stored body and reaches only the delivery backend."""
    if channel not in Channel.values:
        raise DomainError(E_CHANNEL, "Unknown channel.", field="channel")
    if not recipient:
        raise DomainError(E_RECIPIENT, "A message needs a recipient.", field="recipient")
    stored = _masked(body, secrets)
    message = Message.objects.create(
        organization_id=organization_id, channel=channel, recipient=recipient, purpose=purpose[:40],
        subject=subject[:200], body=stored, sealed=seal(body) if stored != body else "",
    )
    pk = message.pk
    transaction.on_commit(lambda: _enqueue(pk))
    return message


@transaction.atomic
def member_message_send(
    *, organization: Organization, member: Member, channel: str, kind: str, purpose: str, body: str, subject: str = "",
    event_key: str = "", may_wait: bool = False, now: dt.datetime | None = None, broadcast_id: int | None = None,
) -> Message | None:
    """Queue a message to ``member`` by ``channel`` under the rules (:mod:`.rules`); None when it
    is not to be sent: no address for the channel (no phone, e-mail or followed LINE), a member
    anonymized or closed, a marketing message without consent or over the daily cap, or an
    ``event_key`` already sent on this channel. ``may_wait``: quiet hours apply (marketing
    messages always wait)."""
    now = now or timezone.now()
    if member.status in (Member.Status.ANONYMIZED, Member.Status.CLOSED) or member.anonymized_at is not None:
        return None
    recipient: str | None
    if channel == Channel.SMS:
        recipient = member.phone
    elif channel == Channel.EMAIL:
        recipient = member.email
    else:
        recipient = line_recipient(organization_id=organization.pk, member_id=member.pk)
    if not recipient:
        return None
    rules = messaging_settings(organization.pk)
    if kind == MessageKind.MARKETING:
        if not member.marketing_consent or over_daily_cap(rules, member_id=member.pk, now=now):
            return None
        may_wait = True
    if event_key and Message.objects.filter(organization=organization, event_key=event_key, channel=channel).exists():
        return None
    not_before = quiet_end(rules, now, organization.time_zone) if may_wait else None
    try:
        with transaction.atomic():  # a savepoint: a racing twin leaves the caller's transaction intact
            message = Message.objects.create(
                organization=organization, member=member, kind=kind, event_key=event_key[:80], channel=channel,
                recipient=recipient, purpose=purpose[:40], subject=subject[:200], body=body, not_before=not_before,
                broadcast_id=broadcast_id)
    except IntegrityError:
        return None
    pk = message.pk
    transaction.on_commit(lambda: _enqueue(pk, not_before))
    return message


def _enqueue(message_id: int, run_after: dt.datetime | None = None) -> None:
    from .tasks import message_deliver_task  # tasks imports this module: import at call time

    task = message_deliver_task
    if run_after is not None and task.get_backend().supports_defer:
        task = task.using(run_after=run_after)
    task.enqueue(message_id)


def message_deliver(*, message_id: int, now: dt.datetime | None = None) -> Message | None:
    """Deliver one queued message; a message already sent or given up is left alone."""
    now = now or timezone.now()
    retry_at = None
    with transaction.atomic():
        message = Message.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.status != Message.Status.QUEUED:
            return message
        if message.not_before is not None and message.not_before > now:
            # quiet hours: put back for later (a queue that cannot defer leaves it queued)
            when = message.not_before
            if message_deliver_deferrable():
                transaction.on_commit(lambda: _enqueue(message_id, when))
            return message
        message.attempts += 1
        config = ChannelConfig.objects.filter(
            organization_id=message.organization_id, channel=message.channel, is_active=True).first()
        try:
            text = unseal(message.sealed) if message.sealed else message.body
            outgoing = Outgoing(
                message_id=message.pk, organization_id=message.organization_id, channel=message.channel,
                recipient=message.recipient, purpose=message.purpose, body=text, subject=message.subject,
            )
            segments = sms_count(text).segments if message.channel == Channel.SMS else 1
            if config is None:
                backend().send(outgoing)
                message.gateway = getattr(settings, "NOTIFY_BACKEND", "console")[:30]
            else:
                gateway, gateway_settings = channel_settings(config)
                delivery = gateway().send(outgoing, gateway_settings)
                message.gateway = config.gateway
                message.provider_ref = delivery.provider_ref
                segments = delivery.segments or segments
                message.cost = money(config.cost_per_segment * segments)
        except (DeliveryError, SealBroken) as error:
            message.error = f"{type(error).__name__}: {error}"[:500]
            permanent = isinstance(error, SealBroken) or getattr(error, "permanent", False)
            if permanent or message.attempts >= settings.NOTIFY_MAX_ATTEMPTS:
                message.status = Message.Status.FAILED
                message.sealed = ""
            else:
                retry_at = now + dt.timedelta(seconds=settings.NOTIFY_RETRY_SECONDS * 2 ** (message.attempts - 1))
        else:
            message.status = Message.Status.SENT
            message.sent_at = now
            message.sealed = ""
            message.error = ""
            message.segments = segments
        message.save(update_fields=["attempts", "status", "sent_at", "sealed", "error", "gateway", "provider_ref",
                                    "segments", "cost"])
        if retry_at is not None:
            transaction.on_commit(lambda: _enqueue(message_id, retry_at))
    return message


def message_deliver_deferrable() -> bool:
    from .tasks import message_deliver_task  # tasks imports this module: import at call time

    return bool(message_deliver_task.get_backend().supports_defer)


def messages_forget(*, organization_id: int, recipients: Sequence[str]) -> int:
    """PDPA erasure: the messages sent to these addresses (a member's phone, e-mail) keep their
    channel, purpose, status and times for the record, but no longer say to whom or what.
    Returns how many messages were blanked."""
    wanted = [r for r in recipients if r]
    if not wanted:
        return 0
    return Message.objects.filter(organization_id=organization_id, recipient__in=wanted).update(
        recipient=ERASED, subject="", body=ERASED, sealed="", error=""
    )


def member_erase(subject: ErasureSubject) -> None:
    """The eraser this app registers (``members.registry``): blank the messages to the member's
    phone, e-mail and LINE user id, and forget the LINE link and its codes."""
    links = LineLink.objects.filter(organization_id=subject.organization_id, member_id=subject.member_id)
    line_ids = list(links.values_list("line_user_id", flat=True))
    messages_forget(organization_id=subject.organization_id, recipients=[subject.phone, subject.email, *line_ids])
    # and whatever was sent to the member at an address they no longer had when erased
    Message.objects.filter(organization_id=subject.organization_id, member_id=subject.member_id).update(
        recipient=ERASED, subject="", body=ERASED, sealed="", error="")
    links.delete()
    LineLinkCode.objects.filter(organization_id=subject.organization_id, member_id=subject.member_id).delete()
