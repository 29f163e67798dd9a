"""Every gateway against a fake on loopback: what it sends, how it reads the answer, what it
retries and what it gives up."""

from __future__ import annotations

import base64
import json

import pytest

from sasom.core.audit import Actor
from sasom.core.errors import DomainError
from sasom.core.models import AuditEvent
from sasom.notifications.channels import channel_config_save, secrets_set
from sasom.notifications.gateways.line import retry_key
from sasom.notifications.models import ChannelConfig, Message
from sasom.notifications.services import message_deliver, message_send

pytestmark = pytest.mark.django_db
PHONE = "+66812345678"
ACTOR = Actor.system("test")


@pytest.fixture(autouse=True)
def queue(settings):
    # a real worker's queue: nothing is delivered until the test calls message_deliver
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.NOTIFY_MAX_ATTEMPTS = 3


def _send(org, channel, recipient, body, **kw):
    message = message_send(organization_id=org.pk, channel=channel, recipient=recipient, purpose="test", body=body, **kw)
    return message_deliver(message_id=message.pk)


def _thaibulksms(org, settings, fake, **options):
    settings.NOTIFY_THAIBULKSMS_URL = fake.url + "/sms"
    return channel_config_save(
        organization_id=org.pk, channel="sms", gateway="thaibulksms", actor=ACTOR, cost_per_segment="0.35",
        options={"api_key": "key-1", "sender": "MINIMART", "force": "corporate", **options},
        secrets={"api_secret": "s3cret-1"})


def test_thaibulksms_posts_basic_auth_form_and_bills_the_parts(org, settings, fake_http):
    # given ThaiBulkSMS that accepts the number and bills two credits
    fake_http.respond = lambda seen: (201, {}, {
        "remaining_credit": 98, "total_use_credit": 2, "credit_type": "corporate",
        "phone_number_list": [{"number": "0812345678", "message_id": "tbs-77", "used_credit": 2}],
        "bad_phone_number_list": []})
    _thaibulksms(org, settings, fake_http)
    # when a Thai text of 80 characters (two UCS-2 parts) is delivered
    message = _send(org, "sms", PHONE, "ก" * 80)
    # then the gateway got basic auth, the local number, the sender and the credit type
    [seen] = fake_http.seen
    assert seen.path == "/sms"
    assert seen.headers["authorization"] == "Basic " + base64.b64encode(b"key-1:s3cret-1").decode()
    assert seen.form() == {"msisdn": "0812345678", "message": "ก" * 80, "sender": "MINIMART", "force": "corporate"}
    # and the outbox records the gateway's reference, the parts and their cost
    assert (message.status, message.gateway, message.provider_ref, message.segments) == ("sent", "thaibulksms", "tbs-77", 2)
    assert str(message.cost) == "0.70"


def test_thaibulksms_bad_number_is_given_up_at_once(org, settings, fake_http):
    fake_http.respond = lambda seen: (201, {}, {"phone_number_list": [],
                                               "bad_phone_number_list": [{"number": "0812", "message": "Invalid"}]})
    _thaibulksms(org, settings, fake_http)
    message = _send(org, "sms", PHONE, "hello")
    assert (message.status, message.attempts) == ("failed", 1)
    assert "Invalid" in message.error


def test_gateway_down_is_retried_then_sent(org, settings, fake_http):
    # given a gateway that answers 503 once, then accepts
    answers = [(503, {}, {"error": "busy"}),
               (201, {}, {"phone_number_list": [{"message_id": "m2", "used_credit": 1}]})]
    fake_http.respond = lambda seen: answers.pop(0)
    _thaibulksms(org, settings, fake_http)
    message = _send(org, "sms", PHONE, "hello")
    assert (message.status, message.attempts) == ("queued", 1) and "503" in message.error
    message = message_deliver(message_id=message.pk)
    assert (message.status, message.attempts, message.provider_ref) == ("sent", 2, "m2")


def test_wrong_credentials_are_not_retried(org, settings, fake_http):
    fake_http.respond = lambda seen: (401, {}, {"error": {"code": 401, "name": "Unauthorized"}})
    _thaibulksms(org, settings, fake_http)
    message = _send(org, "sms", PHONE, "hello")
    assert (message.status, message.attempts) == ("failed", 1)


