"""A broadcast's send time is typed in the shop's calendar on its own clock: a Tehran shop types
1405/01/01 09:00 (Nowruz) and the broadcast is due at 05:30 UTC; 1404/12/30 is refused on the field."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from sasom.notifications.backends import MemoryBackend
from sasom.notifications.models import Broadcast
from sasom.testing.factories import MemberFactory

pytestmark = pytest.mark.django_db
URL = "/messaging/broadcasts/"


@pytest.fixture(autouse=True)
def queue(settings, org):
    settings.NOTIFY_BACKEND = "memory"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    org.calendar, org.time_zone = "jalali", "Asia/Tehran"
    org.save(update_fields=["calendar", "time_zone"])
    MemoryBackend.clear()
    yield
    MemoryBackend.clear()


def _token(client):
    return client.get(URL).content.decode().split('name="_form_token" value="')[1].split('"')[0]


def test_a_tehran_shop_schedules_a_nowruz_broadcast_in_jalali(staff_client, org, member_type):
    MemberFactory(organization=org, member_type=member_type, code="A1", phone="+989120000001", marketing_consent=True)
    marketing = staff_client("marketing")
    data = {"name": "Nowruz", "channel": "sms", "body_th": "x", "body_en": "Happy Nowruz", "body_fa": "نوروز مبارک",
            "member_types": [str(member_type.pk)], "schedule": "1"}
    # a day the year lacks is refused on its field
    refused = marketing.post(URL, {**data, "scheduled_at": "1404/12/30 09:00", "_form_token": _token(marketing)})
    assert not Broadcast.objects.exists()
    assert [e.code for e in refused.context["form"].errors.as_data()["scheduled_at"]] == ["no_such_day"]
    # Nowruz 1405 at 09:00 on the Tehran clock
    response = marketing.post(URL, {**data, "scheduled_at": "۱۴۰۵/۰۱/۰۱ ۰۹:۰۰", "_form_token": _token(marketing)})
    assert response.status_code == 302
    broadcast = Broadcast.objects.get()
    assert broadcast.scheduled_at == dt.datetime(2026, 3, 21, 5, 30, tzinfo=dt.UTC)
    assert broadcast.scheduled_at.astimezone(zoneinfo.ZoneInfo("Asia/Tehran")).hour == 9
    assert "1405/01/01 09:00" in marketing.get(response["Location"]).content.decode()
