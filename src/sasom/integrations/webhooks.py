"""Outbound events.

Domain services record events (``core.events.event_record``); :func:`events_subscribe`, run from
this app's ``ready()``, turns each event an endpoint wants into delivery rows in the recording
transaction (:func:`event_emit` does the same for an event raised here). Once the transaction
commits, a task tries each delivery. A failed attempt is retried
with exponential backoff (30 s, 1 min, 2 min, ... capped at 6 h) by :func:`webhooks_retry_due`,
which the worker or a cron line (``sasom webhooks_retry``) runs; after ``MAX_ATTEMPTS`` the delivery
is marked failed and an admin may resend it.

Each POST carries ``X-Sasom-Event``, ``X-Sasom-Delivery`` and
``X-Sasom-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from sasom.core import events
from sasom.integrations.models import WebhookDelivery, WebhookEndpoint

# Every kind but ``sale.posted``: an endpoint that listens to every event would start receiving
# one more delivery per sale, a change its integrator must choose (docs/api.md lists these).
EVENT_TYPES = tuple(kind for kind in events.KINDS if kind != events.SALE_POSTED)
MAX_ATTEMPTS = 10
TIMEOUT_SECONDS = 10
_ENDPOINT_CACHE_SECONDS = 30
_endpoints: dict[int, tuple[float, list[tuple[int, list[str]]]]] = {}
_lock = threading.Lock()


def forget_endpoints(organization_id: int) -> None:
    with _lock:
        _endpoints.pop(organization_id, None)


def _active_endpoints(organization_id: int) -> list[tuple[int, list[str]]]:
    now = time.monotonic()
    hit = _endpoints.get(organization_id)
    if hit is not None and hit[0] > now:
        return hit[1]
    rows = list(
        WebhookEndpoint.objects.filter(organization_id=organization_id, is_active=True).values_list("id", "events")
    )
    with _lock:
        _endpoints[organization_id] = (now + _ENDPOINT_CACHE_SECONDS, rows)
    return rows


def event_listeners(organization_id: int, event_type: str) -> list[int]:
    """The active endpoints of the organization that want ``event_type`` (cached per process)."""
    return [eid for eid, events in _active_endpoints(organization_id) if not events or event_type in events]


def event_emit(
    *, organization_id: int, event_type: str, data: dict[str, Any] | Callable[[], dict[str, Any]]
) -> int:
    """Queue ``event_type`` for every endpoint that wants it; returns how many deliveries.

    ``data`` may be a function, called only when some endpoint listens."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {event_type}")
    if not event_listeners(organization_id, event_type):
        return 0
    return _deliveries_queue(organization_id=organization_id, event_type=event_type,
                             data=data() if callable(data) else data, event_id=uuid.uuid4(),
                             created_at=timezone.now())


def _deliveries_queue(
    *, organization_id: int, event_type: str, data: dict[str, Any], event_id: uuid.UUID, created_at: dt.datetime
) -> int:
    targets = event_listeners(organization_id, event_type)
    if not targets:
        return 0
    payload = json.loads(json.dumps({
        "id": str(event_id),
        "type": event_type,
        "created_at": created_at.isoformat(),
        "organization": organization_id,
        "data": data,
    }, cls=DjangoJSONEncoder))
    deliveries = WebhookDelivery.objects.bulk_create([
        WebhookDelivery(organization_id=organization_id, endpoint_id=eid, event_id=event_id,
                        event_type=event_type, payload=payload, next_attempt_at=timezone.now())
        for eid in targets
    ])
    ids = [d.pk for d in deliveries]
    transaction.on_commit(lambda: [deliver_webhook_task.enqueue(pk) for pk in ids])
    return len(ids)


def _on_event(event: events.Event) -> None:
    """A recorded event becomes one delivery per endpoint that wants it; the webhook's event id
    is the outbox event's."""
    _deliveries_queue(organization_id=event.organization_id, event_type=event.kind, data=event.payload,
                      event_id=event.id, created_at=event.recorded_at)


def events_subscribe() -> None:
    """Subscribe the webhooks to every event kind (from ``IntegrationsConfig.ready``)."""
    for kind in EVENT_TYPES:
        events.subscribe(kind, _on_event, wants=_listened(kind))


def _listened(kind: str) -> events.Wants:
    """Whether an organization has an endpoint for ``kind`` (cached, see ``event_listeners``)."""
    return lambda organization_id: bool(event_listeners(organization_id, kind))


def signature_header(secret: str, body: bytes, timestamp: int) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 6 * 3600))


def webhook_deliver(*, delivery_id: int) -> WebhookDelivery | None:
    """One attempt. Claims the row so two workers never send the same attempt twice."""
    now = timezone.now()
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .select_related("endpoint")
            .filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING)
            .first()
        )
        if delivery is None:
            return None
        # Push the next attempt out before sending, so a crash mid-send retries later, not now.
        delivery.attempts += 1
        delivery.next_attempt_at = now + backoff(delivery.attempts)
        delivery.save(update_fields=["attempts", "next_attempt_at"])
    body = json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False).encode()
    request = urllib.request.Request(
        delivery.endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "Sasom-Webhooks/1",
            "X-Sasom-Event": delivery.event_type,
            "X-Sasom-Delivery": str(delivery.event_id),
            "X-Sasom-Signature": signature_header(delivery.endpoint.secret, body, int(time.time())),
        },
    )
    status_code, error = None, ""
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            status_code = response.status
    except urllib.error.HTTPError as exc:
        status_code, error = exc.code, f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        error = str(getattr(exc, "reason", exc))[:500]
    fields = {"last_status_code": status_code, "last_error": error}
    if status_code is not None and 200 <= status_code < 300:
        fields.update(status=WebhookDelivery.Status.DELIVERED, delivered_at=timezone.now(), next_attempt_at=None, last_error="")
    elif delivery.attempts >= MAX_ATTEMPTS:
        fields.update(status=WebhookDelivery.Status.FAILED, next_attempt_at=None)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(**fields)
    delivery.refresh_from_db()
    return delivery


def webhooks_retry_due(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Attempt every pending delivery whose time has come; returns how many were attempted."""
    now = now or timezone.now()
    due = list(
        WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in due:
        webhook_deliver(delivery_id=pk)
    return len(due)


@transaction.atomic
def webhook_resend(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again (after an outage, or to test an endpoint)."""
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=WebhookDelivery.Status.PENDING, attempts=0, next_attempt_at=timezone.now()
    )
    pk = delivery.pk
    transaction.on_commit(lambda: deliver_webhook_task.enqueue(pk))
    delivery.refresh_from_db()
    return delivery


@task()
def deliver_webhook_task(delivery_id: int) -> None:
    webhook_deliver(delivery_id=delivery_id)


@task()
def webhooks_retry_task() -> int:
    return webhooks_retry_due()
