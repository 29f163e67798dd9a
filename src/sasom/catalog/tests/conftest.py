from __future__ import annotations

import pytest
from django.test import Client

from sasom.core.audit import Actor
from sasom.integrations import auth
from sasom.integrations.services import api_key_create


@pytest.fixture
def actor() -> Actor:
    return Actor.system("catalog-test")


@pytest.fixture(autouse=True)
def _fresh_key_caches():
    auth._cache.clear()
    auth._buckets.clear()


def key_client(org, *, can_manage: bool = False, terminal=None) -> Client:
    issued = api_key_create(organization_id=org.id, label="key", actor=Actor.system(), can_manage=can_manage,
                            terminal=terminal)
    return Client(HTTP_AUTHORIZATION=f"Bearer {issued.key}")


@pytest.fixture
def pos(org, terminal) -> Client:
    return key_client(org, terminal=terminal)


@pytest.fixture
def manager(org) -> Client:
    return key_client(org, can_manage=True)
