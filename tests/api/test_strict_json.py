"""JSON booleans and integers are taken as JSON booleans and integers: ``0`` is not ``false`` and
``false`` is not ``0`` (schemathesis R6 found pydantic's lax reading of both). A wrong type is a
422 naming the field, and nothing is changed."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from sasom.core.audit import Actor
from sasom.integrations import auth
from sasom.integrations.services import api_key_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_key(org, terminal):
    auth._cache.clear()
    auth._buckets.clear()
    issued = api_key_create(organization_id=org.id, label="admin", actor=Actor.system(), terminal=terminal,
                            can_manage=True)
    return Client(HTTP_AUTHORIZATION=f"Bearer {issued.key}")


def send(client, method, path, body):
    return getattr(client, method)(path, data=json.dumps(body), content_type="application/json")


@pytest.mark.parametrize(("method", "path", "body", "field"), [
    ("patch", "/api/v1/members/{member}", {"marketing_consent": 0}, "marketing_consent"),
    ("patch", "/api/v1/member-types/{member_type}", {"sort_order": False}, "sort_order"),
    ("patch", "/api/v1/member-types/{member_type}", {"is_active": 1}, "is_active"),
    ("patch", "/api/v1/earning/settings", {"expired_card_earns": 0}, "expired_card_earns"),
    ("put", "/api/v1/points-discount/rules", {"rules": [{"points_per_unit": 1, "min_points": 0,
                                                         "max_bill_percent": "100", "max_balance_percent": "100",
                                                         "is_active": 0}]}, "rules.0.is_active"),
    ("post", "/api/v1/rewards", {"code": "R1", "name": "Mug", "points_cost": "100"}, "points_cost"),
    ("patch", "/api/v1/members/{member}", {"birth_on": "0"}, "birth_on"),  # not 1 January 1970
])
def test_a_number_for_a_boolean_or_a_boolean_for_a_number_is_refused(admin_key, member, member_type, method, path,
                                                                      body, field):
    # when a field is sent with the wrong JSON type
    response = send(admin_key, method, path.format(member=member.code, member_type=member_type.code), body)

    # then 422 names it
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "invalid_input"
    assert response.json()["field"] == field


def test_the_right_types_are_accepted(admin_key, member):
    # the same field with a JSON boolean is taken
    response = send(admin_key, "patch", f"/api/v1/members/{member.code}", {"marketing_consent": True})
    assert response.status_code == 200, response.content
    assert response.json()["marketing_consent"] is True
    member.refresh_from_db()
    assert member.marketing_consent is True
