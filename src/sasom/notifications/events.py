"""The events a shop can send a message on: one explicit table, read by the screens, the
subscriber and the daily job.

``source`` says where an event comes from: an event-stream kind (:mod:`sasom.core.events`,
subscribed in :mod:`.event_messages`) or the daily job (date-based, :mod:`.event_messages_daily`).
``days_before``: the event is announced that many days ahead (an expiry); ``date_field``: the
shop picks one of its date custom fields (a wedding anniversary)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import MessageKind

REGISTRATION = "registration"
PURCHASE = "purchase"
REDEMPTION = "redemption"
POINTS_EXPIRING = "points_expiring"
BIRTHDAY = "birthday"
BIRTHDAY_MONTH = "birthday_month"
TIER_CHANGED = "tier_changed"
COUPON_ISSUED = "coupon_issued"
COUPON_USED = "coupon_used"
MEMBERSHIP_EXPIRING = "membership_expiring"
ANNIVERSARY = "anniversary"
CUSTOM_DATE = "custom_date"

COMMON = ("name", "shop", "link", "code", "balance")


@dataclass(frozen=True)
class EventSpec:
    key: str
    label: str | Promise
    kind: str
    source: str
    placeholders: tuple[str, ...]
    body_th: str
    body_en: str
    body_fa: str = ""  # Persian (امتیاز for points); every spec has one
    wired: bool = True
    date_based: bool = False
    days_before: bool = False  # asks how many days ahead of the date
    date_field: bool = False  # asks which date custom field


EVENTS: dict[str, EventSpec] = {spec.key: spec for spec in (
    EventSpec(REGISTRATION, _("Registration"), MessageKind.TRANSACTIONAL, "member.created", COMMON,
              "{shop}: ยินดีต้อนรับคุณ{name} สมาชิกเลขที่ {code} ดูแต้มได้ที่ {link}",
              "{shop}: welcome, {name}! Your member number is {code}. See your points at {link}",
              body_fa="{shop}: {name} عزیز، خوش آمدید! شماره عضویت شما {code} است. امتیازهای خود را در {link} ببینید"),
    EventSpec(PURCHASE, _("Purchase (points earned)"), MessageKind.TRANSACTIONAL, "points.earned", (*COMMON, "points"),
              "{shop}: ได้รับ {points} แต้ม แต้มสะสม {balance}",
              "{shop}: you earned {points} points; balance {balance}.",
              body_fa="{shop}: {points} امتیاز گرفتید؛ موجودی امتیاز شما {balance} است."),
    EventSpec(REDEMPTION, _("Points used"), MessageKind.TRANSACTIONAL, "points.redeemed", (*COMMON, "points"),
              "{shop}: ใช้ {points} แต้ม คงเหลือ {balance} แต้ม",
              "{shop}: you used {points} points; balance {balance}.",
              body_fa="{shop}: {points} امتیاز استفاده کردید؛ موجودی امتیاز شما {balance} است."),
    EventSpec(POINTS_EXPIRING, _("Points expiring soon"), MessageKind.TRANSACTIONAL, "daily",
              (*COMMON, "points", "expiry_date"),
              "{shop}: {points} แต้มจะหมดอายุวันที่ {expiry_date} ใช้ได้ที่ร้าน",
              "{shop}: {points} points expire on {expiry_date}. Use them in store.",
              body_fa="{shop}: {points} امتیاز شما در تاریخ {expiry_date} منقضی می‌شود. آن را در فروشگاه استفاده کنید.", date_based=True,
              days_before=True),
    EventSpec(BIRTHDAY, _("Birthday"), MessageKind.MARKETING, "daily", COMMON,
              "{shop}: สุขสันต์วันเกิดคุณ{name} รับสิทธิพิเศษที่ร้านวันนี้",
              "{shop}: happy birthday, {name}! A treat awaits you in store.",
              body_fa="{shop}: {name} عزیز، تولدتان مبارک! هدیه‌ای در فروشگاه منتظر شماست.", date_based=True),
    EventSpec(BIRTHDAY_MONTH, _("Birthday month (on the 1st)"), MessageKind.MARKETING, "daily", COMMON,
              "{shop}: เดือนนี้เป็นเดือนเกิดของคุณ{name} รับสิทธิพิเศษที่ร้านตลอดเดือน",
              "{shop}: it's your birthday month, {name}! Treats in store all month.",
              body_fa="{shop}: {name} عزیز، این ماه، ماه تولد شماست! در تمام ماه در فروشگاه هدیه دارید.", date_based=True),
    EventSpec(TIER_CHANGED, _("Tier changed"), MessageKind.TRANSACTIONAL, "member.tier_changed",
              (*COMMON, "tier", "previous_tier"), "{shop}: ระดับสมาชิกของคุณคือ {tier} แล้ว",
              "{shop}: your tier is now {tier}.",
              body_fa="{shop}: سطح عضویت شما اکنون {tier} است."),
    EventSpec(COUPON_ISSUED, _("Coupon issued"), MessageKind.TRANSACTIONAL, "coupon.issued",
              (*COMMON, "coupon", "coupon_name", "expiry_date"),
              "{shop}: คูปอง {coupon_name} รหัส {coupon} ใช้ได้ถึง {expiry_date}",
              "{shop}: your coupon {coupon_name}, code {coupon}, is valid until {expiry_date}.",
              body_fa="{shop}: کوپن {coupon_name} شما با کد {coupon} تا {expiry_date} معتبر است."),
    EventSpec(COUPON_USED, _("Coupon used"), MessageKind.TRANSACTIONAL, "coupon.used",
              (*COMMON, "coupon", "coupon_name", "amount", "currency"),
              "{shop}: ใช้คูปอง {coupon_name} มูลค่า {amount} {currency} แล้ว",
              "{shop}: coupon {coupon_name} used ({amount} {currency}).",
              body_fa="{shop}: کوپن {coupon_name} به مبلغ {amount} {currency} استفاده شد."),
    EventSpec(MEMBERSHIP_EXPIRING, _("Membership expiring (renewal reminder)"), MessageKind.TRANSACTIONAL, "daily",
              (*COMMON, "expiry_date"),
              "{shop}: บัตรสมาชิกของคุณ{name} จะหมดอายุวันที่ {expiry_date} ต่ออายุได้ที่ร้าน",
              "{shop}: your membership ends on {expiry_date}. Renew it in store.",
              body_fa="{shop}: عضویت شما در تاریخ {expiry_date} به پایان می‌رسد. آن را در فروشگاه تمدید کنید.", date_based=True, days_before=True),
    EventSpec(ANNIVERSARY, _("Membership anniversary"), MessageKind.MARKETING, "daily", (*COMMON, "years"),
              "{shop}: ขอบคุณที่เป็นสมาชิกกับเรามา {years} ปี คุณ{name}",
              "{shop}: {years} years as our member. Thank you, {name}!",
              body_fa="{shop}: {name} عزیز، از {years} سال همراهی شما سپاسگزاریم!", date_based=True),
    EventSpec(CUSTOM_DATE, _("A date of the member's (custom field)"), MessageKind.MARKETING, "daily",
              (*COMMON, "years"), "{shop}: ร่วมยินดีกับวันพิเศษของคุณ{name}",
              "{shop}: congratulations on your special day, {name}!",
              body_fa="{shop}: {name} عزیز، روز ویژه‌تان را تبریک می‌گوییم!", date_based=True, date_field=True),
)}


def events_offered() -> list[EventSpec]:
    return [spec for spec in EVENTS.values() if spec.wired]
