"""Awards explained in Persian on screen (``earning.explain``): the same vocabulary as Thai, so every
kind's explanation reads without an English word left; the rule's own name is kept as written."""

from __future__ import annotations

import re
from types import SimpleNamespace

from django.utils import translation

from sasom.earning.explain import explanation_in

from .test_explain import every_kind_awarded

ENGLISH = re.compile(r"[A-Za-z]{2,}")
TOMAN_SHOP = SimpleNamespace(currency="IRR", amounts_in_toman=True, persian_digits=False)


def test_every_kind_explained_in_persian_has_no_english_word_left():
    awards = every_kind_awarded()
    assert {a.rule_code for a in awards} >= {"BASE-GEN", "T", "P", "Q", "S", "G", "B", "R", "D", "NOBAG"}
    for award in awards:
        persian = explanation_in(award.explanation, "fa", rule_name=award.rule_name)
        assert not ENGLISH.findall(persian), (award.rule_code, award.explanation, persian)
        assert persian != award.explanation
        # Thai words are Thai's: none in the Persian text
        assert not re.search(r"[\u0E00-\u0E7F]", persian.removeprefix(f"{award.rule_name}:")), persian


def test_points_are_emtiaz_and_the_rule_name_is_kept_as_written():
    text = "bill buster: matched lines 1,000.00 THB: x2 = 20 pts"
    assert explanation_in(text, "fa", rule_name="bill buster") == (
        "bill buster: ردیف‌های مشمول 1,000.00 بات: x2 = 20 امتیاز")
    assert explanation_in("4,000.00 THB ÷ 100 × 1 = 40 pts", "fa-ir") == "4,000.00 بات ÷ 100 × 1 = 40 امتیاز"
    assert explanation_in("bill 1,000,000 IRR ≥ 500,000: +50 pts", "fa") == (
        "فاکتور 1,000,000 ریال ≥ 500,000: +50 امتیاز")


def test_a_persian_reader_of_a_toman_shop_reads_toman_in_persian():
    text = "Milk: matched lines 100,000 IRR: 1.5 units × 4 pts = 6 pts"
    with translation.override("fa"):
        persian = explanation_in(text, "fa", rule_name="Milk", organization=TOMAN_SHOP)
    assert persian == "Milk: ردیف‌های مشمول 10,000 تومان: 1.5 عدد × 4 امتیاز = 6 امتیاز"


def test_the_award_list_shows_the_explanation_in_persian():
    from django.template.loader import render_to_string  # noqa: PLC0415  # templates need Django set up

    awards = [{"rule_code": "BASE", "rule_name": "Base", "points": 40, "beneficiary": "member",
               "explanation": "4,000.00 THB ÷ 100 × 1 = 40 pts"}]
    with translation.override("fa"):
        persian = render_to_string("ledger/_awards.html", {"awards": awards})
    assert "4,000.00 بات ÷ 100 × 1 = 40 امتیاز" in persian
