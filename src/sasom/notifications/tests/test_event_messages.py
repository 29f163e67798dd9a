"""Messages on events: each event sends once per channel, in the shop's language and calendar,
under the rules (consent, quiet hours, daily cap)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest

from sasom.core.audit import Actor
from sasom.core.errors import DomainError
from sasom.earning import engine
from sasom.earning.selectors import ruleset_forget
from sasom.earning.services import rule_create
from sasom.ledger.services import sale_post
from sasom.members.services import member_register
from sasom.notifications.backends import MemoryBackend
from sasom.notifications.event_messages import (
    event_message_preview,
    event_message_save,
    forget_active,
)
from sasom.notifications.event_messages_daily import event_messages_daily_run
from sasom.notifications.models import Message, MessagingSettings
from sasom.notifications.services import message_deliver

pytestmark = pytest.mark.django_db
BKK = zoneinfo.ZoneInfo("Asia/Bangkok")
SYSTEM = Actor.system("test")


def at(y, m, d, hh=10, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=BKK)


@pytest.fixture(autouse=True)
def setup(org, settings):
    settings.NOTIFY_BACKEND = "memory"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.PUBLIC_URL = "https://points.example.com"
    settings.NOTIFY_EVENT_MAX_AGE_HOURS = None  # the scenarios' sales are dated in the past
    MemoryBackend.clear()
    forget_active()
    ruleset_forget()
    rule_create(organization_id=org.pk, actor=SYSTEM, code="BASE", name="100 THB = 1 pt", kind="base",
                params={"per_amount": "100", "points": 1})
    yield
    forget_active()
    ruleset_forget()
    MemoryBackend.clear()


def switch_on(org, event, channel="sms", **texts):
    return event_message_save(organization_id=org.pk, event=event, channel=channel, is_active=True, actor=SYSTEM,
                              body_th=texts.get("th", ""), body_en=texts.get("en", ""),
                              days_before=texts.get("days_before", 30))


def sell(org, branch, terminal, member, amount, receipt, when=None, points_used=0):
    when = when or at(2026, 3, 1)
    lines = (engine.BasketLine(line_no=1, sku="TOTAL", quantity=Decimal("1"), unit_price=Decimal(amount)),)
    return sale_post(organization=org, branch=branch, terminal=terminal, receipt_id=receipt,
                     basket=engine.Basket(occurred_at=when, lines=lines), member=member, actor=SYSTEM,
                     points_used=points_used, now=when)


def test_purchase_sends_points_and_balance_once_per_channel(org, branch, terminal, member):
    # given purchase messages on by SMS and e-mail
    member.email = "somchai@example.com"
    member.save()
    switch_on(org, "purchase", "sms", th="{shop}: ได้รับ {points} คะแนน คงเหลือ {balance}")
    switch_on(org, "purchase", "email", th="คุณ{name} ได้รับ {points} คะแนน")
    # when the member buys for 1,250 THB, then 300 THB
    sell(org, branch, terminal, member, "1250.00", "R1")
    sell(org, branch, terminal, member, "300.00", "R2")
    # then each sale queued one SMS and one e-mail with its points and the balance after it
    sms = list(Message.objects.filter(purpose="purchase", channel="sms").order_by("pk").values_list("body", flat=True))
    assert sms == ["มินิมาร์ท: ได้รับ 12 คะแนน คงเหลือ 12", "มินิมาร์ท: ได้รับ 3 คะแนน คงเหลือ 15"]
    assert Message.objects.filter(purpose="purchase", channel="email").count() == 2
    message = Message.objects.filter(purpose="purchase", channel="sms").first()
    assert (message.member_id, message.kind, message.recipient) == (member.pk, "transactional", "+66812345678")


def test_redemption_message_when_points_pay(org, branch, terminal, member):
    sell(org, branch, terminal, member, "5000.00", "R1")
    switch_on(org, "redemption", th="ใช้ {points} คะแนน เหลือ {balance}")
    sell(org, branch, terminal, member, "100.00", "R2", when=at(2026, 3, 2), points_used=20)
    # the balance right after the points paid (the sale's own earning is a message of its own)
    assert list(Message.objects.filter(purpose="redemption").values_list("body", flat=True)) == ["ใช้ 20 คะแนน เหลือ 30"]


def test_registration_welcome_in_english_for_an_english_shop(org, member_type):
    org.language = "en"
    org.save()
    switch_on(org, "registration", th="ยินดีต้อนรับ {name}", en="Welcome {name}, member {code}: {link}")
    member_register(organization=org, actor=SYSTEM, data={
        "code": "M-NEW", "member_type": member_type, "first_name": "Malee", "phone": "+66898765432"})
    [message] = Message.objects.filter(purpose="registration")
    assert message.body == "Welcome Malee, member M-NEW: https://points.example.com/m/minimart/"


def test_nothing_is_recorded_when_no_message_is_on(org, branch, terminal, member):
    sell(org, branch, terminal, member, "1250.00", "R1")
    assert not Message.objects.exists()


def test_birthday_is_marketing_needs_consent_and_is_sent_once(org, member, member_type):
    # given two members born on 15 May, one with marketing consent
    member.birth_on = dt.date(1990, 5, 15)
    member.marketing_consent = True
    member.save()
    other = member_register(organization=org, actor=SYSTEM, data={
        "code": "M-NOCONSENT", "member_type": member_type, "phone": "+66898765432", "birth_on": dt.date(1985, 5, 15)})
    assert other.marketing_consent is False
    switch_on(org, "birthday", th="สุขสันต์วันเกิดคุณ{name}")
    # when the daily job runs twice on the day (at 10:00, outside quiet hours)
    now = at(2026, 5, 15, 10)
    assert event_messages_daily_run(organization_id=org.pk, on_date=dt.date(2026, 5, 15), now=now) == 1
    assert event_messages_daily_run(organization_id=org.pk, on_date=dt.date(2026, 5, 15), now=now) == 0
    # then only the consenting member got one greeting, a marketing message
    [message] = Message.objects.filter(purpose="birthday")
    assert (message.member_id, message.kind, message.not_before) == (member.pk, "marketing", None)
    # and next year they are greeted again
    assert event_messages_daily_run(organization_id=org.pk, on_date=dt.date(2027, 5, 15), now=now) == 1


def test_quiet_hours_queue_and_deliver_after_they_end(org, member):
    # given quiet hours 21:00-08:00 (the default) and a birthday greeting found at 06:30
    member.birth_on = dt.date(1990, 5, 15)
    member.marketing_consent = True
    member.save()
    switch_on(org, "birthday", th="HBD {name}")
    event_messages_daily_run(organization_id=org.pk, on_date=dt.date(2026, 5, 15), now=at(2026, 5, 15, 6, 30))
    message = Message.objects.get(purpose="birthday")
    assert message.not_before == at(2026, 5, 15, 8, 0)
    # when the worker picks it up at 07:00, it stays queued; at 08:00 it goes
    assert message_deliver(message_id=message.pk, now=at(2026, 5, 15, 7)).status == "queued"
    assert MemoryBackend.outbox == []
    assert message_deliver(message_id=message.pk, now=at(2026, 5, 15, 8)).status == "sent"
    assert [o.body for o in MemoryBackend.outbox] == ["HBD สมชาย"]


def test_transactional_purchase_is_not_held_by_quiet_hours(org, branch, terminal, member):
    switch_on(org, "purchase", th="ได้ {points}")
    sell(org, branch, terminal, member, "1250.00", "R1", when=at(2026, 3, 1, 22, 30))
    assert Message.objects.get(purpose="purchase").not_before is None


def test_daily_cap_of_marketing_messages(org, member):
    MessagingSettings.objects.create(organization=org, marketing_daily_cap=1)
    member.birth_on = dt.date(1990, 5, 15)
    member.marketing_consent = True
    member.email = "somchai@example.com"
    member.save()
    switch_on(org, "birthday", "sms", th="HBD")
    switch_on(org, "birthday", "email", th="HBD")
    event_messages_daily_run(organization_id=org.pk, on_date=dt.date(2026, 5, 15), now=at(2026, 5, 15, 10))
    assert Message.objects.filter(purpose="birthday").count() == 1


def test_points_expiring_reminder_in_the_buddhist_calendar(org, branch, terminal, member, policy_expiry):
    # given points that expire at the end of 2026 and a reminder 30 days before
    sell(org, branch, terminal, member, "1250.00", "R1", when=at(2026, 3, 1))
    switch_on(org, "points_expiring", th="{points} คะแนนหมดอายุ {expiry_date}", days_before=30)
    # when the job runs 40 days before, nothing; 20 days before, one reminder (and only one)
    assert event_messages_daily_run(organization_id=org.pk, on_date=dt.date(2026, 11, 21), now=at(2026, 11, 21)) == 0
    assert event_messages_daily_run(organization_id=org.pk, on_date=dt.date(2026, 12, 11), now=at(2026, 12, 11)) == 1
    assert event_messages_daily_run(organization_id=org.pk, on_date=dt.date(2026, 12, 12), now=at(2026, 12, 12)) == 0
    assert Message.objects.get(purpose="points_expiring").body == "12 คะแนนหมดอายุ 31/12/2569"


@pytest.fixture
def policy_expiry(org):
    from sasom.ledger.models import LedgerSettings

    LedgerSettings.objects.update_or_create(organization=org, defaults={"expiry_policy": "end_of_year",
                                                                        "expiry_n": 0})


def test_erased_or_phoneless_member_gets_nothing(org, branch, terminal, member):
    member.phone = None
    member.save()
    switch_on(org, "purchase", th="ได้ {points}")
    sell(org, branch, terminal, member, "1250.00", "R1")
    assert not Message.objects.exists()


@pytest.mark.parametrize(("texts", "field"), [
    ({"th": "สวัสดี {nickname}"}, "body_th"),
    ({"th": "", "en": ""}, "body_th"),
    ({"th": "x", "days_before": 0}, "days_before"),
])
def test_bad_template_is_refused_naming_the_field(org, texts, field):
    with pytest.raises(DomainError) as error:
        switch_on(org, "purchase", **texts)
    assert error.value.field == field


def test_an_unknown_event_is_refused(org):
    with pytest.raises(DomainError) as error:
        switch_on(org, "wedding_bells", th="{name}")
    assert (error.value.code, error.value.field) == ("notify.event_invalid", "event")


def test_preview_with_a_real_member_counts_parts_and_cost(org, branch, terminal, member):
    from sasom.notifications.channels import channel_config_save

    sell(org, branch, terminal, member, "1250.00", "R1")
    channel_config_save(organization_id=org.pk, channel="sms", gateway="http_post", actor=SYSTEM, cost_per_segment="0.40",
                        options={"url": "https://sms.example.com/send", "encoding": "json", "number_style": "e164",
                                 "recipient_field": "to", "message_field": "text", "auth": "none"}, secrets={})
    preview = event_message_preview(organization=org, event="purchase", channel="sms", member=member, language="th",
                                    body="{shop}: คุณ{name} ได้รับ {points} คะแนน คะแนนสะสม {balance} " + "ก" * 40)
    assert preview.text.startswith("มินิมาร์ท: คุณสมชาย ได้รับ 120 คะแนน คะแนนสะสม 12 ")
    assert (preview.count.encoding, preview.count.segments, preview.cost) == ("ucs2", 2, Decimal("0.80"))


def test_a_back_posted_sale_does_not_text_the_member(org, branch, terminal, member, settings):
    # given messages only for events of the last 24 hours, and a receipt of three days ago posted now
    settings.NOTIFY_EVENT_MAX_AGE_HOURS = 24
    switch_on(org, "purchase", th="ได้ {points}")
    old = dt.datetime.now(tz=BKK) - dt.timedelta(days=3)
    sell(org, branch, terminal, member, "1250.00", "OLD-1", when=old)
    assert not Message.objects.exists()
    # while a sale of an hour ago is announced
    sell(org, branch, terminal, member, "1250.00", "NEW-1", when=dt.datetime.now(tz=BKK) - dt.timedelta(hours=1))
    assert Message.objects.filter(purpose="purchase").count() == 1
