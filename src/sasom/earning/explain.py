"""An award's explanation in the reader's language.

The engine writes each award's explanation once, in English, from a fixed vocabulary ("4,000.00 THB
÷ 100 × 1 = 40 pts", "golden minute at 14:05, bill 1,000.00 THB: x2 = 20 pts"), and the ledger
keeps it as written (an audit reads what was decided). Screens show it in the reader's language by
translating that vocabulary; the rule's own name, which starts some explanations, is left as its
owner wrote it. A new phrase in a kind's explanation needs its line here (a test runs every kind
and finds no English word left in Thai).
"""

from __future__ import annotations

import re

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
)
_PATTERN = re.compile("|".join(r"(?<![\w'])" + re.escape(en) + r"(?![\w'])" for en, _th in _THAI))
_LOOKUP = dict(_THAI)


def explanation_in(text: str, language: str, *, rule_name: str = "") -> str:
    """``text`` (an award's English explanation) for a reader of ``language``; a leading
    ``rule_name:`` is kept as written."""
    if not text or not language.startswith("th"):
        return text
    head, rest = "", text
    if rule_name and text.startswith(f"{rule_name}:"):
        head, rest = text[: len(rule_name) + 1], text[len(rule_name) + 1:]
    return head + _PATTERN.sub(lambda m: _LOOKUP[m.group(0)], rest)