def test_generic_json_post_with_key_in_header_and_extra_fields(org, fake_http):
    fake_http.respond = lambda seen: (200, {}, {"result": {"ids": ["abc-1"]}})
    channel_config_save(organization_id=org.pk, channel="sms", gateway="http_post", actor=ACTOR, options={
        "url": fake_http.url + "/v1/send", "encoding": "json", "number_style": "digits", "recipient_field": "to",
        "message_field": "text", "sender_field": "from", "sender": "Shop", "extra": '{"unicode": true}',
        "auth": "header", "header_name": "X-API-Key", "ref_field": "result.ids.0"}, secrets={"secret": "k-42"})
    message = _send(org, "sms", PHONE, "สวัสดี {name}")
    [seen] = fake_http.seen
    assert seen.headers["x-api-key"] == "k-42"
    assert seen.json() == {"unicode": True, "to": "66812345678", "text": "สวัสดี {name}", "from": "Shop"}
    assert (message.status, message.provider_ref, message.segments) == ("sent", "abc-1", 1)


def test_generic_form_post_with_key_in_the_address(org, fake_http):
    # a Persian gateway in the Kavenegar style: the API key is part of the address
    channel_config_save(organization_id=org.pk, channel="sms", gateway="http_post", actor=ACTOR, options={
        "url": fake_http.url + "/v1/{key}/sms/send.json", "encoding": "form", "number_style": "e164",
        "recipient_field": "receptor", "message_field": "message", "sender_field": "", "auth": "url"},
        secrets={"secret": "API-KEY-9"})
    message = _send(org, "sms", "+989121234567", "سلام دنیا")
    [seen] = fake_http.seen
    assert seen.path == "/v1/API-KEY-9/sms/send.json"
    assert seen.form() == {"receptor": "+989121234567", "message": "سلام دنیا"}
    assert message.status == "sent"


def test_smtp_delivers_through_the_shops_server(org, fake_smtp):
    channel_config_save(organization_id=org.pk, channel="email", gateway="smtp", actor=ACTOR, options={
        "host": "127.0.0.1", "port": fake_smtp.port, "security": "none", "from_email": "shop@example.com",
        "from_name": "มินิมาร์ท"}, secrets={})
    message = _send(org, "email", "somchai@example.com", "ยอดคะแนนของคุณ 120", subject="คะแนนสะสม")
    [(sender, recipients, email)] = fake_smtp.received
    assert (sender, recipients) == ("shop@example.com", ["somchai@example.com"])
    assert email["Subject"] and "120" in email.get_payload(decode=True).decode()
    assert message.status == "sent" and message.provider_ref == email["Message-ID"]


def test_smtp_refused_recipient_is_given_up(org, fake_smtp):
    fake_smtp.refuse.add("nobody@example.com")
    channel_config_save(organization_id=org.pk, channel="email", gateway="smtp", actor=ACTOR, options={
        "host": "127.0.0.1", "port": fake_smtp.port, "security": "none", "from_email": "shop@example.com"}, secrets={})
    message = _send(org, "email", "nobody@example.com", "hi")
    assert (message.status, message.attempts) == ("failed", 1)


def _line(org, settings, fake):
    settings.NOTIFY_LINE_API = fake.url
    channel_config_save(organization_id=org.pk, channel="line", gateway="line", actor=ACTOR, options={},
                        secrets={"access_token": "tok-line", "channel_secret": "sec-line"})


def test_line_push_carries_the_token_and_one_retry_key_for_every_attempt(org, settings, fake_http):
    # given LINE times out once (500) and then accepts
    answers = [(500, {}, {"message": "internal"}), (200, {"x-line-request-id": "req-9"}, {"sentMessages": [{"id": "461230966842064897", "quoteToken": "q"}]})]
    fake_http.respond = lambda seen: answers.pop(0)
    _line(org, settings, fake_http)
    message = _send(org, "line", "U" + "a" * 32, "ได้รับ 12 คะแนน")
    message = message_deliver(message_id=message.pk)
    # then both attempts carried the same retry key, derived from the message
    first, second = fake_http.seen
    assert first.path == "/v2/bot/message/push"
    assert first.headers["authorization"] == "Bearer tok-line"
    assert first.headers["x-line-retry-key"] == second.headers["x-line-retry-key"] == retry_key(org.pk, message.pk)
    assert second.json()["to"] == "U" + "a" * 32 and second.json()["messages"][0]["text"] == "ได้รับ 12 คะแนน"
    assert (message.status, message.provider_ref) == ("sent", "req-9")


