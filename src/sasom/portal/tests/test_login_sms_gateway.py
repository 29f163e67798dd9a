"""The one-time login code leaves through the shop's real SMS gateway (a fake on loopback)."""

from __future__ import annotations

import re

import pytest

from sasom.core.audit import Actor
from sasom.notifications.channels import channel_config_save
from sasom.notifications.models import Message
from sasom.notifications.tests.fakes import FakeHttp

pytestmark = pytest.mark.django_db


@pytest.fixture
def gateway(org, settings):
    fake = FakeHttp(respond=lambda seen: (201, {}, {
        "phone_number_list": [{"number": "0812345678", "message_id": "otp-1", "used_credit": 1}]})).start()
    settings.NOTIFY_THAIBULKSMS_URL = fake.url + "/sms"
    channel_config_save(organization_id=org.pk, channel="sms", gateway="thaibulksms", actor=Actor.system("test"),
                        options={"api_key": "k", "sender": "MINIMART", "force": "corporate"},
                        secrets={"api_secret": "s"}, cost_per_segment="0.50")
    yield fake
    fake.stop()


def test_login_code_reaches_the_sms_gateway_and_logs_the_member_in(portal, member, client, gateway, outbox):
    # when the member asks for a code in the portal
    response = portal.ask_code(client, member.phone)
    assert response.status_code == 302
    # then the SMS gateway received it for the member's number, and the memory backend nothing
    [seen] = gateway.seen
    form = seen.form()
    assert form["msisdn"] == "0812345678" and form["sender"] == "MINIMART"
    code = re.search(r"\b(\d{6})\b", form["message"]).group(1)
    assert outbox.outbox == []
    # and the outbox keeps the code masked, with the gateway's reference and cost
    message = Message.objects.get(purpose="portal_login")
    assert code not in message.body and message.sealed == ""
    assert (message.status, message.gateway, message.provider_ref, str(message.cost)) == ("sent", "thaibulksms", "otp-1", "0.50")
    # and the code from the gateway logs the member in
    response = portal.type_code(client, code)
    assert response.status_code == 302 and response["Location"] == portal.base
