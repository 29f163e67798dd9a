"""The batches, roles and member-type pages read in Thai when the back office is in Thai: each
sentence of theirs found in English (issue 13) is now translated."""

from __future__ import annotations

import pytest

from sasom.organizations.models import Role

pytestmark = pytest.mark.django_db

ENGLISH_FOUND = {
    "/integrations/batches/": ["Promotion plan per document type", "A document's own plan column wins"],
    "/org/roles/": ["Set the points policy"],
    "/members/types/": ["Discount %", "Birthday discount %"],
    "/members/types/new/": ["Sort order"],
}


@pytest.mark.parametrize("path", sorted(ENGLISH_FOUND))
def test_the_page_shows_these_sentences_in_thai(staff_client, org, member_type, path):
    # given the owner, with the back office in Thai
    page = staff_client(Role.OWNER).get(path, HTTP_ACCEPT_LANGUAGE="th")
    assert page.status_code == 200
    # then none of the sentences found in English is
    shown = page.content.decode()
    assert [s for s in ENGLISH_FOUND[path] if s.replace("'", "&#x27;") in shown or s in shown] == []
