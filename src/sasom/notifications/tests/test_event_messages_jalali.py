"""Worked examples: a Tehran shop on the Jalali calendar greets birthdays on Jalali days (30 Esfand
on 29 Esfand in a common year), birth months on 1 of the Jalali month, and writes expiry dates in
its calendar (docs/user-guide.md, "Dates and calendars")."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest

from sasom.core.audit import Actor
from sasom.core.calendars import JALALI, from_calendar
from sasom.earning import engine
from sasom.earning.selectors import ruleset_forget
from sasom.earning.services import rule_create
from sasom.ledger.models import LedgerSettings
from sasom.ledger.services import sale_post
from sasom.notifications.backends import MemoryBackend
from sasom.notifications.event_messages import event_message_save, forget_active
from sasom.notifications.event_messages_daily import event_messages_daily_run
from sasom.notifications.models import Message
from sasom.testing.factories import MemberFactory

pytestmark = pytest.mark.django_db
TEHRAN = zoneinfo.ZoneInfo("Asia/Tehran")
SYSTEM = Actor.system("test")


def j(year: int, month: int, day: int) -> dt.date:
    return from_calendar(year, month, day, JALALI)


def noon(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=TEHRAN)


@pytest.fixture(autouse=True)
def jalali_shop(org, settings):
    settings.NOTIFY_BACKEND = "memory"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.NOTIFY_EVENT_MAX_AGE_HOURS = None
    org.calendar, org.time_zone = "jalali", "Asia/Tehran"
    org.save(update_fields=["calendar", "time_zone"])
    MemoryBackend.clear()
    forget_active()
    ruleset_forget()
    yield org
    forget_active()
    ruleset_forget()
    MemoryBackend.clear()


def switch_on(org, event, text, days_before=30):
    event_message_save(organization_id=org.pk, event=event, channel="sms", is_active=True, actor=SYSTEM,
                       body_th=text, body_en=text, days_before=days_before)


def run(org, day: dt.date) -> int:
    return event_messages_daily_run(organization_id=org.pk, on_date=day, now=noon(day))


def test_born_on_esfand_30_is_greeted_on_esfand_29_in_a_common_year(org, member):
    # given a member born on 30 Esfand 1370 (a leap year) who accepts marketing
    member.birth_on, member.marketing_consent = j(1370, 12, 30), True
    member.save()
    switch_on(org, "birthday", "HBD {name}")
    # then in 1404 (Esfand has 29 days) the greeting comes on 29 Esfand, once, and not on Nowruz
    assert run(org, j(1404, 12, 28)) == 0
    assert run(org, j(1404, 12, 29)) == 1
    assert run(org, j(1404, 12, 29)) == 0
    assert run(org, j(1405, 1, 1)) == 0
    # and in the leap year 1403 on 30 Esfand itself, not the day before
    assert run(org, j(1403, 12, 29)) == 0
    assert run(org, j(1403, 12, 30)) == 1
    assert Message.objects.filter(purpose="birthday", member=member).count() == 2


def test_a_jalali_birthday_moves_on_the_gregorian_calendar(org, member):
    # 1 Farvardin is 21 March in 1404 but 20 March in 1403 and 1405
    member.birth_on, member.marketing_consent = j(1369, 1, 1), True
    member.save()
    switch_on(org, "birthday", "HBD")
    assert j(1404, 1, 1) == dt.date(2025, 3, 21)
    assert run(org, dt.date(2025, 3, 21)) == 1
    assert run(org, j(1405, 1, 1)) == 1 and j(1405, 1, 1) == dt.date(2026, 3, 21)


def test_birth_month_greetings_on_the_first_of_the_jalali_month(org, member, member_type):
    # given members born in Esfand (one on 10 Esfand = 1 March 1990) and one born 5 Farvardin
    member.birth_on, member.marketing_consent = j(1370, 12, 30), True
    member.save()
    march_first = MemberFactory(organization=org, member_type=member_type, code="M2", phone="+989121111111",
                                birth_on=dt.date(1990, 3, 1), marketing_consent=True)
    farvardin = MemberFactory(organization=org, member_type=member_type, code="M3", phone="+989122222222",
                              birth_on=j(1369, 1, 5), marketing_consent=True)
    assert dt.date(1990, 3, 1) == j(1368, 12, 10)
    switch_on(org, "birthday_month", "Esfand")
    # when the job runs on 1 Esfand 1404 (20 February 2026), and again
    assert run(org, j(1404, 12, 2)) == 0
    assert run(org, j(1404, 12, 1)) == 2
    assert run(org, j(1404, 12, 1)) == 0
    # then the Esfand-born are greeted, the Farvardin-born on 1 Farvardin
    assert {m.member_id for m in Message.objects.filter(purpose="birthday_month")} == {member.pk, march_first.pk}
    assert run(org, j(1405, 1, 1)) == 1
    assert Message.objects.filter(purpose="birthday_month", member=farvardin).count() == 1


def test_the_expiry_date_placeholder_is_a_jalali_day(org, branch, terminal, member):
    # given "end of month + 0" and points earned on 15 Bahman 1405, a reminder 30 days before
    rule_create(organization_id=org.pk, actor=SYSTEM, code="BASE", name="1 pt per 100", kind="base",
                params={"per_amount": "100", "points": 1})
    LedgerSettings.objects.update_or_create(organization=org, defaults={"expiry_policy": "end_of_month",
                                                                        "expiry_n": 0})
    lines = (engine.BasketLine(line_no=1, sku="TOTAL", quantity=Decimal("1"), unit_price=Decimal("1250")),)
    sale_post(organization=org, branch=branch, terminal=terminal, receipt_id="R1",
              basket=engine.Basket(occurred_at=noon(j(1405, 11, 15)), lines=lines), member=member, actor=SYSTEM,
              now=noon(j(1405, 11, 15)))
    switch_on(org, "points_expiring", "{points} points expire on {expiry_date}")
    # when the daily job runs on 20 Bahman
    assert run(org, j(1405, 11, 20)) == 1
    # then the message names 30 Bahman in the shop's calendar
    assert Message.objects.get(purpose="points_expiring").body == "12 points expire on 1405/11/30"
