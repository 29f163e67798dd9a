"""The events a shop can send a message on: one explicit table, read by the screens, the
subscriber and the daily job.

``source`` says where an event comes from: an event-stream kind (:mod:`sasom.core.events`), the
daily job (date-based), or nothing yet. ``tier_changed`` is reserved for ``member.tier_changed``
(tiers, issue 12): once that kind is recorded, subscribing it in :mod:`.event_messages` with
``wired=True`` here is all it takes."""

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
TIER_CHANGED = "tier_changed"

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
    wired: bool = True
    date_based: bool = False


EVENTS: dict[str, EventSpec] = {spec.key: spec for spec in (
    EventSpec(REGISTRATION, _("Registration"), MessageKind.TRANSACTIONAL, "member.created", COMMON,
              "{shop}: ยินดีต้อนรับคุณ{name} สมาชิกเลขที่ {code} ดูคะแนนได้ที่ {link}",
              "{shop}: welcome, {name}! Your member number is {code}. See your points at {link}"),
    EventSpec(PURCHASE, _("Purchase (points earned)"), MessageKind.TRANSACTIONAL, "points.earned", (*COMMON, "points"),
              "{shop}: ได้รับ {points} คะแนน คะแนนสะสม {balance}",
              "{shop}: you earned {points} points; balance {balance}."),
    EventSpec(REDEMPTION, _("Points used"), MessageKind.TRANSACTIONAL, "points.redeemed", (*COMMON, "points"),
              "{shop}: ใช้ {points} คะแนน คงเหลือ {balance}",
              "{shop}: you used {points} points; balance {balance}."),
    EventSpec(POINTS_EXPIRING, _("Points expiring soon"), MessageKind.TRANSACTIONAL, "daily",
              (*COMMON, "points", "expiry_date"),
              "{shop}: {points} คะแนนจะหมดอายุวันที่ {expiry_date} ใช้ได้ที่ร้าน",
              "{shop}: {points} points expire on {expiry_date}. Use them in store.", date_based=True),
    EventSpec(BIRTHDAY, _("Birthday"), MessageKind.MARKETING, "daily", COMMON,
              "{shop}: สุขสันต์วันเกิดคุณ{name} รับสิทธิพิเศษที่ร้านวันนี้",
              "{shop}: happy birthday, {name}! A treat awaits you in store.", date_based=True),
    EventSpec(TIER_CHANGED, _("Tier changed"), MessageKind.TRANSACTIONAL, "member.tier_changed (issue 12)",
              (*COMMON, "tier"), "{shop}: ระดับสมาชิกของคุณคือ {tier}", "{shop}: your tier is now {tier}.", wired=False),
)}


def events_offered() -> list[EventSpec]:
    return [spec for spec in EVENTS.values() if spec.wired]
