"""A statement's movements in the shop's calendar and display unit: a Jalali toman shop reads the
expiry day as 1405/09/07 and an award's amounts in toman."""

from __future__ import annotations

from types import SimpleNamespace

from django.utils import translation

from sasom.ledger.models import Entry
from sasom.reports.statement import movement_text

SHOP = SimpleNamespace(calendar="jalali", time_zone="Asia/Tehran", currency="IRR", amounts_in_toman=True,
                       persian_digits=False)


def test_an_expiry_is_dated_in_the_shops_calendar():
    entry = Entry(kind=Entry.Kind.EXPIRE, amount=5, explanation={"expired_on": "2026-11-28", "lots": [1]})
    with translation.override("en"):
        assert movement_text(entry, {}, SHOP) == "expired on 1405/09/07"
        assert movement_text(entry, {}, None) == "expired on 2026-11-28"


def test_an_awards_amounts_are_shown_in_toman():
    award = {"rule_name": "Base", "points": 61, "explanation": "12,383,170 IRR ÷ 200000 × 1 = 61 pts"}
    entry = Entry(kind=Entry.Kind.EARN, amount=61, explanation={"awards": [award]})
    with translation.override("en"):
        assert movement_text(entry, {}, SHOP) == "+61 Base: 1,238,317 toman ÷ 20,000 × 1 = 61 pts"
