"""Every page names the site's icon (a browser asks for /favicon.ico otherwise, and the 404 lands
in its console on every first page: the back office, the till and the member portal alike)."""

from __future__ import annotations

import re

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.test import RequestFactory

ICON = re.compile(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">')


def test_the_back_office_and_the_portal_name_an_icon_that_is_served(db) -> None:
    request = RequestFactory().get("/")
    for template, context in (("core/base.html", {}), ("portal/base.html", {"organization": {"name": "Demo"}})):
        page = render_to_string(template, context, request=request)
        found = ICON.search(page)
        assert found, template
        assert found.group(1).endswith("sasom/icon.svg")
    path = finders.find("sasom/icon.svg")
    assert path, "the icon is a static file of the core app"
    with open(path, encoding="utf-8") as handle:
        assert handle.read().startswith("<svg")
