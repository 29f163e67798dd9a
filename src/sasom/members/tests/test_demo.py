from __future__ import annotations

import datetime as dt

import phonenumbers
import pytest

from sasom.members.demo import make_demo_member_types, make_demo_members
from sasom.members.models import Card, Member
from sasom.members.services import member_code_next
from sasom.organizations.models import Sequence
from sasom.testing.factories import BranchFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def test_demo_types_have_thai_names_and_benefits(org):
    types = make_demo_member_types(org)
    assert set(types) == {"VIP", "GEN", "EXEC", "STAFF"}
    assert types["GEN"].is_default and types["GEN"].name == "สมาชิกทั่วไป"
    assert not types["STAFF"].can_earn and types["VIP"].discount_percent == 10
    assert make_demo_member_types(org)["VIP"].pk == types["VIP"].pk  # running twice changes nothing


def test_demo_members_are_plausible_deterministic_and_bump_the_sequence_once(org, branch, branch2, django_assert_max_num_queries):
    # given the demo types
    types = make_demo_member_types(org)
    # when 1,200 members are made in batches of 500
    # no query per row: a few per batch (SQLite splits inserts by its parameter limit)
    with django_assert_max_num_queries(100):
        made = make_demo_members(org, count=1200, seed=7, branches=[branch, branch2], member_types=types,
                                 today=dt.date(2026, 6, 15), batch_size=500)
    # then each has a unique valid Thai phone, a code from the pattern and exactly one card
    assert made == 1200 == Member.objects.filter(organization=org).count()
    phones = list(Member.objects.values_list("phone", flat=True))
    assert len(set(phones)) == 1200
    assert all(phonenumbers.is_valid_number(phonenumbers.parse(p)) for p in phones[:200])
    assert Card.objects.filter(organization=org).count() == 1200
    assert Sequence.objects.get(organization=org, name="member_code").value == 1200
    assert member_code_next(organization=org, on=dt.date(2026, 6, 15)) == "M0001201"
    # and the same seed in another organization gives the same people
    other = OrganizationFactory()
    other_branches = [BranchFactory(organization=other), BranchFactory(organization=other)]
    make_demo_members(other, count=50, seed=7, branches=other_branches, member_types=make_demo_member_types(other),
                      today=dt.date(2026, 6, 15))
    first = lambda o: list(Member.objects.filter(organization=o).order_by("id").values_list("first_name", "last_name", "phone")[:50])  # noqa: E731
    assert first(other) == first(org)[:50]
