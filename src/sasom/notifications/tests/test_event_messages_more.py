"""Messages on tier changes, coupons, membership expiry, anniversaries and a custom date (issue 16)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest

from sasom.core.audit import Actor
from sasom.core.errors import DomainError
from sasom.members.models import CustomField
from sasom.notifications.backends import MemoryBackend
from sasom.notifications.event_messages import event_message_save, forget_active
from sasom.notifications.event_messages_daily import event_messages_daily_run
from sasom.notifications.models import Message
from sasom.rewards.models import CouponTemplate
from sasom.rewards.services import coupon_issue, coupon_template_save
from sasom.rewards.services.coupons import coupon_use
from sasom.tiers.services import TierIn, ladder_configure, member_tier_set

pytestmark = pytest.mark.django_db
BKK = zoneinfo.ZoneInfo("Asia/Bangkok")
SYSTEM = Actor.system("test")


def at(y, m, d, hh=10, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=BKK)


@pytest.fixture(autouse=True)
def setup(settings):
    settings.NOTIFY_BACKEND = "memory"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.PUBLIC_URL = "https://points.example.com"
    settings.NOTIFY_EVENT_MAX_AGE_HOURS = None
    MemoryBackend.clear()
    forget_active()
    yield
    forget_active()
    MemoryBackend.clear()


def switch_on(org, event, th, **kw):
    return event_message_save(organization_id=org.pk, event=event, channel="sms", is_active=True, actor=SYSTEM,
                              body_th=th, body_en="", **kw)


def bodies(purpose):
    return list(Message.objects.filter(purpose=purpose).order_by("pk").values_list("body", flat=True))


def test_a_tier_change_tells_the_member_the_new_tier_once(org, member):
    ladder_configure(organization_id=org.pk, actor=SYSTEM, name="Tiers",
                     tiers=[TierIn("SILVER", "เงิน", 500), TierIn("GOLD", "ทอง", 1000)])
    switch_on(org, "tier_changed", "{shop}: ระดับ {tier} (จาก {previous_tier})")
    # when the member is set to Gold by hand, then to Silver
    member_tier_set(organization_id=org.pk, member=member, tier_code="GOLD", until=None, note="VIP", actor=SYSTEM,
                    today=dt.date(2026, 5, 1))
    member_tier_set(organization_id=org.pk, member=member, tier_code="SILVER", until=None, note="back", actor=SYSTEM,
                    today=dt.date(2026, 5, 2))
    # then each change sent the tier's name and the one before it
    assert bodies("tier_changed") == ["มินิมาร์ท: ระดับ ทอง (จาก -)", "มินิมาร์ท: ระดับ เงิน (จาก ทอง)"]


def test_coupon_issued_and_used_messages(org, branch, member):
    switch_on(org, "coupon_issued", "คูปอง {coupon_name} รหัส {coupon} ใช้ได้ถึง {expiry_date}")
    switch_on(org, "coupon_used", "ใช้คูปอง {coupon_name} {amount} บาท")
    template = coupon_template_save(organization=org, actor=SYSTEM, data={
        "code": "C50", "name": "ลด 50", "kind": CouponTemplate.Kind.CASH, "value": Decimal("50"), "points_cost": 0,
        "validity_days": 30})
    coupon = coupon_issue(member=member, template=template, actor=SYSTEM, charge_points=False, now=at(2026, 5, 1))
    coupon_use(organization_id=org.pk, code=coupon.code, member=member, bill_amount=Decimal("300"),
               bill_reference="R-1", branch=branch, actor=SYSTEM, now=at(2026, 5, 3))
    [issued] = bodies("coupon_issued")
    assert issued.startswith(f"คูปอง ลด 50 รหัส {coupon.code} ใช้ได้ถึง ")
    assert bodies("coupon_used") == ["ใช้คูปอง ลด 50 50.00 บาท"]


def test_membership_expiring_reminds_once_per_expiry_date(org, member):
    member.expires_on = dt.date(2026, 6, 30)
    member.save()
    switch_on(org, "membership_expiring", "บัตรหมดอายุ {expiry_date}", days_before=14)
    # 15 days before: too early; 14 days before: sent; the next day: nothing new
    assert event_messages_daily_run(organization_id=org.pk, on_date=dt.date(2026, 6, 15), now=at(2026, 6, 15)) == 0
    assert event_messages_daily_run(organization_id=org.pk, on_date=dt.date(2026, 6, 16), now=at(2026, 6, 16)) == 1
    assert event_messages_daily_run(organization_id=org.pk, on_date=dt.date(2026, 6, 17), now=at(2026, 6, 17)) == 0
    # renewed to next year: reminded again for the new date
    member.expires_on = dt.date(2027, 6, 30)
    member.save()
    assert event_messages_daily_run(organization_id=org.pk, on_date=dt.date(2027, 6, 20), now=at(2027, 6, 20)) == 1
    assert len(bodies("membership_expiring")) == 2


def test_anniversary_counts_years_and_skips_the_joining_year(org, member):
    member.joined_on = dt.date(2023, 8, 10)
    member.marketing_consent = True
    member.save()
    switch_on(org, "anniversary", "{years} ปีแล้ว คุณ{name}")
    assert event_messages_daily_run(organization_id=org.pk, on_date=dt.date(2023, 8, 10), now=at(2023, 8, 10)) == 0
    assert event_messages_daily_run(organization_id=org.pk, on_date=dt.date(2026, 8, 10), now=at(2026, 8, 10)) == 1
    assert event_messages_daily_run(organization_id=org.pk, on_date=dt.date(2026, 8, 10), now=at(2026, 8, 10)) == 0
    assert bodies("anniversary") == [f"3 ปีแล้ว คุณ{member.first_name or member.code}"]


def test_a_custom_date_field_such_as_a_wedding_anniversary(org, member, member_type):
    CustomField.objects.create(organization=org, key="wedding", label="วันแต่งงาน", kind=CustomField.Kind.DATE)
    CustomField.objects.create(organization=org, key="note", label="Note", kind=CustomField.Kind.TEXT)
    # a text field is refused, and switching on without a field is refused, each naming the field
    with pytest.raises(DomainError) as exc:
        switch_on(org, "custom_date", "ยินดีด้วย", date_field="note")
    assert exc.value.field == "date_field"
    with pytest.raises(DomainError) as exc:
        switch_on(org, "custom_date", "ยินดีด้วย")
    assert exc.value.field == "date_field"
    switch_on(org, "custom_date", "ครบรอบ {years} ปี คุณ{name}", date_field="wedding")
    member.custom = {"wedding": "2016-02-29"}
    member.marketing_consent = True
    member.save()
    # born of a leap day: celebrated on the 28th in 2026, once
    assert event_messages_daily_run(organization_id=org.pk, on_date=dt.date(2026, 2, 28), now=at(2026, 2, 28)) == 1
    assert event_messages_daily_run(organization_id=org.pk, on_date=dt.date(2026, 2, 28), now=at(2026, 2, 28)) == 0
    assert bodies("custom_date") == [f"ครบรอบ 10 ปี คุณ{member.first_name or member.code}"]


def test_a_member_who_chose_english_gets_english_in_a_thai_shop(org, member, member_type):
    from sasom.members.services import member_register

    event_message_save(organization_id=org.pk, event="registration", channel="sms", is_active=True, actor=SYSTEM,
                       body_th="ยินดีต้อนรับคุณ{name}", body_en="Welcome, {name}")
    member_register(organization=org, actor=SYSTEM, data={
        "code": "M-EN", "member_type": member_type, "first_name": "John", "phone": "+66898765432", "language": "en"})
    member_register(organization=org, actor=SYSTEM, data={
        "code": "M-TH", "member_type": member_type, "first_name": "สมหญิง", "phone": "+66898765433"})
    assert bodies("registration") == ["Welcome, John", "ยินดีต้อนรับคุณสมหญิง"]



def test_a_birthday_month_greeting_goes_on_the_first_of_the_month(org, member):
    member.birth_on = dt.date(1990, 7, 19)
    member.marketing_consent = True
    member.save()
    switch_on(org, "birthday_month", "เดือนเกิดคุณ{name}")
    assert event_messages_daily_run(organization_id=org.pk, on_date=dt.date(2026, 6, 1), now=at(2026, 6, 1)) == 0
    assert event_messages_daily_run(organization_id=org.pk, on_date=dt.date(2026, 7, 2), now=at(2026, 7, 2)) == 0
    assert event_messages_daily_run(organization_id=org.pk, on_date=dt.date(2026, 7, 1), now=at(2026, 7, 1)) == 1
    assert event_messages_daily_run(organization_id=org.pk, on_date=dt.date(2026, 7, 1), now=at(2026, 7, 1)) == 0
    assert len(bodies("birthday_month")) == 1
