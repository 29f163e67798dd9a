"""Broadcasts: a segment's members reached in throttled batches, once each, under the rules,
with a delivery report."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from sasom.core.audit import Actor
from sasom.core.errors import DomainError
from sasom.notifications.backends import DeliveryError, MemoryBackend
from sasom.notifications.broadcasts import (
    broadcast_cancel,
    broadcast_create,
    broadcast_report,
    broadcast_run_batch,
)
from sasom.notifications.models import Broadcast, Message
from sasom.notifications.services import message_deliver
from sasom.testing.factories import MemberFactory

pytestmark = pytest.mark.django_db
BKK = zoneinfo.ZoneInfo("Asia/Bangkok")
SYSTEM = Actor.system("test")
NOON = dt.datetime(2026, 7, 1, 12, tzinfo=BKK)


@pytest.fixture(autouse=True)
def queue(settings):
    settings.NOTIFY_BACKEND = "memory"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    MemoryBackend.clear()
    yield
    MemoryBackend.clear()


@pytest.fixture
def crowd(org, member_type):
    # 7 members born in July (5 with consent, one of them without a phone), 2 born in March
    made = []
    for i in range(9):
        made.append(MemberFactory(
            organization=org, member_type=member_type, code=f"C{i:03d}", phone=None if i == 4 else f"+6681000{i:04d}",
            birth_on=dt.date(1990, 7 if i < 7 else 3, 10), marketing_consent=i < 5 or i == 8))
    return made


def _create(org, **kw):
    return broadcast_create(organization=org, name="July birthdays", channel="sms", actor=SYSTEM,
                            body_th=kw.pop("body_th", "{shop}: สุขสันต์เดือนเกิดคุณ{name}"), body_en="",
                            conditions=kw.pop("conditions", [{"kind": "birth_month", "months": [7]}]),
                            scheduled_at=kw.pop("scheduled_at", NOON), **kw)


def test_a_broadcast_runs_in_batches_reaching_each_consenting_member_once(org, crowd):
    broadcast = _create(org)
    # when the worker runs batches of 3 (twice more than needed, as a restarted worker would)
    for _ in range(5):
        broadcast_run_batch(broadcast_id=broadcast.pk, now=NOON, limit=3)
    broadcast.refresh_from_db()
    # then the 7 July members were processed, and the 4 with consent and a phone got one SMS each
    assert (broadcast.status, broadcast.selected, broadcast.processed) == ("done", 7, 7)
    messages = Message.objects.filter(broadcast=broadcast)
    assert sorted(m.member.code for m in messages) == ["C000", "C001", "C002", "C003"]
    assert {m.kind for m in messages} == {"marketing"}
    assert messages.get(member__code="C001").body == "มินิมาร์ท: สุขสันต์เดือนเกิดคุณสมชาย"


def test_nothing_goes_before_the_scheduled_time(org, crowd):
    broadcast = _create(org)
    broadcast_run_batch(broadcast_id=broadcast.pk, now=NOON - dt.timedelta(minutes=5))
    broadcast.refresh_from_db()
    assert broadcast.status == "scheduled" and not Message.objects.exists()


def test_broadcast_found_in_quiet_hours_waits(org, crowd):
    late = dt.datetime(2026, 7, 1, 22, tzinfo=BKK)
    broadcast = _create(org, scheduled_at=late)
    broadcast_run_batch(broadcast_id=broadcast.pk, now=late)
    assert {m.not_before for m in Message.objects.filter(broadcast=broadcast)} == {dt.datetime(2026, 7, 2, 8, tzinfo=BKK)}


def test_delivery_report_counts_sent_failed_skipped_and_cost(org, crowd, monkeypatch):
    broadcast = _create(org)
    broadcast_run_batch(broadcast_id=broadcast.pk, now=NOON)
    messages = list(Message.objects.filter(broadcast=broadcast).order_by("pk"))
    for message in messages[:3]:
        message_deliver(message_id=message.pk, now=NOON)

    def refused(self, outgoing):
        raise DeliveryError("number barred", permanent=True)

    monkeypatch.setattr(MemoryBackend, "send", refused)
    message_deliver(message_id=messages[3].pk, now=NOON)
    broadcast.refresh_from_db()
    report = broadcast_report(broadcast)
    assert (report.sent, report.failed, report.queued, report.skipped, report.parts) == (3, 1, 0, 3, 3)
    assert report.reasons == [("DeliveryError: number barred", 1)]


def test_cancelled_broadcast_stops(org, crowd):
    broadcast = _create(org)
    broadcast_run_batch(broadcast_id=broadcast.pk, now=NOON, limit=2)
    broadcast_cancel(broadcast=broadcast, actor=SYSTEM)
    broadcast_run_batch(broadcast_id=broadcast.pk, now=NOON, limit=2)
    assert Broadcast.objects.get(pk=broadcast.pk).status == "cancelled"
    assert Message.objects.filter(broadcast=broadcast).count() == 2


@pytest.mark.parametrize(("kw", "field"), [
    ({"conditions": [{"kind": "birth_month", "months": [0]}]}, "conditions.0.months"),
    ({"body_th": "hi {points}"}, "body_th"),
    ({"body_th": ""}, "body_th"),
    ({"scheduled_at": dt.datetime(2026, 7, 1, 12)}, "scheduled_at"),
])
def test_bad_broadcast_is_refused_naming_the_field(org, kw, field):
    with pytest.raises(DomainError) as error:
        _create(org, **kw)
    assert error.value.field == field and not Broadcast.objects.exists()
