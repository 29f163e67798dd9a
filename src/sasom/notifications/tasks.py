"""The worker's side of the outbox."""

from __future__ import annotations

from django_tasks import task

from sasom.core.zones import shop_zone

from .broadcasts import broadcast_run_batch
from .models import Broadcast
from .services import message_deliver


@task()
def message_deliver_task(message_id: int) -> str:
    message = message_deliver(message_id=message_id)
    return message.status if message is not None else "missing"


@task()
def broadcast_run_task(broadcast_id: int) -> str:
    found = Broadcast.objects.filter(pk=broadcast_id).select_related("organization").first()
    # the messages are written in the organization's context: its clock, calendar, currency (core.shopcontext)
    with shop_zone(found.organization if found is not None else None):
        broadcast = broadcast_run_batch(broadcast_id=broadcast_id)
    return broadcast.status if broadcast is not None else "missing"
