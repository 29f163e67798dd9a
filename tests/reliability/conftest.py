"""Scaled-down battery rows (docs/reliability.md): the same scenario code as ``scripts/battery.sh``."""

from __future__ import annotations

import pytest
from django.db import connection

from sasom.earning.selectors import ruleset_forget
from sasom.integrations import auth

postgres_only = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL"),
]


@pytest.fixture
def fresh_caches():
    auth._cache.clear()
    auth._buckets.clear()
    ruleset_forget()
    yield
    auth._cache.clear()
    auth._buckets.clear()
    ruleset_forget()


@pytest.fixture
def shop(transactional_db, fresh_caches):
    from battery.shop import shop_create

    return shop_create("rel")
