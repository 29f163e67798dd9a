"""Every event a shop can switch on reaches each channel's gateway once — SMS (HTTP POST), e-mail
(SMTP) and LINE (push), all fakes on loopback — in the member's language, with dates in the shop's
calendar, and a second look at the same event sends nothing more."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest

from sasom.core.audit import Actor
from sasom.earning import engine
from sasom.earning.selectors import ruleset_forget
from sasom.earning.services import rule_create
from sasom.ledger.services import sale_post
from sasom.members.models import CustomField
from sasom.members.services import member_register
from sasom.notifications.channels import channel_config_save
from sasom.notifications.event_messages import event_message_save, forget_active
from sasom.notifications.event_messages_daily import event_messages_daily_run
from sasom.notifications.events import events_offered
from sasom.notifications.models import LineLink, Message, MessagingSettings
from sasom.notifications.services import message_deliver
from sasom.rewards.models import CouponTemplate
from sasom.rewards.services import coupon_issue, coupon_template_save
from sasom.rewards.services.coupons import coupon_use
from sasom.tiers.services import TierIn, ladder_configure, member_tier_set

pytestmark = pytest.mark.django_db
BKK = zoneinfo.ZoneInfo("Asia/Bangkok")
SYSTEM = Actor.system("test")
CHANNELS = ("sms", "email", "line")
LINE_USER = "U" + "b" * 32


def at(y, m, d, hh=10):
    return dt.datetime(y, m, d, hh, tzinfo=BKK)


@pytest.fixture
def gateways(org, settings, fake_http, fake_smtp):
    settings.NOTIFY_EVENT_MAX_AGE_HOURS = None
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.NOTIFY_LINE_API = fake_http.url
    fake_http.respond = lambda seen: (200, {"x-line-request-id": "req"}, {"id": "ref"})
    channel_config_save(organization_id=org.pk, channel="sms", gateway="http_post", actor=SYSTEM, options={
        "url": fake_http.url + "/sms", "encoding": "json", "number_style": "e164", "recipient_field": "to",
        "message_field": "text", "auth": "none"}, secrets={})
    channel_config_save(organization_id=org.pk, channel="email", gateway="smtp", actor=SYSTEM, options={
        "host": "127.0.0.1", "port": fake_smtp.port, "security": "none", "from_email": "shop@example.com"}, secrets={})
    channel_config_save(organization_id=org.pk, channel="line", gateway="line", actor=SYSTEM, options={},
                        secrets={"access_token": "tok", "channel_secret": "sec"})
    # one message on each of three channels: the shop's daily cap of marketing messages is lifted
    MessagingSettings.objects.update_or_create(organization=org, defaults={"marketing_daily_cap": 0})
    forget_active()
    yield fake_http, fake_smtp
    forget_active()
    ruleset_forget()


def _english_member(org, member_type):
    member = member_register(organization=org, actor=SYSTEM, today=dt.date(2026, 1, 1), data={
        "code": "M-EN", "member_type": member_type, "first_name": "John", "phone": "+66898765432",
        "email": "john@example.com", "language": "en", "marketing_consent": True, "birth_on": dt.date(1990, 7, 1),
        "joined_on": dt.date(2020, 7, 1), "expires_on": dt.date(2026, 7, 10), "custom": {"wedding": "2015-07-01"}})
    LineLink.objects.create(organization=org, member=member, line_user_id=LINE_USER, linked_at=at(2026, 1, 1))
    return member


def _happen(event, org, branch, terminal, member):
    """Make ``event`` happen to ``member`` (twice where a second look is possible)."""
    if event == "purchase":
        rule_create(organization_id=org.pk, actor=SYSTEM, code="BASE", name="1 pt / 100", kind="base",
                    params={"per_amount": "100", "points": 1})
        ruleset_forget()
        lines = (engine.BasketLine(line_no=1, sku="T", quantity=Decimal("1"), unit_price=Decimal("1000")),)
        for _ in range(2):  # the same receipt twice: one sale, one message
            sale_post(organization=org, branch=branch, terminal=terminal, receipt_id="R1", member=member,
                      actor=SYSTEM, basket=engine.Basket(occurred_at=at(2026, 7, 1), lines=lines), now=at(2026, 7, 1))
    elif event == "redemption":
        _happen("purchase", org, branch, terminal, member)
        Message.objects.all().delete()
        lines = (engine.BasketLine(line_no=1, sku="T", quantity=Decimal("1"), unit_price=Decimal("50")),)
        sale_post(organization=org, branch=branch, terminal=terminal, receipt_id="R2", member=member, actor=SYSTEM,
                  basket=engine.Basket(occurred_at=at(2026, 7, 2), lines=lines), points_used=5, now=at(2026, 7, 2))
    elif event == "tier_changed":
        ladder_configure(organization_id=org.pk, actor=SYSTEM, name="Tiers", tiers=[TierIn("GOLD", "Gold", 1000)])
        member_tier_set(organization_id=org.pk, member=member, tier_code="GOLD", until=None, note="VIP",
                        actor=SYSTEM, today=dt.date(2026, 7, 1))
    elif event in ("coupon_issued", "coupon_used"):
        template = coupon_template_save(organization=org, actor=SYSTEM, data={
            "code": "C50", "name": "50 off", "kind": CouponTemplate.Kind.CASH, "value": Decimal("50"),
            "points_cost": 0, "validity_days": 30})
        coupon = coupon_issue(member=member, template=template, actor=SYSTEM, charge_points=False, now=at(2026, 7, 1))
        if event == "coupon_used":
            Message.objects.all().delete()
            coupon_use(organization_id=org.pk, code=coupon.code, member=member, bill_amount=Decimal("300"),
                       bill_reference="R-9", branch=branch, actor=SYSTEM, now=at(2026, 7, 2))
    elif event == "points_expiring":
        _happen("purchase", org, branch, terminal, member)
        Message.objects.all().delete()
        from sasom.ledger.models import Lot

        Lot.objects.filter(organization=org).update(expires_on=dt.date(2026, 7, 10))
        for _ in range(2):
            event_messages_daily_run(organization_id=org.pk, on_date=dt.date(2026, 7, 1), now=at(2026, 7, 1))
    else:  # birthday, birthday_month, membership_expiring, anniversary, custom_date: the daily job, twice
        for _ in range(2):
            event_messages_daily_run(organization_id=org.pk, on_date=dt.date(2026, 7, 1), now=at(2026, 7, 1))


@pytest.mark.parametrize("event", [spec.key for spec in events_offered() if spec.key != "registration"])
def test_each_event_reaches_each_channel_once_in_the_members_language(event, gateways, org, branch, terminal,
                                                                       member_type):
    fake_http, fake_smtp = gateways
    CustomField.objects.create(organization=org, key="wedding", label="Wedding", kind=CustomField.Kind.DATE)
    member = _english_member(org, member_type)
    for channel in CHANNELS:
        event_message_save(organization_id=org.pk, event=event, channel=channel, is_active=True, actor=SYSTEM,
                           body_th="ไทย {name}", body_en="EN {name} {shop}", subject_en="News",
                           days_before=14, date_field="wedding" if event == "custom_date" else "")
    _happen(event, org, branch, terminal, member)
    queued = list(Message.objects.filter(purpose=event).order_by("channel"))
    assert sorted(m.channel for m in queued) == sorted(CHANNELS), event
    for message in queued:
        message_deliver(message_id=message.pk, now=at(2026, 7, 3))
    sms = [s for s in fake_http.seen if s.path == "/sms"]
    line = [s for s in fake_http.seen if s.path == "/v2/bot/message/push"]
    assert [s.json()["text"] for s in sms] == [f"EN John {org.name}"]
    assert [s.json()["messages"][0]["text"] for s in line] == [f"EN John {org.name}"]
    assert [recipients for _sender, recipients, _email in fake_smtp.received] == [["john@example.com"]]
    assert set(Message.objects.filter(purpose=event).values_list("status", flat=True)) == {"sent"}


def test_the_expiry_date_is_written_in_the_shops_calendar(gateways, org, member_type):
    org.buddhist_era = True
    org.save()
    member = member_register(organization=org, actor=SYSTEM, today=dt.date(2026, 1, 1), data={
        "code": "M-TH", "member_type": member_type, "first_name": "สมชาย", "phone": "+66898765499",
        "joined_on": dt.date(2025, 7, 10), "expires_on": dt.date(2026, 7, 10)})
    event_message_save(organization_id=org.pk, event="membership_expiring", channel="sms", is_active=True,
                       actor=SYSTEM, body_th="หมดอายุ {expiry_date}", body_en="", days_before=14)
    event_messages_daily_run(organization_id=org.pk, on_date=dt.date(2026, 7, 1), now=at(2026, 7, 1))
    [message] = Message.objects.filter(member=member, purpose="membership_expiring")
    assert "2569" in message.body  # the Buddhist-era year of 2026


def test_registration_reaches_sms_and_email_a_new_member_has_no_line_link_yet(gateways, org, member_type):
    fake_http, fake_smtp = gateways
    for channel in CHANNELS:
        event_message_save(organization_id=org.pk, event="registration", channel=channel, is_active=True, actor=SYSTEM,
                           body_th="ยินดีต้อนรับคุณ{name}", body_en="", subject_th="ยินดีต้อนรับ")
    member = member_register(organization=org, actor=SYSTEM, data={
        "code": "M-NEW", "member_type": member_type, "first_name": "มาลี", "phone": "+66898765400",
        "email": "malee@example.com"})
    for message in Message.objects.filter(member=member, purpose="registration"):
        message_deliver(message_id=message.pk, now=at(2026, 7, 3))
    assert [s.json()["text"] for s in fake_http.seen if s.path == "/sms"] == ["ยินดีต้อนรับคุณมาลี"]
    assert [recipients for _s, recipients, _e in fake_smtp.received] == [["malee@example.com"]]
    assert not [s for s in fake_http.seen if s.path == "/v2/bot/message/push"]
