"""Linking a member's LINE from the portal, and LINE's webhook (signature, follow, unfollow)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest

from sasom.core.audit import Actor
from sasom.members.services import member_anonymize
from sasom.notifications.channels import channel_config_save
from sasom.notifications.line_link import line_link_code_issue
from sasom.notifications.models import LineLink, Message
from sasom.notifications.selectors import line_recipient

pytestmark = pytest.mark.django_db
SECRET = "line-channel-secret"
USER = "U" + "1" * 32


@pytest.fixture(autouse=True)
def queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture(autouse=True)
def line(org):
    channel_config_save(organization_id=org.pk, channel="line", gateway="line", actor=Actor.system("test"),
                        options={"add_friend_url": "https://line.me/R/ti/p/@minimart"},
                        secrets={"access_token": "tok", "channel_secret": SECRET})


def _event(kind, user=USER, **extra):
    return {"type": kind, "mode": "active", "timestamp": 1700000000000, "webhookEventId": "01H" + kind,
            "deliveryContext": {"isRedelivery": False}, "source": {"type": "user", "userId": user}, **extra}


def _text(text, user=USER):
    return _event("message", user, replyToken="r", message={"id": "1", "type": "text", "text": text, "quoteToken": "q"})


def _hook(client, org, events, secret=SECRET):
    body = json.dumps({"destination": "Uxxx", "events": events}).encode()
    signature = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    return client.post(f"/messaging/line/{org.code}/webhook/", body, content_type="application/json",
                       headers={"X-Line-Signature": signature})


def test_member_sends_the_portal_code_and_is_linked(client, org, member):
    # given a code shown to the member in the portal
    code, _expires = line_link_code_issue(member=member)
    # when the member sends it (lower case, with a space) to the shop's LINE account
    response = _hook(client, org, [_event("follow", replyToken="r", follow={"isUnblocked": True}), _text(f" {code[:4].lower()} {code[4:]} ")])
    # then the LINE user is linked, told so, and messages to the member can go by LINE
    assert response.status_code == 200
    assert line_recipient(organization_id=org.pk, member_id=member.pk) == USER
    confirmation = Message.objects.get(purpose="line_linked")
    assert (confirmation.channel, confirmation.recipient) == ("line", USER) and member.code in confirmation.body
    # and the code works once
    _hook(client, org, [_text(code, user="U" + "2" * 32)])
    assert LineLink.objects.get(member=member).line_user_id == USER


def test_unfollow_stops_line_messages_and_follow_resumes(client, org, member):
    code, _expires = line_link_code_issue(member=member)
    _hook(client, org, [_text(code)])
    _hook(client, org, [_event("unfollow")])
    assert line_recipient(organization_id=org.pk, member_id=member.pk) is None
    _hook(client, org, [_event("follow", replyToken="r", follow={"isUnblocked": True})])
    assert line_recipient(organization_id=org.pk, member_id=member.pk) == USER


def test_a_forged_signature_is_refused_and_changes_nothing(client, org, member):
    code, _expires = line_link_code_issue(member=member)
    response = _hook(client, org, [_text(code)], secret="not-the-secret")
    assert response.status_code == 400 and response.json()["code"] == "notify.line_signature_invalid"
    assert not LineLink.objects.exists()


def test_a_wrong_or_expired_code_links_nobody(client, org, member, settings):
    settings.NOTIFY_LINE_LINK_MINUTES = 0
    code, _expires = line_link_code_issue(member=member)
    _hook(client, org, [_text(code), _text("ABCDEFGH")])
    assert not LineLink.objects.exists()


def test_webhook_of_a_shop_without_line_is_404(client, other_org):
    assert _hook(client, other_org, []).status_code == 404


def test_erasing_the_member_forgets_the_link_and_blanks_its_line_messages(client, org, member):
    code, _expires = line_link_code_issue(member=member)
    _hook(client, org, [_text(code)])
    # and an e-mail sent to an address the member has since changed
    Message.objects.create(organization=org, member=member, channel="email", recipient="old@example.com",
                           purpose="birthday", subject="HBD Somchai", body="Happy birthday Somchai")
    member_anonymize(member=member, actor=Actor.system("test"))
    assert not LineLink.objects.exists()
    assert Message.objects.get(purpose="line_linked").recipient == "(erased)"
    assert Message.objects.filter(purpose="birthday").values_list("recipient", "subject", "body").get() == (
        "(erased)", "", "(erased)")
