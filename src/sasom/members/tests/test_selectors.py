from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from sasom.members.models import Member
from sasom.members.selectors import member_benefits, member_lookup, member_search
from sasom.testing.factories import CardFactory, MemberFactory

pytestmark = pytest.mark.django_db
JUNE_15 = dt.date(2026, 6, 15)


@pytest.fixture
def vip(vip_type):
    vip_type.birthday_discount_percent = Decimal("20")
    vip_type.save()
    return vip_type


def test_vip_gets_discount_and_birthday_discount_on_the_day(org, vip):
    m = MemberFactory(organization=org, member_type=vip, birth_on=dt.date(1990, 6, 15), expires_on=dt.date(2027, 1, 1))
    b = member_benefits(m, JUNE_15)
    assert (b.active, b.can_earn, b.discount_percent, b.birthday_discount_percent) == (True, True, 10, 20)
    assert member_benefits(m, JUNE_15 + dt.timedelta(days=1)).birthday_discount_percent == 0


def test_birth_month_scope_and_leap_day(org, vip):
    vip.birthday_scope = "month"
    m = MemberFactory(organization=org, member_type=vip, birth_on=dt.date(1990, 6, 2))
    assert member_benefits(m, dt.date(2026, 6, 30)).birthday_discount_percent == 20
    vip.birthday_scope = "day"
    leap = MemberFactory(organization=org, member_type=vip, birth_on=dt.date(2000, 2, 29))
    assert member_benefits(leap, dt.date(2026, 2, 28)).birthday_discount_percent == 20


def test_expired_card_stops_benefits_only_when_the_type_says_so(org, vip):
    m = MemberFactory(organization=org, member_type=vip, expires_on=dt.date(2026, 6, 1))
    assert member_benefits(m, JUNE_15).active is False and member_benefits(m, JUNE_15).reason == "expired"
    vip.benefits_stop_on_expiry = False
    assert member_benefits(m, JUNE_15).discount_percent == 10
    m.status = Member.Status.SUSPENDED
    assert member_benefits(m, JUNE_15).active is False


def test_lookup_and_search_by_each_key(org, member_type):
    m = MemberFactory(organization=org, member_type=member_type, code="M77", phone="+66891112222", first_name="Kanya", last_name="Srisuk")
    CardFactory(member=m, number="7700")
    MemberFactory(organization=org, member_type=member_type, first_name="Somchai", last_name="Kanyarat")
    assert member_lookup(org.pk, phone="089-111-2222") == m
    assert member_lookup(org.pk, card="7700") == m
    assert member_lookup(org.pk, code="M77") == m
    assert member_lookup(org.pk, phone="0890000000") is None
    assert list(member_search(org.pk, "0891112222")) == [m]
    assert list(member_search(org.pk, "7700")) == [m]
    # a name prefix finds first and last names; lower case finds a capitalized name
    assert {x.first_name for x in member_search(org.pk, "kanya")} == {"Kanya", "Somchai"}
    assert [x.first_name for x in member_search(org.pk, "Kanya Sri")] == ["Kanya"]
    # no infix search: the middle of a name finds nothing
    assert list(member_search(org.pk, "anya")) == []
