"""A terminal's key is cached with its terminal, branch and organization; changing any of them
clears the cache of this process, so the next sale sees the change."""

from __future__ import annotations

import pytest

from sasom.core.audit import Actor
from sasom.integrations.auth import forget_cached_key, principal_for_key
from sasom.integrations.services import api_key_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def key(org, terminal):
    forget_cached_key()
    return api_key_create(organization_id=org.pk, label="till 1", actor=Actor.system(), terminal=terminal).key


def test_the_key_brings_its_place_and_is_served_from_the_cache(key, terminal, django_assert_num_queries):
    # given the key was used once
    first = principal_for_key(key)
    assert first.place[2].pk == terminal.pk and first.place[1].pk == terminal.branch_id

    # when it is used again, then no query is made
    with django_assert_num_queries(0):
        again = principal_for_key(key)
    assert again is first


@pytest.mark.parametrize("change", ["branch", "terminal", "organization"])
def test_saving_the_place_clears_the_cache(key, terminal, change):
    # given the key's place is cached
    principal_for_key(key)

    # when the owner renames the branch, the terminal or the organization
    obj = {"branch": terminal.branch, "terminal": terminal, "organization": terminal.organization}[change]
    field = "code" if change != "organization" else "name"
    setattr(obj, field, "renamed")
    obj.save()

    # then the next use of the key reads the new place
    place = dict(zip(("organization", "branch", "terminal"), principal_for_key(key).place, strict=True))
    assert getattr(place[change], field) == "renamed"
