"""A broadcast links a portal news item picked from a list: the live news are offered, the
message carries the item's portal link where {news_link} stands (or at its end)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from sasom.core.audit import Actor
from sasom.core.errors import DomainError
from sasom.notifications.backends import MemoryBackend
from sasom.notifications.broadcasts import broadcast_create, broadcast_run_batch
from sasom.notifications.models import Broadcast, Message
from sasom.portal.news import news_save
from sasom.testing.factories import MemberFactory

pytestmark = pytest.mark.django_db
BKK = zoneinfo.ZoneInfo("Asia/Bangkok")
SYSTEM = Actor.system("test")


@pytest.fixture(autouse=True)
def queue(settings):
    settings.NOTIFY_BACKEND = "memory"
    settings.PUBLIC_URL = "https://points.shop.example"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    MemoryBackend.clear()
    yield
    MemoryBackend.clear()


def _news(org, title, **kw):
    data = {"title": title, "starts_on": kw.pop("starts_on", dt.date(2020, 1, 1)), "is_published": True, **kw}
    return news_save(organization_id=org.pk, data=data, actor=SYSTEM)


def _token(client, url):
    return client.get(url).content.decode().split('name="_form_token" value="')[1].split('"')[0]


def test_marketing_picks_a_live_news_item_and_each_message_carries_its_link(staff_client, org, member_type):
    # given a live news item, a draft and an ended one
    live = _news(org, "Songkran sale")
    draft = _news(org, "Draft", is_published=False)
    ended = _news(org, "Last year", ends_on=dt.date(2021, 1, 1))
    later = _news(org, "Next year", starts_on=dt.date(2099, 1, 1))
    MemberFactory(organization=org, member_type=member_type, code="A1", phone="+66810000001", marketing_consent=True)
    marketing = staff_client("marketing")
    url = "/messaging/broadcasts/"
    # when marketing opens the broadcast screen, then only the live one is offered
    page = marketing.get(url)
    offered = dict(page.context["form"].fields["news"].choices)
    assert offered.get(f"news:{live.pk}") == "Songkran sale"
    assert f"news:{draft.pk}" not in offered and f"news:{ended.pk}" not in offered
    upcoming = offered[f"news:{later.pk}"]  # one starting later says when, in the shop's calendar
    assert upcoming.startswith("Next year (") and ("2099" in upcoming or "2642" in upcoming)
    # and picking it schedules a broadcast with the link
    data = {"name": "Songkran", "channel": "sms", "scheduled_at": "2026-07-01T10:00", "body_th": "ลดทั้งร้าน {news_link}",
            "body_en": "", "member_types": [str(member_type.pk)], "news": f"news:{live.pk}", "schedule": "1"}
    response = marketing.post(url, {**data, "_form_token": _token(marketing, url)})
    assert response.status_code == 302
    broadcast = Broadcast.objects.get()
    link = f"https://points.shop.example/m/{org.code}/news/{live.pk}/"
    assert (broadcast.link_title, broadcast.link_url) == ("Songkran sale", link)
    assert link in marketing.get(response["Location"]).content.decode()
    # then the member's message carries the link in place of the placeholder
    broadcast_run_batch(broadcast_id=broadcast.pk, now=dt.datetime(2026, 7, 1, 12, tzinfo=BKK))
    assert Message.objects.get(broadcast=broadcast).body == f"ลดทั้งร้าน {link}"
    # a news item not offered is refused on the picker, scheduling nothing
    bad = marketing.post(url, {**data, "news": f"news:{draft.pk}", "_form_token": _token(marketing, url)})
    assert bad.status_code == 200 and "news" in bad.context["form"].errors
    assert Broadcast.objects.count() == 1


def test_a_text_without_the_placeholder_gets_the_link_at_its_end(org, member_type):
    live = _news(org, "Opening")
    MemberFactory(organization=org, member_type=member_type, code="B1", phone="+66810000002", marketing_consent=True,
                  language="en")
    broadcast = broadcast_create(organization=org, name="Opening", channel="sms", body_th="เปิดร้านใหม่",
                                 body_en="New shop", conditions=[], link=f"news:{live.pk}", actor=SYSTEM,
                                 scheduled_at=dt.datetime(2026, 7, 1, 10, tzinfo=BKK))
    assert broadcast.body_th == "เปิดร้านใหม่\n{news_link}" and broadcast.body_en == "New shop\n{news_link}"
    broadcast_run_batch(broadcast_id=broadcast.pk, now=dt.datetime(2026, 7, 1, 12, tzinfo=BKK))
    assert Message.objects.get(broadcast=broadcast).body == (
        f"New shop\nhttps://points.shop.example/m/{org.code}/news/{live.pk}/")


@pytest.mark.parametrize(("link", "body", "field"), [
    ("news:999999", "hi", "news"),  # no such news item
    ("", "hi {news_link}", "body_th"),  # the placeholder without a news item picked
])
def test_a_bad_link_is_refused_naming_the_field(org, link, body, field):
    with pytest.raises(DomainError) as error:
        broadcast_create(organization=org, name="X", channel="sms", body_th=body, body_en="", conditions=[],
                         link=link, actor=SYSTEM, scheduled_at=dt.datetime(2026, 7, 1, 10, tzinfo=BKK))
    assert error.value.field == field and not Broadcast.objects.exists()
