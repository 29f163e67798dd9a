"""The event stream: how a lower app tells higher ones that something happened.

A domain service calls :func:`event_record` inside its transaction. When some subscriber wants the
event for that organization, one :class:`~sasom.core.models.OutboxEvent` row is written and every
in-process handler that wants it runs, all in the caller's transaction: an event whose change
rolls back is never seen. When nobody wants it, nothing is written and the payload is never built,
so a sale in an organization without a webhook costs no extra row.

Higher apps subscribe from their ``AppConfig.ready()``; a lower app never imports them. A
subscriber with no handler (``handler=None``) is an asynchronous consumer: rows it wants keep
``processed_at`` empty until it reads them with :func:`events_unprocessed` and marks them with
:func:`events_mark_processed`.

The catalogue (kinds, payload fields, emitters) is in docs/architecture.md, "Event stream".
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from sasom.core.jobs import day_start
from sasom.core.models import OutboxEvent

MEMBER_CREATED = "member.created"
MEMBER_UPDATED = "member.updated"
POINTS_EARNED = "points.earned"
POINTS_REDEEMED = "points.redeemed"
POINTS_EXPIRED = "points.expired"
POINTS_REVERSED = "points.reversed"
POINTS_ADJUSTED = "points.adjusted"
SALE_POSTED = "sale.posted"
MEMBER_TIER_CHANGED = "member.tier_changed"
COUPON_ISSUED = "coupon.issued"
COUPON_USED = "coupon.used"

KINDS: tuple[str, ...] = (
    MEMBER_CREATED,
    MEMBER_UPDATED,
    POINTS_EARNED,
    POINTS_REDEEMED,
    POINTS_EXPIRED,
    POINTS_REVERSED,
    POINTS_ADJUSTED,
    SALE_POSTED,
    MEMBER_TIER_CHANGED,
    COUPON_ISSUED,
    COUPON_USED,
)

Payload = dict[str, Any]


@dataclass(frozen=True)
class Event:
    """One recorded event as handlers see it; ``payload`` holds plain JSON values only."""

    id: uuid.UUID
    organization_id: int
    kind: str
    payload: Payload
    occurred_at: dt.datetime
    recorded_at: dt.datetime


Handler = Callable[[Event], None]
Wants = Callable[[int], bool]


@dataclass(frozen=True)
class _Subscription:
    handler: Handler | None
    wants: Wants | None


_subscriptions: dict[str, list[_Subscription]] = {}


def subscribe(kind: str, handler: Handler | None, *, wants: Wants | None = None) -> Callable[[], None]:
    """Run ``handler`` for every ``kind`` event of an organization for which ``wants`` is true
    (every organization without ``wants``). ``wants`` is asked on every event: keep it cheap
    (cached per process). Returns a function that undoes the subscription (for tests)."""
    if kind not in KINDS:
        raise ValueError(f"unknown event kind {kind}")
    subscription = _Subscription(handler=handler, wants=wants)
    _subscriptions.setdefault(kind, []).append(subscription)

    def unsubscribe() -> None:
        _subscriptions[kind].remove(subscription)

    return unsubscribe


def _wanting(organization_id: int, kind: str) -> list[_Subscription]:
    return [s for s in _subscriptions.get(kind, ()) if s.wants is None or s.wants(organization_id)]


def event_wanted(organization_id: int, kind: str) -> bool:
    """True when some subscriber wants ``kind`` events of this organization, i.e. when
    :func:`event_record` would write a row (a hot path opens a transaction only then)."""
    return any(s.wants is None or s.wants(organization_id) for s in _subscriptions.get(kind, ()))


def event_record(
    *,
    organization_id: int,
    kind: str,
    payload: Payload | Callable[[], Payload],
    occurred_at: dt.datetime | None = None,
) -> None:
    """Record ``kind`` in the caller's transaction and run the in-process handlers that want it.

    ``payload`` may be a function, called only when somebody wants the event. Datetimes, decimals
    and UUIDs in it become JSON strings (ISO 8601) before handlers see it."""
    if kind not in KINDS:
        raise ValueError(f"unknown event kind {kind}")
    wanting = _wanting(organization_id, kind)
    if not wanting:
        return
    data = payload() if callable(payload) else payload
    now = timezone.now()
    event = Event(
        id=uuid.uuid4(),
        organization_id=organization_id,
        kind=kind,
        payload=json.loads(json.dumps(data, cls=DjangoJSONEncoder)),
        occurred_at=occurred_at or now,
        recorded_at=now,
    )
    asynchronous = any(s.handler is None for s in wanting)
    # savepoint=False: inside the caller's transaction this adds no statement; called outside
    # one, the row and the handlers' writes still commit together.
    with transaction.atomic(savepoint=False):
        OutboxEvent.objects.create(
            organization_id=organization_id, uuid=event.id, kind=kind, payload=event.payload,
            occurred_at=event.occurred_at, recorded_at=now, processed_at=None if asynchronous else now,
        )
        for s in wanting:
            if s.handler is not None:
                s.handler(event)


def _as_event(row: OutboxEvent) -> Event:
    return Event(id=row.uuid, organization_id=row.organization_id, kind=row.kind, payload=row.payload,
                 occurred_at=row.occurred_at, recorded_at=row.recorded_at)


def events_unprocessed(*, limit: int = 500, kinds: Iterable[str] | None = None) -> list[tuple[int, Event]]:
    """The oldest events an asynchronous consumer has not seen yet, with their row ids."""
    rows = OutboxEvent.objects.filter(processed_at__isnull=True).order_by("id")
    if kinds is not None:
        rows = rows.filter(kind__in=list(kinds))
    return [(row.pk, _as_event(row)) for row in rows[:limit]]


def events_mark_processed(ids: Iterable[int], *, now: dt.datetime | None = None) -> int:
    return OutboxEvent.objects.filter(pk__in=list(ids), processed_at__isnull=True).update(
        processed_at=now or timezone.now()
    )


EVENTS_KEEP_DAYS = 30


def events_purge(*, now: dt.datetime | None = None, keep_days: int = EVENTS_KEEP_DAYS) -> int:
    """Delete processed events recorded more than ``keep_days`` ago; returns how many."""
    before = (now or timezone.now()) - dt.timedelta(days=keep_days)
    deleted, _by_model = OutboxEvent.objects.filter(processed_at__isnull=False, recorded_at__lt=before).delete()
    return deleted


def events_purge_job(*, on_date: dt.date) -> dict[str, int]:
    """Delete processed outbox events older than 30 days (core's daily job, whole database)."""
    return {"deleted_events": events_purge(now=day_start(on_date, None))}
