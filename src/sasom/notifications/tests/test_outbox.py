"""The outbox: secrets masked at rest, delivered in clear only to the backend, retried, logged masked."""

from __future__ import annotations

import logging

import pytest

from sasom.core.errors import DomainError
from sasom.notifications import backends
from sasom.notifications.backends import DeliveryError, MemoryBackend, mask
from sasom.notifications.models import Message
from sasom.notifications.seal import SealBroken, seal, unseal
from sasom.notifications.services import message_deliver, message_send

pytestmark = pytest.mark.django_db
PHONE = "+66812345678"


@pytest.fixture(autouse=True)
def memory(settings):
    settings.NOTIFY_BACKEND = "memory"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    MemoryBackend.clear()
    yield MemoryBackend
    MemoryBackend.clear()


def test_a_secret_is_masked_at_rest_and_reaches_only_the_backend(org, memory, django_capture_on_commit_callbacks):
    # when a one-time code is sent
    with django_capture_on_commit_callbacks(execute=True):
        message = message_send(organization_id=org.pk, channel="sms", recipient=PHONE, purpose="portal_login",
                               body="รหัสของคุณคือ 482913", secrets=["482913"])
    # then the backend got the clear text, the outbox keeps it masked, and the sealed copy is wiped
    assert [o.body for o in memory.outbox] == ["รหัสของคุณคือ 482913"]
    message.refresh_from_db()
    assert message.body == "รหัสของคุณคือ ••••••" and message.sealed == ""
    assert (message.status, message.attempts) == (Message.Status.SENT, 1) and message.sent_at is not None


def test_queued_message_holds_the_secret_only_sealed(org, settings):
    # given the queue of a real worker (nothing delivered yet)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    message = message_send(organization_id=org.pk, channel="sms", recipient=PHONE, purpose="portal_login",
                           body="code 482913", secrets=["482913"])
    stored = Message.objects.values_list("body", "sealed").get(pk=message.pk)
    assert "482913" not in stored[0] and "482913" not in stored[1]
    assert unseal(stored[1]) == "code 482913"


def test_a_message_without_secrets_is_stored_as_written(org, django_capture_on_commit_callbacks, memory):
    with django_capture_on_commit_callbacks(execute=True):
        message = message_send(organization_id=org.pk, channel="email", recipient="a@example.com", purpose="hello",
                               body="สวัสดี")
    message.refresh_from_db()
    assert (message.body, message.sealed, message.status) == ("สวัสดี", "", "sent")


def test_unknown_channel_is_refused(org):
    with pytest.raises(DomainError) as error:
        message_send(organization_id=org.pk, channel="fax", recipient=PHONE, purpose="x", body="x")
    assert error.value.code == "notify.channel_invalid"
    assert not Message.objects.exists()


def test_failed_delivery_is_retried_then_given_up(org, settings, monkeypatch):
    # given a gateway that is down
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.NOTIFY_MAX_ATTEMPTS = 3

    def down(self, outgoing):
        raise DeliveryError("gateway unreachable")

    monkeypatch.setattr(MemoryBackend, "send", down)
    message = message_send(organization_id=org.pk, channel="sms", recipient=PHONE, purpose="portal_login",
                           body="code 111222", secrets=["111222"])
    # when the worker tries three times
    for _ in range(3):
        message_deliver(message_id=message.pk)
    # then the message is failed with its error, and its secret wiped
    message.refresh_from_db()
    assert (message.status, message.attempts, message.sealed) == ("failed", 3, "")
    assert "gateway unreachable" in message.error
    # and a fourth run does nothing
    message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.attempts == 3


def test_a_sent_message_is_not_sent_twice(org, memory, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    message = message_send(organization_id=org.pk, channel="sms", recipient=PHONE, purpose="x", body="hi")
    message_deliver(message_id=message.pk)
    message_deliver(message_id=message.pk)
    assert len(memory.outbox) == 1


def test_console_backend_masks_the_phone(org, settings, capsys, caplog, django_capture_on_commit_callbacks):
    settings.NOTIFY_BACKEND = "console"
    with caplog.at_level(logging.DEBUG), django_capture_on_commit_callbacks(execute=True):
        message_send(organization_id=org.pk, channel="sms", recipient=PHONE, purpose="portal_login",
                     body="code 654321", secrets=["654321"])
    out = capsys.readouterr().out
    assert "********5678" in out and PHONE not in out and "0812345678" not in out
    assert "code 654321" in out  # the demo reads the code from the console
    assert PHONE not in caplog.text and "654321" not in caplog.text


def test_mask_keeps_the_last_four():
    assert mask("+66812345678") == "********5678"
    assert mask("123") == "***"


def test_seal_detects_tampering_and_another_key(settings):
    token = seal("ความลับ 123")
    assert unseal(token) == "ความลับ 123" and "123" not in token
    assert seal("x") != seal("x")  # a fresh nonce each time
    broken = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    with pytest.raises(SealBroken):
        unseal(broken)
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    with pytest.raises(SealBroken):
        unseal(token)


def test_unknown_backend_setting_is_a_delivery_error(settings):
    settings.NOTIFY_BACKEND = "carrier-pigeon"
    with pytest.raises(DeliveryError):
        backends.backend()
