"""The portal's LINE page: a code that the webhook links, and unlinking."""

from __future__ import annotations

import re

import pytest

from sasom.notifications.models import LineLink
from sasom.notifications.tests.test_line_link import _hook, _text
from sasom.notifications.tests.test_line_link import line as line  # noqa: F401 (the LINE gateway fixture)

pytestmark = pytest.mark.django_db


def test_portal_page_shows_a_code_that_links(portal, member, client, org):
    portal.log_in(client, member)
    page = client.post(f"/m/{org.code}/me/line/", {"action": "code"}).content.decode()
    code = re.search(r'id="line-code">([A-Z0-9]{8})<', page).group(1)
    assert "https://line.me/R/ti/p/@minimart" in page
    _hook(client, org, [_text(code)])
    page = client.get(f"/m/{org.code}/me/line/").content.decode()
    assert LineLink.objects.filter(member=member).exists() and 'value="unlink"' in page
    client.post(f"/m/{org.code}/me/line/", {"action": "unlink"})
    assert not LineLink.objects.exists()


def test_portal_says_when_the_shop_has_no_line(portal, member, client, org):
    LineLink.objects.all().delete()
    from sasom.notifications.models import ChannelConfig

    ChannelConfig.objects.filter(organization=org).delete()
    portal.log_in(client, member)
    page = client.post(f"/m/{org.code}/me/line/", {"action": "code"}).content.decode()
    assert 'id="line-code"' not in page
