"""Property-based API testing from the OpenAPI schema: no input yields a 5xx or breaks the schema."""

from __future__ import annotations

import pytest
import schemathesis
from schemathesis.core.parameters import ParameterLocation

from sasom.core.audit import Actor
from sasom.integrations import auth
from sasom.integrations.services import api_key_create
from sasom.testing.factories import MemberFactory
from sasom.testing.properties import db_property
from sasom.wsgi import application  # noqa: E402  (pytest-django has set Django up by now)

# The schema endpoint needs no database, so it can be read while the tests are collected.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture
def _keep_test_connection():
    """Django's test client stops requests from closing the database connection (the test's
    transaction lives on it); calling the WSGI app directly needs the same."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_key(_keep_test_connection, org, terminal, member_type):
    auth._cache.clear()
    auth._buckets.clear()
    MemberFactory(organization=org, member_type=member_type, code="M0000001", phone="+66812345678")
    return api_key_create(organization_id=org.id, label="fuzz", actor=Actor.system(), terminal=terminal,
                          rate_limit_per_minute=100000).key


@schema.parametrize()
@db_property(max_examples=25)
@pytest.mark.django_db
def test_api_never_fails_on_any_input(case, api_key):
    # A schema-valid request may still be refused by a business rule (400 insufficient_points,
    # 404 member_not_found), so "positive data must be accepted" does not apply; everything
    # else does: no 5xx, answers match the schema, invalid input is rejected, auth is enforced.
    # A negative case may have dropped the Authorization header on purpose: sending our key then
    # would make it a valid request that schemathesis still counts as negative ("accepted"), so
    # such a case goes without the key and must be refused.
    meta = case.meta
    key_dropped = (meta is not None and meta.is_negative_at(ParameterLocation.HEADER)
                   and "Authorization" not in (case.headers or {}))
    case.call_and_validate(
        headers={} if key_dropped else {"Authorization": f"Bearer {api_key}"},
        excluded_checks=[schemathesis.checks.positive_data_acceptance],
    )
