from __future__ import annotations

import datetime as dt

import pytest

from sasom.core.audit import Actor
from sasom.testing.factories import MemberTypeFactory

TODAY = dt.date(2026, 6, 15)


@pytest.fixture
def actor(django_user_model) -> Actor:
    user = django_user_model.objects.create_user("counter-nok", password="x-very-long-pass")
    return Actor.for_user(user, "127.0.0.1")


@pytest.fixture
def vip_type(org):
    return MemberTypeFactory(organization=org, code="VIP", name="วีไอพี", card_validity_months=24, discount_percent=10)


@pytest.fixture
def gen_type(member_type):
    member_type.card_validity_months = 12
    member_type.save()
    return member_type
