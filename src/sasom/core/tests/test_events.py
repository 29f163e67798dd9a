"""The event outbox: a row and its handlers in the caller's transaction, nothing when nobody wants it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.db import transaction

from sasom.core import events
from sasom.core.audit import Actor, audit_record
from sasom.core.models import AuditEvent, OutboxEvent
from sasom.integrations import webhooks


class _Boom(Exception):
    pass


@pytest.fixture(autouse=True)
def _no_webhook_cache() -> Iterator[None]:
    webhooks._endpoints.clear()
    yield
    webhooks._endpoints.clear()


@pytest.fixture
def subscribed() -> Iterator:
    undo: list = []

    def do(kind: str, handler: events.Handler | None, **kw: object) -> None:
        undo.append(events.subscribe(kind, handler, **kw))  # type: ignore[arg-type]

    yield do
    for u in undo:
        u()


def test_nobody_wants_it_so_nothing_is_written_nor_built(org):
    # given an organization without webhooks or other subscribers
    built = []

    def payload() -> dict:
        built.append(1)
        return {"x": 1}

    # when a service records an event
    events.event_record(organization_id=org.pk, kind=events.POINTS_EARNED, payload=payload)
    # then no row and the payload was never built
    assert not events.event_wanted(org.pk, events.POINTS_EARNED)
    assert OutboxEvent.objects.count() == 0 and built == []


def test_a_wanted_event_writes_its_row_and_runs_the_handler(org, subscribed):
    # given a handler that writes a row of its own
    seen: list[events.Event] = []

    def handler(event: events.Event) -> None:
        seen.append(event)
        audit_record(organization_id=event.organization_id, actor=Actor.system("test"), action="seen",
                     object_repr=event.kind)

    subscribed(events.MEMBER_CREATED, handler)
    when = dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC)
    # when the event is recorded
    with transaction.atomic():
        events.event_record(organization_id=org.pk, kind=events.MEMBER_CREATED,
                            payload={"member": "M1", "at": when}, occurred_at=when)
    # then one row, and the handler saw plain JSON with the row's id
    row = OutboxEvent.objects.get()
    assert (row.kind, row.payload, row.occurred_at) == ("member.created", {"member": "M1", "at": "2026-03-01T09:00:00Z"}, when)
    assert row.processed_at is not None  # only in-process handlers wanted it
    assert [e.id for e in seen] == [row.uuid] and seen[0].payload == row.payload
    assert AuditEvent.objects.filter(action="seen").count() == 1


def test_a_rollback_leaves_neither_the_event_nor_what_handlers_wrote(org, subscribed):
    subscribed(events.MEMBER_UPDATED, lambda e: audit_record(
        organization_id=e.organization_id, actor=Actor.system("test"), action="seen", object_repr=e.kind))
    # when the recording transaction fails after the event
    with pytest.raises(_Boom), transaction.atomic():
        events.event_record(organization_id=org.pk, kind=events.MEMBER_UPDATED, payload={})
        raise _Boom
    # then nothing stays
    assert OutboxEvent.objects.count() == 0
    assert AuditEvent.objects.filter(action="seen").count() == 0


def test_wants_is_per_organization(org, other_org, subscribed):
    seen: list[int] = []
    subscribed(events.POINTS_EXPIRED, lambda e: seen.append(e.organization_id), wants=lambda oid: oid == org.pk)
    assert events.event_wanted(org.pk, events.POINTS_EXPIRED)
    assert not events.event_wanted(other_org.pk, events.POINTS_EXPIRED)
    assert not events.event_wanted(org.pk, events.POINTS_EARNED)
    events.event_record(organization_id=other_org.pk, kind=events.POINTS_EXPIRED, payload={})
    events.event_record(organization_id=org.pk, kind=events.POINTS_EXPIRED, payload={})
    assert seen == [org.pk]
    assert list(OutboxEvent.objects.values_list("organization_id", flat=True)) == [org.pk]


def test_an_asynchronous_consumer_reads_then_marks_what_it_wants(org, subscribed):
    # given a consumer with no in-process handler
    subscribed(events.POINTS_REDEEMED, None)
    events.event_record(organization_id=org.pk, kind=events.POINTS_REDEEMED, payload={"points": -5})
    # when it reads the stream
    pending = events.events_unprocessed(kinds=[events.POINTS_REDEEMED])
    assert [(e.kind, e.payload) for _pk, e in pending] == [("points.redeemed", {"points": -5})]
    # then once marked the event is not handed out again, and purged after the retention
    assert events.events_mark_processed([pk for pk, _e in pending]) == 1
    assert events.events_unprocessed() == []
    assert events.events_purge() == 0
    assert events.events_purge(now=dt.datetime.now(dt.UTC) + dt.timedelta(days=31)) == 1


def test_unknown_kinds_are_refused(org):
    with pytest.raises(ValueError):
        events.event_record(organization_id=org.pk, kind="points.nope", payload={})
    with pytest.raises(ValueError):
        events.subscribe("points.nope", None)


def test_webhooks_get_their_deliveries_from_the_stream(org):
    # given an endpoint that wants points.earned (integrations subscribes in its ready())
    from sasom.integrations.models import WebhookDelivery, WebhookEndpoint

    WebhookEndpoint.objects.create(organization=org, url="http://127.0.0.1:9/hook", secret="s",
                                   events=["points.earned"])
    assert events.event_wanted(org.pk, events.POINTS_EARNED)
    assert not events.event_wanted(org.pk, events.MEMBER_CREATED)
    # when a points event is recorded
    events.event_record(organization_id=org.pk, kind=events.POINTS_EARNED, payload={"points": 3})
    # then its delivery carries the outbox event's id
    row, delivery = OutboxEvent.objects.get(), WebhookDelivery.objects.get()
    assert delivery.event_id == row.uuid and delivery.payload["data"] == {"points": 3}
