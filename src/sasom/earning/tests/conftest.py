from __future__ import annotations

import pytest

from sasom.core.audit import Actor
from sasom.earning.selectors import ruleset_forget
from sasom.testing.factories import MemberTypeFactory


@pytest.fixture(autouse=True)
def _fresh_ruleset_cache():
    ruleset_forget()
    yield
    ruleset_forget()


@pytest.fixture
def actor() -> Actor:
    return Actor.system("test")


@pytest.fixture
def vip_type(org):
    return MemberTypeFactory(organization=org, code="VIP", name="วีไอพี")


@pytest.fixture
def staff_type(org):
    return MemberTypeFactory(organization=org, code="STAFF", name="พนักงาน", can_earn=False)
