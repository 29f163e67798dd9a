"""The receipt's block speaks the organization's language beside English: Thai, Persian, or
English once."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

from sasom.checkout.receipts import receipt_text


def _receipt(language: str) -> str:
    organization = SimpleNamespace(name="Shop", language=language, buddhist_era=False, calendar="gregorian",
                                   time_zone="Asia/Bangkok")
    sale = SimpleNamespace(donation=Decimal("0"), member_discount=Decimal("18.00"), points_earned=12,
                           points_used=0, explanation={})
    member = SimpleNamespace(code="M0000001")
    balance = SimpleNamespace(spendable=1250, pending=0, next_expiry=None)
    tier = SimpleNamespace(name="Silver", next_name="Gold", missing=320, basis="points")
    return receipt_text(organization=organization, sale=sale, member=member, awards=[], balance=balance, tier=tier)


def test_thai_then_english():
    text = _receipt("th")
    assert "แต้มที่ได้ / Points earned: 12" in text and "ส่วนลดสมาชิก / Member discount: 18.00" in text
    assert "อีก 320 แต้ม ถึง Gold" in text and "320 more points to Gold" in text


def test_persian_then_english():
    text = _receipt("fa")
    assert "امتیاز کسب‌شده / Points earned: 12" in text and "مانده امتیاز / Balance: 1,250" in text
    assert "320 امتیاز دیگر تا Gold" in text


def test_english_once():
    text = _receipt("en")
    assert "Points earned: 12" in text and " / " not in text
