"""The promotions API under schema-driven fuzzing with a key that may change configuration (the
whole-API fuzz in tests/api uses a POS key, which these operations refuse): no input is a 5xx,
and every answer matches the OpenAPI document."""

from __future__ import annotations

import pytest
import schemathesis
from schemathesis.core.parameters import ParameterLocation

from sasom.core.audit import Actor
from sasom.integrations import auth
from sasom.integrations.services import api_key_create
from sasom.testing.properties import db_property
from sasom.wsgi import application  # noqa: E402  (pytest-django has set Django up by now)

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application).include(path_regex="/promotions")


@pytest.fixture
def _keep_test_connection():
    """As in tests/api: the WSGI app called directly must not close the test's connection."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def manage_key(_keep_test_connection, org, catalog):
    auth._cache.clear()
    auth._buckets.clear()
    return api_key_create(organization_id=org.id, label="fuzz", actor=Actor.system(), can_manage=True,
                          rate_limit_per_minute=100000).key


@schema.parametrize()
@db_property(max_examples=15)
@pytest.mark.django_db
def test_promotions_api_never_fails_on_any_input(case, manage_key):
    meta = case.meta
    key_dropped = (meta is not None and meta.is_negative_at(ParameterLocation.HEADER)
                   and "Authorization" not in (case.headers or {}))
    case.call_and_validate(
        headers={} if key_dropped else {"Authorization": f"Bearer {manage_key}"},
        excluded_checks=[schemathesis.checks.positive_data_acceptance],
    )
