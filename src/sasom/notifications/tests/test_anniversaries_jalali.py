"""Worked examples: a Tehran shop on the Jalali calendar (periods follow it) greets membership
anniversaries and a member's own dates (a custom date field) on their Jalali day. A day the year
lacks (30 Esfand in a common year) is greeted on 29 Esfand, never on Nowruz; Nowruz anniversaries
move on the Gregorian calendar (20 or 21 March). docs/user-guide.md, "Persian shops"."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from sasom.core.audit import Actor
from sasom.core.calendars import JALALI, from_calendar
from sasom.members.models import CustomField
from sasom.notifications.backends import MemoryBackend
from sasom.notifications.event_messages import event_message_save, forget_active
from sasom.notifications.event_messages_daily import event_messages_daily_run
from sasom.notifications.models import Message

pytestmark = pytest.mark.django_db
TEHRAN = zoneinfo.ZoneInfo("Asia/Tehran")
SYSTEM = Actor.system("test")


def j(year: int, month: int, day: int) -> dt.date:
    return from_calendar(year, month, day, JALALI)


@pytest.fixture(autouse=True)
def jalali_shop(org, settings):
    settings.NOTIFY_BACKEND = "memory"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.NOTIFY_EVENT_MAX_AGE_HOURS = None
    org.calendar, org.time_zone = "jalali", "Asia/Tehran"
    org.save(update_fields=["calendar", "time_zone"])
    MemoryBackend.clear()
    forget_active()
    yield org
    forget_active()
    MemoryBackend.clear()


def switch_on(org, event, text, **kw):
    event_message_save(organization_id=org.pk, event=event, channel="sms", is_active=True, actor=SYSTEM,
                       body_th=text, body_en=text, **kw)


def run(org, day: dt.date) -> int:
    return event_messages_daily_run(organization_id=org.pk, on_date=day,
                                    now=dt.datetime.combine(day, dt.time(12), tzinfo=TEHRAN))


def bodies(purpose: str) -> list[str]:
    return list(Message.objects.filter(purpose=purpose).order_by("pk").values_list("body", flat=True))


def test_joined_on_esfand_30_is_celebrated_on_esfand_29_in_a_common_year(org, member):
    # given a member who joined on 30 Esfand 1399 (a leap year; 20 March 2021)
    member.joined_on, member.marketing_consent = j(1399, 12, 30), True
    member.save()
    assert member.joined_on == dt.date(2021, 3, 20)
    switch_on(org, "anniversary", "{years} years")
    # then in the leap year 1403 the anniversary is 30 Esfand (20 March 2025), not the day before
    assert run(org, j(1403, 12, 29)) == 0
    assert run(org, j(1403, 12, 30)) == 1 and j(1403, 12, 30) == dt.date(2025, 3, 20)
    # and in the common year 1404 it is 29 Esfand (20 March 2026), once, and not on Nowruz 1405
    assert run(org, j(1404, 12, 28)) == 0
    assert run(org, j(1404, 12, 29)) == 1 and j(1404, 12, 29) == dt.date(2026, 3, 20)
    assert run(org, j(1404, 12, 29)) == 0
    assert run(org, j(1405, 1, 1)) == 0
    assert bodies("anniversary") == ["4 years", "5 years"]


def test_a_nowruz_anniversary_moves_on_the_gregorian_calendar(org, member):
    # given a member who joined on Nowruz 1400 (21 March 2021)
    member.joined_on, member.marketing_consent = j(1400, 1, 1), True
    member.save()
    switch_on(org, "anniversary", "{years} years")
    # then Nowruz 1403 is 20 March 2024 and Nowruz 1404 is 21 March 2025: the Jalali day decides
    assert run(org, dt.date(2024, 3, 21)) == 0
    assert run(org, dt.date(2024, 3, 20)) == 1 and j(1403, 1, 1) == dt.date(2024, 3, 20)
    assert run(org, dt.date(2025, 3, 21)) == 1
    assert bodies("anniversary") == ["3 years", "4 years"]
    # the joining day itself is no anniversary
    member.joined_on = j(1405, 1, 1)
    member.save()
    assert run(org, j(1405, 1, 1)) == 0


def test_a_custom_date_on_esfand_30_in_a_jalali_shop(org, member):
    # given a wedding on 30 Esfand 1395 (a leap year; 20 March 2017)
    CustomField.objects.create(organization=org, key="wedding", label="سالگرد ازدواج", kind=CustomField.Kind.DATE)
    switch_on(org, "custom_date", "{years} years together", date_field="wedding")
    member.custom, member.marketing_consent = {"wedding": j(1395, 12, 30).isoformat()}, True
    member.save()
    assert member.custom["wedding"] == "2017-03-20"
    # then 1404 (common) greets it on 29 Esfand with 9 years, and nothing on Nowruz
    assert run(org, j(1404, 12, 29)) == 1
    assert run(org, j(1404, 12, 29)) == 0
    assert run(org, j(1405, 1, 1)) == 0
    assert bodies("custom_date") == ["9 years together"]


def test_a_jalali_shop_that_keeps_gregorian_periods_greets_on_gregorian_days(org, member):
    # given the shop writes Jalali days but counts periods in Gregorian
    org.periods_follow_calendar = False
    org.save(update_fields=["periods_follow_calendar"])
    member.joined_on, member.marketing_consent = dt.date(2021, 3, 21), True
    member.save()
    switch_on(org, "anniversary", "{years} years")
    # then 21 March is the day every year (2024: Nowruz is the 20th)
    assert run(org, dt.date(2024, 3, 20)) == 0
    assert run(org, dt.date(2024, 3, 21)) == 1
    assert bodies("anniversary") == ["3 years"]
