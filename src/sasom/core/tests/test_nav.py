"""The menu highlights one item on any page: the one the page belongs to (issue 13: two were
highlighted where one item's address starts another's, /members/ and /members/types/)."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from sasom.core.context_processors import sasom
from sasom.organizations.models import Role

pytestmark = pytest.mark.django_db


def _nav(staff, path):
    request = RequestFactory().get(path)
    request.staff = staff
    return sasom(request)["nav"]


def test_every_page_under_a_menu_item_highlights_that_item_alone(make_staff):
    owner = make_staff(Role.OWNER)
    urls = [item["url"] for group in _nav(owner, "/") for item in group["items"]]
    for url in urls:
        for path in (url, f"{url}17/edit/") if url != "/" else (url,):
            # when a page at or under the item is shown
            active = [i["url"] for g in _nav(owner, path) for i in g["items"] if i["active"]]
            # then exactly one item is highlighted: the deepest that holds the page
            expected = max((u for u in urls if path == u or (u != "/" and path.startswith(u))), key=len)
            assert active == [expected], (path, active)
            groups = [g["label"] for g in _nav(owner, path) if g["active"]]
            assert len(groups) == 1, (path, groups)
