"""What the SMS gateway sends back: delivery reports (per message, counted in a broadcast's report)
and members' replies with an opt-out word (marketing consent withdrawn)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from sasom.members.models import Consent
from sasom.notifications.inbound import inbound_token
from sasom.notifications.models import Message

pytestmark = pytest.mark.django_db


def sent_sms(org, member, ref, **kw):
    return Message.objects.create(organization=org, member=member, channel="sms", recipient=member.phone,
                                  purpose="birthday", body="HBD", status=kw.get("status", "sent"), provider_ref=ref)


def url(org, kind, token=None):
    return f"/messaging/sms/{org.code}/{token or inbound_token(org.pk)}/{kind}/"


def test_delivery_reports_mark_messages_delivered_or_failed(org, member):
    ok, bad, other = sent_sms(org, member, "A1"), sent_sms(org, member, "A2"), sent_sms(org, member, "A3")
    client = Client()
    # a JSON list from one provider, a form from another
    body = [{"message_id": "A1", "status": "DELIVRD"}, {"message_id": "A2", "status": "UNDELIV", "error": "absent"},
            {"message_id": "NOPE", "status": "DELIVRD"}, {"message_id": "A3", "status": "ACCEPTD"}]
    answer = client.post(url(org, "report"), json.dumps(body), content_type="application/json")
    assert answer.status_code == 200 and answer.json()["changed"] == 2
    ok.refresh_from_db(), bad.refresh_from_db(), other.refresh_from_db()
    assert (ok.status, ok.delivered_at is not None) == ("delivered", True)
    assert (bad.status, bad.error) == ("failed", "gateway: absent")
    assert other.status == "sent"  # an interim state changes nothing
    # a repeated report changes nothing more
    assert client.post(url(org, "report"), {"msgid": "A1", "status": "delivered"}).json()["changed"] == 0


def test_a_wrong_token_or_another_organizations_token_is_404(org, other_org, member):
    sent_sms(org, member, "A1")
    client = Client()
    assert client.post(url(org, "report", token="0" * 32), {"msgid": "A1", "status": "delivered"}).status_code == 404
    assert client.post(f"/messaging/sms/{org.code}/{inbound_token(other_org.pk)}/report/",
                       {"msgid": "A1", "status": "delivered"}).status_code == 404
    assert Message.objects.get(provider_ref="A1").status == "sent"


def test_a_reply_with_an_opt_out_word_withdraws_marketing_consent(org, member):
    member.marketing_consent = True
    member.save()
    client = Client()
    # any other reply is ignored
    assert client.post(url(org, "inbound"), {"from": "0812345678", "text": "ขอบคุณครับ"}).status_code == 200
    member.refresh_from_db()
    assert member.marketing_consent
    # "ยกเลิก" from the member's phone, in the local format: consent withdrawn, recorded as an SMS reply
    assert client.post(url(org, "inbound"), {"from": "0812345678", "text": " ยกเลิก "}).status_code == 200
    member.refresh_from_db()
    assert not member.marketing_consent
    consent = Consent.objects.filter(member=member).latest("pk")
    assert (consent.granted, consent.channel) == (False, "sms")
    # an unknown phone answers the same, so the address tells nobody who is a member
    answer = client.post(url(org, "inbound"), json.dumps({"msisdn": "+66899999999", "message": "STOP"}),
                         content_type="application/json")
    assert answer.status_code == 200 and answer.json() == {"ok": True}


def test_the_opt_out_words_are_the_shops_and_the_sms_screen_shows_the_addresses(staff_client, org):
    admin = staff_client("admin")
    page = admin.get("/messaging/events/").content.decode()
    assert "STOP ยกเลิก หยุด" in page
    token = page.split('name="_form_token" value="')[1].split('"')[0]
    answer = admin.post("/messaging/events/", {"quiet_from": "21:00", "quiet_until": "08:00", "marketing_daily_cap": "2",
                                               "opt_out_keywords": "  STOP   เลิก ", "_form_token": token})
    assert answer.status_code == 302
    from sasom.notifications.rules import messaging_settings

    assert messaging_settings(org.pk).opt_out_keywords == "STOP เลิก"
    channel_page = admin.get("/messaging/channels/sms/").content.decode()
    assert url(org, "report") in channel_page and url(org, "inbound") in channel_page
