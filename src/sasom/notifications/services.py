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
from django.db import transaction
from django.utils import timezone

from sasom.core.errors import DomainError
from sasom.core.money import money
from sasom.members.registry import ErasureSubject
from sasom.notifications.errors import E_CHANNEL, E_RECIPIENT  # noqa: F401  (codes live in errors.py)

from .backends import DeliveryError, Outgoing, backend
from .channels import channel_settings
from .models import Channel, ChannelConfig, LineLink, LineLinkCode, Message
from .seal import SealBroken, seal, unseal
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


def messages_forget(*, organization_id: int, recipients: Sequence[str]) -> int:
    """PDPA erasure: the messages sent to these addresses (a member's phone, e-mail) keep their
    channel, purpose, status and times for the record, but no longer say to whom or what.
    Returns how many messages were blanked."""
    wanted = [r for r in recipients if r]
    if not wanted:
        return 0
    return Message.objects.filter(organization_id=organization_id, recipient__in=wanted).update(
        recipient=ERASED, body=ERASED, sealed="", error=""
    )


def member_erase(subject: ErasureSubject) -> None:
    """The eraser this app registers (``members.registry``): blank the messages to the member's
    phone, e-mail and LINE user id, and forget the LINE link and its codes."""
    links = LineLink.objects.filter(organization_id=subject.organization_id, member_id=subject.member_id)
    line_ids = list(links.values_list("line_user_id", flat=True))
    messages_forget(organization_id=subject.organization_id, recipients=[subject.phone, subject.email, *line_ids])
    links.delete()
    LineLinkCode.objects.filter(organization_id=subject.organization_id, member_id=subject.member_id).delete()
