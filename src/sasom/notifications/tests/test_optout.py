"""The opt-out link of marketing messages: each member's own, asking before it withdraws marketing
consent, recorded as a consent change; a forged link finds nothing."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.test import Client

from sasom.core.audit import Actor
from sasom.core.errors import DomainError
from sasom.members.models import Consent, Member
from sasom.notifications.backends import MemoryBackend
from sasom.notifications.broadcasts import broadcast_create, broadcast_run_batch
from sasom.notifications.models import Message
from sasom.notifications.optout import optout_link
from sasom.testing.factories import MemberFactory

pytestmark = pytest.mark.django_db
BKK = zoneinfo.ZoneInfo("Asia/Bangkok")
SYSTEM = Actor.system("test")


@pytest.fixture(autouse=True)
def queue(settings):
    settings.NOTIFY_BACKEND = "memory"
    settings.PUBLIC_URL = "https://points.shop.example"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    MemoryBackend.clear()
    yield
    MemoryBackend.clear()


def test_a_broadcast_carries_each_members_opt_out_link_and_pressing_it_withdraws_consent(org, member_type):
    # given two consenting members and a broadcast offering the opt-out link
    a = MemberFactory(organization=org, member_type=member_type, code="A1", phone="+66810000001", marketing_consent=True)
    b = MemberFactory(organization=org, member_type=member_type, code="B1", phone="+66810000002", marketing_consent=True)
    broadcast = broadcast_create(organization=org, name="Sale", channel="sms", body_th="ลดราคา เลิกรับ: {optout_link}",
                                 body_en="", conditions=[], actor=SYSTEM,
                                 scheduled_at=dt.datetime(2026, 7, 1, 10, tzinfo=BKK))
    broadcast_run_batch(broadcast_id=broadcast.pk, now=dt.datetime(2026, 7, 1, 12, tzinfo=BKK))
    bodies = dict(Message.objects.filter(broadcast=broadcast).values_list("member_id", "body"))
    link_a = optout_link(org, a.pk)
    assert bodies[a.pk] == f"ลดราคา เลิกรับ: {link_a}" and link_a != optout_link(org, b.pk)
    assert link_a.startswith(f"https://points.shop.example/messaging/optout/{org.code}/{a.pk}/")
    path = link_a.removeprefix("https://points.shop.example")
    client = Client()
    # when the member opens the link, nothing changes yet (a mail scanner opens links too)
    assert client.get(path).status_code == 200
    assert Member.objects.get(pk=a.pk).marketing_consent
    # and when they press the button, their marketing consent is withdrawn and recorded
    assert client.post(path).status_code == 302
    assert not Member.objects.get(pk=a.pk).marketing_consent
    assert Consent.objects.filter(member=a, granted=False, channel=Consent.Channel.WEB).count() == 1
    # pressing again records nothing more; the other member is untouched
    client.post(path)
    assert Consent.objects.filter(member=a, granted=False).count() == 1
    assert Member.objects.get(pk=b.pk).marketing_consent
    # a link with another member's id, a forged token or another shop's code finds nothing
    forged = path.replace(f"/{a.pk}/", f"/{b.pk}/")
    assert client.get(forged).status_code == 404 and client.post(forged).status_code == 404
    assert client.get(path[:-5] + "0000/").status_code == 404
    assert client.get(path.replace(f"/{org.code}/", "/nosuchshop/")).status_code == 404
    assert Member.objects.get(pk=b.pk).marketing_consent


def test_an_unknown_placeholder_is_still_refused(org):
    with pytest.raises(DomainError) as error:
        broadcast_create(organization=org, name="X", channel="sms", body_th="{unsubscribe}", body_en="", conditions=[],
                         actor=SYSTEM, scheduled_at=dt.datetime(2026, 7, 1, 10, tzinfo=BKK))
    assert error.value.field == "body_th"
