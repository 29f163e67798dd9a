"""The points policy over the API (issue 13): read it, change it (audited, the same checks as the
settings screen), refuse what cannot be right naming the field."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from sasom.core.audit import Actor
from sasom.core.models import AuditEvent
from sasom.integrations import auth
from sasom.integrations.services import api_key_create
from sasom.ledger.models import LedgerSettings

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(org, terminal):
    auth._cache.clear()
    auth._buckets.clear()
    issued = api_key_create(organization_id=org.id, label="ops", actor=Actor.system(), terminal=terminal,
                            can_manage=True)
    return Client(HTTP_AUTHORIZATION=f"Bearer {issued.key}")


def patch(client, body):
    return client.patch("/api/v1/points/policy", data=json.dumps(body), content_type="application/json")


def test_read_and_change_the_points_policy(manager, org):
    # given the defaults
    assert manager.get("/api/v1/points/policy").json() == {
        "expiry_policy": "never", "expiry_n": 0, "pending_days": 0, "allow_same_sale_spend": False,
        "return_shortfall": "debt"}
    # when points are set to last 365 days and to wait a 7-day return window
    response = patch(manager, {"expiry_policy": "days", "expiry_n": 365, "pending_days": 7})
    # then the policy says so, the row too, and the change is audited
    assert response.status_code == 200, response.content
    assert (response.json()["expiry_policy"], response.json()["pending_days"]) == ("days", 7)
    row = LedgerSettings.objects.get(organization=org)
    assert (row.expiry_policy, row.expiry_n, row.pending_days) == ("days", 365, 7)
    assert AuditEvent.objects.filter(action="points.settings").exists()


@pytest.mark.parametrize(("body", "field"), [
    ({"pending_days": -1}, "pending_days"), ({"expiry_policy": "weekly"}, "expiry_policy"),
    ({"expiry_n": "365"}, "expiry_n"), ({"expiry_day": 3}, "expiry_day"),
])
def test_nonsense_is_refused_naming_the_field(manager, body, field):
    response = patch(manager, body)
    assert response.status_code == 422 and response.json()["field"] == field, response.content


def test_a_key_that_may_not_manage_is_refused(org, terminal):
    auth._cache.clear()
    issued = api_key_create(organization_id=org.id, label="pos", actor=Actor.system(), terminal=terminal)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {issued.key}")
    assert client.get("/api/v1/points/policy").status_code == 403
