"""How many SMS a text costs: GSM 03.38 (7-bit) or UCS-2, single or concatenated.

A text that only uses the GSM 7-bit alphabet goes as GSM-7: 160 characters in one SMS, 153 per
part once it needs several (the user data header takes 7). Characters of the extension table
(``{ } [ ] ~ | ^ € \\``, form feed) take two septets. Any other character (Thai, Persian, an emoji)
sends the whole text as UCS-2: 70 UTF-16 code units in one SMS, 67 per part; a character outside
the Basic Multilingual Plane (most emoji) counts twice. Gateways bill per part.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sasom.core.money import money

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

GSM7 = "gsm7"
UCS2 = "ucs2"
LIMITS = {GSM7: (160, 153), UCS2: (70, 67)}


@dataclass(frozen=True)
class SmsCount:
    encoding: str  # GSM7 or UCS2
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int
    per_segment: int  # what one part holds at this length
    remaining: int  # what still fits in the last part

    def cost(self, per_segment: Decimal) -> Decimal:
        return money(per_segment * self.segments)


def sms_count(text: str) -> SmsCount:
    if all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text):
        encoding = GSM7
        units = sum(2 if c in GSM7_EXTENSION else 1 for c in text)
    else:
        encoding = UCS2
        units = len(text.encode("utf-16-le")) // 2
    single, part = LIMITS[encoding]
    if units <= single:
        return SmsCount(encoding, units, 1 if units else 0, single, single - units)
    segments = -(-units // part)
    return SmsCount(encoding, units, segments, part, segments * part - units)
