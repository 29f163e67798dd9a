"""An award's explanation in the reader's language (Thai or Persian; English as stored).

The engine writes each award's explanation once, in English, from a fixed vocabulary ("4,000.00 THB
÷ 100 × 1 = 40 pts", "golden minute at 14:05, bill 1,000.00 THB: x2 = 20 pts"), and the ledger
keeps it as written (an audit reads what was decided). Screens show it in the reader's language by
translating that vocabulary (one table per language, the same phrases); the rule's own name, which starts some explanations, is left as its
owner wrote it. A new phrase in a kind's explanation needs its line here (a test runs every kind
and finds no English word left in Thai).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from sasom.core.currency import Currency, currency_of, format_amount, unit_label
from sasom.core.dates import shop_date

# Longest phrases first: "base pts" before "pts".
_THAI: tuple[tuple[str, str], ...] = (
    ("referrer's bonus for the new member's first purchase", "โบนัสผู้แนะนำ เมื่อสมาชิกใหม่ซื้อครั้งแรก"),
    ("first purchase of a referred member", "ซื้อครั้งแรกของสมาชิกที่ได้รับการแนะนำ"),
    ("(floored per line)", "(ปัดเศษทีละรายการ)"),
    ("plastic bag declined", "ไม่รับถุงพลาสติก"),
    ("golden minute at", "นาทีทอง เวลา"),
    ("matched lines", "รายการที่เข้าเงื่อนไข"),
    ("special date", "วันพิเศษ"),
    ("birth month", "เดือนเกิด"),
    ("birthday", "วันเกิด"),
    ("base pts", "แต้มฐาน"),
    ("per bill", "ต่อบิล"),
    ("units", "ชิ้น"),
    ("extra", "เพิ่ม"),
    ("step", "ขั้น"),
    ("bill", "บิล"),
    ("pts", "แต้ม"),
    ("pt", "แต้ม"),
    ("of", "ของ"),
    ("THB", "บาท"),
    ("IRR", "เรียล"),
)

# The same phrases for a Persian reader (امتیاز for points, as everywhere in Persian).
_PERSIAN: tuple[tuple[str, str], ...] = (
    ("referrer's bonus for the new member's first purchase", "پاداش معرف برای نخستین خرید عضو جدید"),
    ("first purchase of a referred member", "نخستین خرید عضو معرفی‌شده"),
    ("(floored per line)", "(گرد به پایین در هر ردیف)"),
    ("plastic bag declined", "بدون کیسه پلاستیکی"),
    ("golden minute at", "دقیقه طلایی در ساعت"),
    ("matched lines", "ردیف‌های مشمول"),
    ("special date", "تاریخ ویژه"),
    ("birth month", "ماه تولد"),
    ("birthday", "روز تولد"),
    ("base pts", "امتیاز پایه"),
    ("per bill", "برای هر فاکتور"),
    ("units", "عدد"),
    ("extra", "اضافه"),
    ("step", "پله"),
    ("bill", "فاکتور"),
    ("pts", "امتیاز"),
    ("pt", "امتیاز"),
    ("of", "از"),
    ("THB", "بات"),
    ("IRR", "ریال"),
)


def _vocabulary(table: tuple[tuple[str, str], ...]) -> tuple[re.Pattern[str], dict[str, str]]:
    words = "|".join(r"(?<![\w'])" + re.escape(en) + r"(?![\w'])" for en, _said in table)
    return re.compile(words), dict(table)


# language (its first two letters) -> the vocabulary's pattern and its translations
_VOCABULARIES: dict[str, tuple[re.Pattern[str], dict[str, str]]] = {
    "th": _vocabulary(_THAI), "fa": _vocabulary(_PERSIAN)}


# The amounts of the vocabulary: "<amount> IRR", "IRR ÷ <per amount>" (the base rate), "≥ <minimum>"
# (threshold, spend step). Points, multipliers, percents, dates and times are not money.
_AMOUNT = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_MONEY = re.compile(rf"(?:(?<=≥ )|(?<=IRR ÷ ))(?:{_AMOUNT})|(?:{_AMOUNT})(?= IRR\b)")
_IRR = re.compile(r"(?<![\w'])IRR(?![\w'])")


def amounts_shown(text: str, currency: Currency) -> str:
    """``text`` (an explanation as stored: amounts in the currency, rial for an IRR shop) with its
    amounts in the display unit: toman for a toman shop (``12,345,670 IRR ÷ 200000`` reads
    ``1,234,567 toman ÷ 20,000``); unchanged otherwise (docs/decisions/0009-currency.md)."""
    if not text or not currency.toman:
        return text
    shown = _MONEY.sub(lambda m: format_amount(Decimal(m.group(0).replace(",", "")), currency), text)
    return _IRR.sub(str(unit_label(currency)), shown)


_SPECIAL_DAY = re.compile(r"(?<=special date )\d{4}-\d{2}-\d{2}\b")


def days_shown(text: str, organization: Any, language: str) -> str:
    """``text`` with its special date (stored ISO, ``special date 2026-11-28``) in the
    ``organization``'s calendar (``special date 1405/09/07`` for a Jalali shop)."""
    return _SPECIAL_DAY.sub(
        lambda m: shop_date(dt.date.fromisoformat(m.group(0)), organization, language=language), text)


def explanation_in(text: str, language: str, *, rule_name: str = "", organization: Any = None) -> str:
    """``text`` (an award's English explanation) for a reader of ``language``; a leading
    ``rule_name:`` is kept as written; amounts in the ``organization``'s display unit and its
    special date in its calendar."""
    if organization is not None and text:
        head = f"{rule_name}:" if rule_name and text.startswith(f"{rule_name}:") else ""
        rest = amounts_shown(text[len(head):], currency_of(organization))
        text = head + days_shown(rest, organization, language)
    vocabulary = _VOCABULARIES.get(language[:2].lower())
    if not text or vocabulary is None:
        return text
    pattern, lookup = vocabulary
    head, rest = "", text
    if rule_name and text.startswith(f"{rule_name}:"):
        head, rest = text[: len(rule_name) + 1], text[len(rule_name) + 1:]
    return head + pattern.sub(lambda m: lookup[m.group(0)], rest)
