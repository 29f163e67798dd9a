from __future__ import annotations

import pytest

from sasom.core.audit import Actor
from sasom.organizations.models import Role


@pytest.fixture
def system_actor() -> Actor:
    return Actor.system("test")


@pytest.fixture
def owner(make_staff):
    return make_staff(Role.OWNER, username="owner")


@pytest.fixture
def admin(make_staff):
    return make_staff(Role.ADMIN, username="admin")
