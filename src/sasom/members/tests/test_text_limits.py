"""A member's e-mail is an address and tags have limits, through the API, the forms and imports
(issue 13: any text was stored as an e-mail)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from sasom.core.audit import Actor
from sasom.core.errors import DomainError
from sasom.integrations import auth
from sasom.integrations.services import api_key_create
from sasom.members.errors import EMAIL_INVALID, TAGS_INVALID
from sasom.members.models import Member
from sasom.members.services import member_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def pos(org, terminal, member_type):
    auth._cache.clear()
    auth._buckets.clear()
    issued = api_key_create(organization_id=org.id, label="pos", actor=Actor.system(), terminal=terminal)
    return Client(HTTP_AUTHORIZATION=f"Bearer {issued.key}")


def post(client, path, body, method="post"):
    return getattr(client, method)(path, data=json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("email", ["not-an-email", "somchai@", "a b@example.com", "สมชาย"])
def test_registration_refuses_an_e_mail_that_is_not_an_address(pos, email):
    # when a member is registered with an e-mail that is no address
    response = post(pos, "/api/v1/members", {"phone": "0812345678", "first_name": "สมชาย", "email": email})
    # then it is refused naming the field, and nobody is registered
    assert response.status_code == 400, response.content
    assert (response.json()["code"], response.json()["field"]) == (EMAIL_INVALID, "email")
    assert not Member.objects.exists()


def test_a_real_address_is_taken_and_a_patch_is_checked_too(pos):
    created = post(pos, "/api/v1/members", {"phone": "0812345678", "first_name": "สมชาย", "email": "som@example.co.th"})
    assert created.status_code == 201, created.content
    code = created.json()["code"]
    response = post(pos, f"/api/v1/members/{code}", {"email": "nope"}, method="patch")
    assert response.status_code == 400 and response.json()["field"] == "email"
    assert Member.objects.get().email == "som@example.co.th"


def test_tags_have_limits(pos, member):
    # the schema says a tag is 1-40 characters
    response = post(pos, "/api/v1/members", {"phone": "0812345679", "first_name": "A", "tags": ["x" * 41]})
    assert response.status_code == 422 and response.json()["field"].startswith("tags")
    # and the service refuses them whatever the caller
    with pytest.raises(DomainError) as refused:
        member_update(member=member, actor=Actor.system(), data={"tags": ["y" * 41]})
    assert refused.value.code == TAGS_INVALID
