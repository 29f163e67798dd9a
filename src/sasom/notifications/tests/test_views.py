"""The messaging channels screen: set a gateway (secrets never shown back), send a test, read the log."""

from __future__ import annotations

import pytest

from sasom.notifications.channels import secrets_set
from sasom.notifications.models import ChannelConfig, Message

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def _post(client, url, data):
    page = client.get(url)
    token = page.content.decode().split('name="_form_token" value="')[1].split('"')[0]
    return client.post(url, {**data, "_form_token": token})


def test_owner_sets_up_thaibulksms_and_the_secret_is_never_shown(staff_client, org):
    owner = staff_client("owner")
    url = "/messaging/channels/sms/?gateway=thaibulksms"
    response = _post(owner, url, {"gateway": "thaibulksms", "opt_api_key": "key-1", "opt_api_secret": "very-secret",
                                  "opt_sender": "MINIMART", "opt_force": "standard", "cost_per_segment": "0.35",
                                  "is_active": "on"})
    assert response.status_code == 302 and response["Location"] == "/messaging/channels/"
    config = ChannelConfig.objects.get(organization=org, channel="sms")
    assert (config.gateway, config.options["sender"], str(config.cost_per_segment)) == ("thaibulksms", "MINIMART", "0.35")
    assert secrets_set(config) == {"api_secret"}
    page = owner.get("/messaging/channels/sms/").content.decode()
    assert "very-secret" not in page and "key-1" in page
    assert "ThaiBulkSMS" in owner.get("/messaging/channels/").content.decode()


def test_bad_option_is_shown_on_its_field(staff_client, org):
    owner = staff_client("owner")
    response = _post(owner, "/messaging/channels/sms/?gateway=http_post", {
        "gateway": "http_post", "opt_url": "ftp://example.com", "opt_encoding": "json", "opt_number_style": "e164",
        "opt_recipient_field": "to", "opt_message_field": "text", "opt_auth": "none", "opt_extra": "",
        "cost_per_segment": "0", "is_active": "on"})
    assert response.status_code == 200
    assert response.context["form"].errors["opt_url"]
    assert not ChannelConfig.objects.exists()


def test_test_message_is_queued_and_a_bad_address_refused(staff_client, org):
    owner = staff_client("owner")
    page = owner.get("/messaging/channels/").content.decode()
    token = page.split('name="_form_token" value="')[1].split('"')[0]
    response = owner.post("/messaging/channels/sms/test/", {"sms-recipient": "081-234-5678", "_form_token": token})
    assert response.status_code == 302
    message = Message.objects.get(purpose="channel_test")
    assert (message.channel, message.recipient) == ("sms", "+66812345678")
    page = owner.get("/messaging/channels/").content.decode()
    token = page.split('name="_form_token" value="')[1].split('"')[0]
    owner.post("/messaging/channels/line/test/", {"line-recipient": "not-a-line-id", "_form_token": token})
    assert Message.objects.count() == 1
    # the log shows the address masked
    page = owner.get("/messaging/channels/").content.decode()
    assert "********5678" in page and "+66812345678" not in page


@pytest.mark.parametrize("role", ["marketing", "branch_manager", "cashier", "auditor"])
def test_only_owner_and_admin_manage_gateways(staff_client, role):
    assert staff_client(role).get("/messaging/channels/").status_code == 403


def test_unknown_channel_is_404(staff_client):
    assert staff_client("owner").get("/messaging/channels/fax/").status_code == 404
