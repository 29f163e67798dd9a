"""The screens take the Persian text: a right-to-left box with the Persian default, its preview,
and saving it (a double submit saves once)."""

from __future__ import annotations

import pytest

from sasom.notifications.event_messages import forget_active
from sasom.notifications.events import EVENTS
from sasom.notifications.models import Broadcast, EventMessage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh():
    forget_active()
    yield
    forget_active()


def _token(client, url):
    return client.get(url).content.decode().split('name="_form_token" value="')[1].split('"')[0]


def test_the_event_screen_offers_a_persian_box_previews_and_saves_it(staff_client, org, member):
    marketing = staff_client("marketing")
    url = "/messaging/events/purchase/email/"
    page = marketing.get(url).content.decode()
    assert 'name="body_fa"' in page and 'name="subject_fa"' in page
    box = page.split('name="body_fa"')[0].rsplit("<textarea", 1)[1] + page.split('name="body_fa"')[1].split(">")[0]
    assert 'dir="rtl"' in box
    assert EVENTS["purchase"].body_fa.split("{points}")[1].split("{balance}")[0] in page  # the Persian default
    body = {"is_active": "on", "body_th": "", "body_en": "", "subject_fa": "امتیاز تازه",
            "body_fa": "{shop}: {name} عزیز، {points} امتیاز گرفتید", "preview_member": member.code}
    html = marketing.post(url, {**body, "preview": "1", "_form_token": _token(marketing, url)}).content.decode()
    assert 'data-preview="fa"' in html and 'data-preview="th"' not in html
    assert f"{org.name}: {member.first_name} عزیز، 120 امتیاز گرفتید" in html
    assert not EventMessage.objects.exists()
    token = _token(marketing, url)
    for _ in range(2):  # the same form sent twice
        marketing.post(url, {**body, "save": "1", "_form_token": token})
    row = EventMessage.objects.get(organization=org, event="purchase", channel="email")
    assert (row.is_active, row.body_th, row.subject_fa, row.body_fa) == (True, "", "امتیاز تازه", body["body_fa"])


def test_the_broadcast_screen_takes_a_persian_text(staff_client, org):
    marketing = staff_client("marketing")
    url = "/messaging/broadcasts/"
    page = marketing.get(url).content.decode()
    assert 'name="body_fa"' in page
    response = marketing.post(url, {
        "name": "نوروز", "channel": "sms", "scheduled_at": "2030-03-20T10:00", "body_th": "", "body_en": "",
        "body_fa": "{name} عزیز، نوروز مبارک", "news": "", "schedule": "1", "_form_token": _token(marketing, url)})
    assert response.status_code == 302, response.content.decode()[:2000]
    broadcast = Broadcast.objects.get(organization=org)
    assert (broadcast.body_th, broadcast.body_fa) == ("", "{name} عزیز، نوروز مبارک")
    assert "نوروز مبارک" in marketing.get(response["Location"]).content.decode()
