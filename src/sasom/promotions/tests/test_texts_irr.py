"""A promotion's texts (explanation, hint, reward) in an IRR shop: amounts with the currency's
places, no decimals; a THB shop's texts are unchanged (docs/decisions/0009-currency.md)."""

from __future__ import annotations

import dataclasses

from django.utils import translation

from sasom.core.currency import amounts_in

from .test_engine_util import items, line, price, promo


def rial(*lines):
    return [dataclasses.replace(ln, places=0) for ln in lines]


def value_discount():
    return promo("value_discount", {"threshold": "1000000", "amount": "100000", "scope": "group"}, items("A", "B"))


def test_an_irr_shops_explanation_and_hint_have_no_decimals():
    # given 100,000 rial off a group once it reaches 1,000,000 rial
    p = value_discount()
    with translation.override("en"):
        # when 1,200,000 rial of the group is bought
        applied = price([p], rial(line(0, "A", 1, 700000), line(1, "B", 1, 500000))).applied[0]
        # and when only 400,000 rial is
        hint = price([p], rial(line(0, "A", 1, 400000))).hints[0]
        said, told = str(applied.explanation), str(hint.reward)
    # then the texts name whole rial
    assert said == "1200000 of the group reached 1000000: 100000 off the group"
    assert told == "spend 600000 more for 100000 off the group"


def test_a_thb_shops_texts_are_unchanged():
    p = value_discount()
    with translation.override("en"):
        applied = price([p], [line(0, "A", 1, 700000), line(1, "B", 1, 500000)]).applied[0]
        said = str(applied.explanation)
    assert said == "1200000.00 of the group reached 1000000.00: 100000.00 off the group"


def test_a_text_written_when_the_set_is_compiled_uses_the_sets_places():
    # given "3 for 45,000 rial" compiled for an IRR shop (compile states its places) and "3 for 45" in THB
    with amounts_in(0):
        irr = promo("group_fixed_total", {"quantity": 3, "total": "45000"}, items("A"))
    thb = promo("group_fixed_total", {"quantity": 3, "total": "45"}, items("A"))
    with translation.override("en"):
        irr_said = str(price([irr], rial(line(0, "A", 3, 20000))).applied[0].explanation)
        thb_said = str(price([thb], [line(0, "A", 3, 20)]).applied[0].explanation)
    assert "45000 together" in irr_said and "45000.00" not in irr_said
    assert "45.00 together" in thb_said