def test_line_409_for_an_accepted_retry_key_counts_as_sent(org, settings, fake_http):
    fake_http.respond = lambda seen: (409, {"x-line-accepted-request-id": "req-1"}, {"message": "already accepted"})
    _line(org, settings, fake_http)
    message = _send(org, "line", "U" + "b" * 32, "hi")
    assert (message.status, message.provider_ref) == ("sent", "req-1")


def test_line_blocked_user_is_given_up(org, settings, fake_http):
    fake_http.respond = lambda seen: (400, {}, {"message": "Failed to send messages"})
    _line(org, settings, fake_http)
    message = _send(org, "line", "U" + "c" * 32, "hi")
    assert (message.status, message.attempts) == ("failed", 1)


def test_without_a_gateway_the_channel_uses_the_setting_backend(org, settings):
    settings.NOTIFY_BACKEND = "memory"
    message = _send(org, "sms", PHONE, "hello")
    assert (message.status, message.gateway, message.segments) == ("sent", "memory", 1)


def test_secrets_are_sealed_kept_when_left_empty_and_never_audited(org, settings, fake_http):
    config = _thaibulksms(org, settings, fake_http)
    assert "s3cret-1" not in config.sealed_secrets and "s3cret-1" not in json.dumps(config.options)
    # when the shop changes the sender and leaves the secret empty
    channel_config_save(organization_id=org.pk, channel="sms", gateway="thaibulksms", actor=ACTOR,
                        options={"api_key": "key-1", "sender": "NEWNAME", "force": "standard"}, secrets={"api_secret": ""})
    config = ChannelConfig.objects.get(organization=org, channel="sms")
    assert secrets_set(config) == {"api_secret"} and config.options["sender"] == "NEWNAME"
    assert ChannelConfig.objects.filter(organization=org).count() == 1
    trail = json.dumps(list(AuditEvent.objects.filter(action="notify.channel_save").values_list("changes", flat=True)))
    assert "s3cret-1" not in trail and "secret.api_secret" in trail


@pytest.mark.parametrize(("gateway", "options", "secrets", "code", "field"), [
    ("smtp", {"host": "h", "port": 25, "security": "none", "from_email": "a@b.co"}, {}, "notify.gateway_invalid", "gateway"),
    ("thaibulksms", {"api_key": "k", "sender": "S", "force": "standard"}, {}, "notify.option_missing", "api_secret"),
    ("thaibulksms", {"api_key": "k", "sender": "S", "force": "gold"}, {"api_secret": "x"}, "notify.option_invalid", "force"),
    ("thaibulksms", {"api_key": "k", "sender": "S", "bogus": 1}, {"api_secret": "x"}, "notify.option_invalid", "bogus"),
    ("http_post", {"url": "ftp://x", "encoding": "json", "number_style": "e164", "recipient_field": "to",
                   "message_field": "m", "auth": "none"}, {}, "notify.option_invalid", "url"),
    ("http_post", {"url": "https://sms.example.com", "encoding": "json", "number_style": "e164", "recipient_field": "to",
                   "message_field": "m", "auth": "none", "extra": "[1]"}, {}, "notify.option_invalid", "extra"),
])
def test_bad_configuration_is_refused_naming_the_field(org, gateway, options, secrets, code, field):
    with pytest.raises(DomainError) as error:
        channel_config_save(organization_id=org.pk, channel="sms", gateway=gateway, options=options, secrets=secrets,
                            actor=ACTOR)
    assert (error.value.code, error.value.field) == (code, field)
    assert not ChannelConfig.objects.exists() and not Message.objects.exists()
