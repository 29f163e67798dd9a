"""A toman shop's screens show promotion texts in toman, the unit named; the API keeps bare rial
and the stored sale its amounts in rial (docs/decisions/0009-currency.md)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from types import SimpleNamespace

from django.template.loader import render_to_string
from django.utils import translation

from sasom.core.currency import Currency
from sasom.promotions.engine.kinds._common import texts_shown_in
from sasom.promotions.preview import Preview, PreviewLine

from .test_engine_util import items, line, price, promo

TOMAN = Currency.of("IRR", toman=True)
TOMAN_SHOP = SimpleNamespace(currency="IRR", amounts_in_toman=True, persian_digits=False)
RIAL_SHOP = SimpleNamespace(currency="IRR", amounts_in_toman=False, persian_digits=False)


def rial(*lines):
    return [dataclasses.replace(ln, places=0) for ln in lines]


def priced(*lines):
    p = promo("value_discount", {"threshold": "1000000", "amount": "100005", "scope": "group"}, items("A", "B"))
    return price([p], rial(*lines))


def test_a_toman_screen_reads_toman_the_rest_reads_rial():
    # given 100,005 rial off once the group reaches 1,000,000 rial, 1,200,000 rial bought
    with translation.override("en"):
        applied = priced(line(0, "A", 1, 700000), line(1, "B", 1, 500000)).applied[0]
        hint = priced(line(0, "A", 1, 400000)).hints[0]
        # when a toman shop's screen shows the texts
        with texts_shown_in(TOMAN):
            shown, told = str(applied.explanation), str(hint.reward)
        # then its amounts are toman, the unit named, a rial left over as one decimal
        assert shown == "120000 toman of the group reached 100000 toman: 10000.5 toman off the group"
        assert told == "spend 60000 toman more for 10000.5 toman off the group"
        # and a rial shop's screen reads rial, the unit named; outside a screen (the API) bare rial
        with texts_shown_in(Currency.of("IRR")):
            assert str(applied.explanation) == "1200000 IRR of the group reached 1000000 IRR: 100005 IRR off the group"
        assert str(hint.reward) == "spend 600000 more for 100005 off the group"


def test_a_thb_text_is_unchanged_on_any_screen():
    p = promo("value_discount", {"threshold": "1000", "amount": "100", "scope": "group"}, items("A"))
    with translation.override("en"):
        applied = price([p], [line(0, "A", 1, 1200)]).applied[0]
        with texts_shown_in(TOMAN):  # a THB text has places 2: never toman
            assert str(applied.explanation) == "1200.00 of the group reached 1000.00: 100.00 off the group"


def test_the_preview_of_a_toman_shop_shows_toman():
    # given a preview of 1,200,000 rial with a promotion and a hint
    with translation.override("en"):
        result = priced(line(0, "A", 1, 700000), line(1, "B", 1, 500000))
        hinted = priced(line(0, "A", 1, 400000))
        result = dataclasses.replace(result, hints=hinted.hints)
        lines = tuple(PreviewLine(line=ln, name=ln.sku, promotion_discount=Decimal("0"))
                      for ln in rial(line(0, "A", 1, 700000), line(1, "B", 1, 500000)))
        preview = Preview(lines=lines, result=result, gift_names={}, places=0)
        toman = render_to_string("promotions/_preview.html", {"preview": preview, "organization": TOMAN_SHOP})
        rials = render_to_string("promotions/_preview.html", {"preview": preview, "organization": RIAL_SHOP})
    # then the toman shop reads toman in the texts, the amounts and the hint's missing amount
    assert "120000 toman of the group reached 100000 toman: 10000.5 toman off the group" in toman
    assert "120,000" in toman and "spend 60000 toman more for 10000.5 toman off the group" in toman
    assert "1,200,000" not in toman
    assert "1200000 IRR of the group reached 1000000 IRR: 100005 IRR off the group" in rials
    assert "spend 600000 IRR more for 100005 IRR off the group" in rials
    # the hint once: its own sentence, no "60,000 toman more" before it
    assert toman.count(" more") == 1 and rials.count(" more") == 1
