"""The "coupon used" message names the shop's money: its currency, or toman for a toman shop, in
the message's language (docs/decisions/0009-currency.md)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest

from sasom.core.audit import Actor
from sasom.notifications.backends import MemoryBackend
from sasom.notifications.event_messages import (
    event_message_preview,
    event_message_save,
    forget_active,
)
from sasom.notifications.events import EVENTS
from sasom.notifications.models import Message
from sasom.rewards.models import CouponTemplate
from sasom.rewards.services import coupon_issue, coupon_template_save
from sasom.rewards.services.coupons import coupon_use

pytestmark = pytest.mark.django_db
BKK = zoneinfo.ZoneInfo("Asia/Bangkok")
SYSTEM = Actor.system("test")
SPEC = EVENTS["coupon_used"]


@pytest.fixture(autouse=True)
def setup(settings):
    settings.NOTIFY_BACKEND = "memory"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.NOTIFY_EVENT_MAX_AGE_HOURS = None
    MemoryBackend.clear()
    forget_active()
    yield
    forget_active()
    MemoryBackend.clear()


def used_message(org, branch, member, value: str, *, language: str) -> str:
    """The default "coupon used" text in ``language`` (the only one written), after a cash coupon
    of ``value`` is used on a bill."""
    texts = {f"body_{language}": getattr(SPEC, f"body_{language}")}
    event_message_save(organization_id=org.pk, event="coupon_used", channel="sms", is_active=True, actor=SYSTEM,
                       body_th=texts.get("body_th", ""), body_en=texts.get("body_en", ""),
                       body_fa=texts.get("body_fa", ""))
    template = coupon_template_save(organization=org, actor=SYSTEM, data={
        "code": "C", "name": "Gift", "kind": CouponTemplate.Kind.CASH, "value": Decimal(value), "points_cost": 0,
        "validity_days": 30})
    coupon = coupon_issue(member=member, template=template, actor=SYSTEM, charge_points=False,
                          now=dt.datetime(2026, 5, 1, 10, tzinfo=BKK))
    coupon_use(organization_id=org.pk, code=coupon.code, member=member, bill_amount=Decimal(value) * 4,
               bill_reference="R-1", branch=branch, actor=SYSTEM, now=dt.datetime(2026, 5, 3, 10, tzinfo=BKK))
    return Message.objects.get(purpose="coupon_used").body


def shop(org, currency: str, toman: bool = False):
    """``org`` as an Iranian shop: its currency, toman or not, Persian its language."""
    org.currency, org.amounts_in_toman, org.language = currency, toman, "fa"
    org.save(update_fields=["currency", "amounts_in_toman", "language"])
    return org


def test_a_thai_shop_says_baht(org, branch, member):
    assert used_message(org, branch, member, "50", language="th") == f"{org.name}: ใช้คูปอง Gift มูลค่า 50.00 บาท แล้ว"


def test_an_english_reader_of_a_thai_shop_reads_thb(org, branch, member):
    assert used_message(org, branch, member, "1250", language="en") == f"{org.name}: coupon Gift used (1,250.00 THB)."


def test_a_rial_shop_says_rial_in_whole_rial(org, branch, member):
    body = used_message(shop(org, "IRR"), branch, member, "500000", language="fa")
    assert body == f"{org.name}: کوپن Gift به مبلغ 500,000 ریال استفاده شد."


def test_a_toman_shop_says_toman(org, branch, member):
    body = used_message(shop(org, "IRR", toman=True), branch, member, "500005", language="fa")
    assert body == f"{org.name}: کوپن Gift به مبلغ 50,000.5 تومان استفاده شد."
    assert "بات" not in body


def test_the_preview_shows_the_shops_unit(org):
    shown = event_message_preview(organization=shop(org, "IRR", toman=True), event="coupon_used", channel="sms",
                                  body=SPEC.body_en, member=None, language="en")
    assert shown.text.endswith("used (50,000 toman).")
