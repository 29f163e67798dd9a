"""Persian over SMS: a broadcast reaches a Persian member in Persian and a Thai one in Thai;
Persian counts in UCS-2 parts like Thai; the generic HTTP POST gateway hands Persian to the
provider intact in both its encodings (JSON and form fields)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from sasom.core.audit import Actor
from sasom.core.errors import DomainError
from sasom.notifications.backends import MemoryBackend
from sasom.notifications.broadcasts import broadcast_create, broadcast_run_batch
from sasom.notifications.channels import channel_config_save
from sasom.notifications.errors import E_TEMPLATE
from sasom.notifications.models import Broadcast, Message
from sasom.notifications.services import message_deliver, message_send
from sasom.notifications.sms import UCS2, sms_count
from sasom.testing.factories import MemberFactory

pytestmark = pytest.mark.django_db
BKK = zoneinfo.ZoneInfo("Asia/Bangkok")
SYSTEM = Actor.system("test")
NOON = dt.datetime(2026, 7, 1, 12, tzinfo=BKK)
SALAM = "سلام"  # 4 letters
PERSIAN_70 = ("سلام دوست عزیز " * 5)[:70]


@pytest.fixture
def memory(settings):
    settings.NOTIFY_BACKEND = "memory"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    MemoryBackend.clear()
    yield MemoryBackend
    MemoryBackend.clear()


def test_a_broadcast_goes_in_persian_to_a_persian_member_and_in_thai_to_a_thai_one(org, member_type, memory):
    sara = MemberFactory(organization=org, member_type=member_type, code="FA1", first_name="سارا",
                         phone="+66810000001", language="fa", marketing_consent=True)
    somchai = MemberFactory(organization=org, member_type=member_type, code="TH1", first_name="สมชาย",
                            phone="+66810000002", language="th", marketing_consent=True)
    broadcast = broadcast_create(organization=org, name="Nowruz", channel="sms", actor=SYSTEM, conditions=[],
                                 body_th="{shop}: สวัสดีคุณ{name}", body_en="{shop}: hello {name}",
                                 body_fa="{shop}: {name} عزیز، نوروز مبارک", scheduled_at=NOON)
    broadcast_run_batch(broadcast_id=broadcast.pk, now=NOON)
    bodies = dict(Message.objects.filter(broadcast=broadcast).values_list("member_id", "body"))
    assert bodies == {sara.pk: f"{org.name}: سارا عزیز، نوروز مبارک", somchai.pk: f"{org.name}: สวัสดีคุณสมชาย"}
    assert Broadcast.objects.get(pk=broadcast.pk).body_fa == "{shop}: {name} عزیز، نوروز مبارک"


def test_a_persian_only_broadcast_is_accepted_an_empty_one_refused_a_bad_placeholder_named(org):
    made = broadcast_create(organization=org, name="fa", channel="sms", actor=SYSTEM, conditions=[],
                            body_th="", body_en="", body_fa="{name} عزیز", scheduled_at=NOON)
    assert (made.body_th, made.body_fa) == ("", "{name} عزیز")
    with pytest.raises(DomainError) as empty:
        broadcast_create(organization=org, name="none", channel="sms", actor=SYSTEM, conditions=[],
                         body_th="", body_en=" ", body_fa="", scheduled_at=NOON)
    assert (empty.value.code, empty.value.field) == (E_TEMPLATE, "body_th")
    with pytest.raises(DomainError) as bad:
        broadcast_create(organization=org, name="bad", channel="sms", actor=SYSTEM, conditions=[],
                         body_th="", body_en="", body_fa="{points} امتیاز", scheduled_at=NOON)
    assert (bad.value.code, bad.value.field) == (E_TEMPLATE, "body_fa")
    assert Broadcast.objects.filter(organization=org).count() == 1


def test_persian_counts_in_ucs2_parts_like_thai():
    assert len(PERSIAN_70) == 70
    for persian, thai in ((PERSIAN_70, "ก" * 70), (PERSIAN_70 + "ی", "ก" * 71),
                          ((PERSIAN_70 * 2)[:134], "ก" * 134), ((PERSIAN_70 * 2)[:135], "ก" * 135)):
        p, t = sms_count(persian), sms_count(thai)
        assert (p.encoding, p.units, p.segments) == (t.encoding, t.units, t.segments) == (UCS2, len(thai), t.segments)
    assert sms_count(PERSIAN_70).segments == 1
    assert sms_count(PERSIAN_70 + "ی").segments == 2
    assert sms_count((PERSIAN_70 * 2)[:134]).segments == 2 and sms_count((PERSIAN_70 * 2)[:135]).segments == 3
    # the zero-width non-joiner of Persian spelling (می‌شود) is one UCS-2 unit like any letter
    assert sms_count("می\u200cشود").units == sms_count("میرشود").units == 6


def _http_post(org, fake_http, encoding):
    channel_config_save(organization_id=org.pk, channel="sms", gateway="http_post", actor=SYSTEM, options={
        "url": fake_http.url + "/send", "encoding": encoding, "number_style": "e164", "recipient_field": "receptor",
        "message_field": "message", "sender_field": "", "auth": "none"}, secrets={}, cost_per_segment="0.50")


@pytest.mark.parametrize("encoding", ["json", "form"])
def test_the_http_post_gateway_sends_persian_intact(org, fake_http, settings, encoding):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    _http_post(org, fake_http, encoding)
    text = PERSIAN_70 + "ی"  # 71 letters: two parts
    message = message_send(organization_id=org.pk, channel="sms", recipient="+989121234567", purpose="test",
                           body=text)
    message = message_deliver(message_id=message.pk)
    [seen] = fake_http.seen
    if encoding == "json":
        assert seen.headers["content-type"] == "application/json; charset=utf-8"
        assert seen.body.decode("utf-8").count(SALAM) == text.count(SALAM)  # UTF-8 itself, not \u escapes
        assert seen.json() == {"receptor": "+989121234567", "message": text}
    else:
        assert seen.headers["content-type"] == "application/x-www-form-urlencoded"
        assert seen.form() == {"receptor": "+989121234567", "message": text}
    assert (message.status, message.segments, str(message.cost)) == ("sent", 2, "1.00")
