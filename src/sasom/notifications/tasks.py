"""The worker's side of the outbox."""

from __future__ import annotations

from django_tasks import task

from .services import message_deliver


@task()
def message_deliver_task(message_id: int) -> str:
    message = message_deliver(message_id=message_id)
    return message.status if message is not None else "missing"
