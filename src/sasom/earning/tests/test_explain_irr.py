"""Explanations in an IRR shop (no minor unit): every amount with the currency's places, no
decimals; a toman shop's screens show the same explanation in toman (docs/decisions/0009-currency.md)."""

from __future__ import annotations

import re
from types import SimpleNamespace

from django.utils import translation

from sasom.core.currency import Currency
from sasom.earning.engine import Campaign, RuleSet, Step, compute
from sasom.earning.explain import amounts_shown, explanation_in
from sasom.earning.rules import ProductRule, SpendRule, ThresholdRule
from sasom.earning.templatetags.earning import explained

from .helpers import BKK, D, at, base, basket, extra_x, gen, line, x

# an amount of money in an explanation: "<amount> IRR" or "≥ <amount>" (points may have decimals)
MONEY = re.compile(r"([\d,.]+) IRR|≥ ([\d,.]+)")
TOMAN_SHOP = SimpleNamespace(currency="IRR", amounts_in_toman=True, persian_digits=False)
RIAL_SHOP = SimpleNamespace(currency="IRR", amounts_in_toman=False, persian_digits=False)


def awards_in(currency: str, *amounts: str):
    rules = (
        base("200000" if currency == "IRR" else "100"),
        ThresholdRule(id=2, code="T", name="Big", min_amount=D(amounts[0]), points=50),
        ProductRule(id=3, code="P", name="Saffron", categories=frozenset({"SAFFRON"}), boost=x("3")),
        SpendRule(id=5, code="S", name="Steps", steps=(Step(D(amounts[1]), extra_x("2")),)),
    )
    bag = Campaign(id=100, code="NOBAG", name="No bag", bag_points=5, bag_percent=D("1"))
    bill = basket(line(1, amounts[2], category="SAFFRON"), line(2, amounts[3], qty="0.375"), when=at(2025, 3, 10, 10),
                  bag_declined=True)
    ruleset = RuleSet(rules=rules, campaigns=(bag,), currency=currency)
    return {a.rule_code: a.explanation for a in compute(bill, gen(), ruleset, tz=BKK).awards}


def test_an_irr_shops_explanations_show_whole_rial():
    # given an IRR rule set: 200,000 rial = 1 pt, a threshold, a product rule, a spend step, a bag campaign
    # when a bill of 12,345,670 rial of saffron and 0.375 kg of 100,001 rial (37,500.375 -> 37,500) is earned
    said = awards_in("IRR", "1000000", "2000000", "12345670", "100001")
    # then every amount is whole rial: no decimals anywhere
    assert set(said) == {"BASE-GEN", "T", "P", "S", "NOBAG"}
    for code, text in said.items():
        amounts = [a or b for a, b in MONEY.findall(text)]
        assert amounts and not any("." in a for a in amounts), (code, text)
    assert said["BASE-GEN"] == "12,383,170 IRR ÷ 200000 × 1 = 61 pts"
    assert said["T"] == "bill 12,383,170 IRR ≥ 1,000,000: +50 pts"
    assert said["S"] == "step ≥ 2,000,000, bill 12,383,170 IRR: 61 base pts × 2 extra = 122 pts"
    assert said["P"].startswith("Saffron: matched lines 12,345,670 IRR: ")
    assert "1% of 12,383,170 IRR = 123831 pts" in said["NOBAG"]


def test_a_thb_shops_explanations_are_unchanged():
    said = awards_in("THB", "500", "500", "600", "50")
    assert said["BASE-GEN"] == "618.75 THB ÷ 100 × 1 = 6 pts"
    assert said["T"] == "bill 618.75 THB ≥ 500.00: +50 pts"
    assert said["S"] == "step ≥ 500.00, bill 618.75 THB: 6 base pts × 2 extra = 12 pts"
    # and the display step leaves a THB text alone, whoever reads it
    assert amounts_shown(said["T"], Currency.of("THB")) == said["T"]


def test_a_toman_shop_reads_its_explanations_in_toman():
    # given explanations stored in rial
    said = awards_in("IRR", "1000000", "2000000", "12345670", "100001")
    with translation.override("en"):
        # when a toman shop's screen shows them: every amount, the base rate too, in toman
        assert explanation_in(said["BASE-GEN"], "en", organization=TOMAN_SHOP) == (
            "1,238,317 toman ÷ 20,000 × 1 = 61 pts")
        assert explanation_in(said["S"], "en", organization=TOMAN_SHOP) == (
            "step ≥ 200,000, bill 1,238,317 toman: 61 base pts × 2 extra = 122 pts")
        # a rial shop reads them as stored; the rule's name is never touched
        assert explanation_in(said["T"], "en", organization=RIAL_SHOP) == said["T"]
        award = {"rule_name": "≥ 5 IRR", "explanation": "≥ 5 IRR: bill 1,000,005 IRR: +1 pts"}
        assert explained(award, TOMAN_SHOP) == "≥ 5 IRR: bill 100,000.5 toman: +1 pts"


def test_a_toman_amount_with_a_rial_left_over_keeps_its_one_decimal():
    with translation.override("en"):
        assert amounts_shown("bill 1,234,567 IRR ≥ 5: +1 pts", Currency.of("IRR", toman=True)) == (
            "bill 123,456.7 toman ≥ 0.5: +1 pts")


def test_units_and_points_are_not_money_and_a_thai_reader_reads_toman_in_thai():
    text = "Milk: matched lines 100,000 IRR: 1.5 units × 4 pts = 6 pts"
    with translation.override("en"):
        assert amounts_shown(text, Currency.of("IRR", toman=True)) == (
            "Milk: matched lines 10,000 toman: 1.5 units × 4 pts = 6 pts")
    with translation.override("th"):
        thai = explanation_in(text, "th", rule_name="Milk", organization=TOMAN_SHOP)
    assert thai == "Milk: รายการที่เข้าเงื่อนไข 10,000 โทมัน: 1.5 ชิ้น × 4 แต้ม = 6 แต้ม"


def test_the_award_list_of_a_toman_shop_shows_toman():
    from django.template.loader import render_to_string  # noqa: PLC0415  # templates need Django set up

    awards = [{"rule_code": "BASE", "rule_name": "Base", "points": 61, "beneficiary": "member",
               "explanation": "12,383,170 IRR ÷ 200000 × 1 = 61 pts"}]
    with translation.override("en"):
        toman = render_to_string("ledger/_awards.html", {"awards": awards, "organization": TOMAN_SHOP})
        rial = render_to_string("ledger/_awards.html", {"awards": awards, "organization": RIAL_SHOP})
    assert "1,238,317 toman ÷ 20,000 × 1 = 61 pts" in toman
    assert "12,383,170 IRR ÷ 200000 × 1 = 61 pts" in rial


def test_a_jalali_shop_reads_the_special_date_in_its_calendar():
    shop = SimpleNamespace(currency="IRR", amounts_in_toman=False, persian_digits=False, calendar="jalali")
    text = "special date 2026-11-28, bill 1,000,000 IRR: 5 base pts × (2 − 1) = 5 pts"
    assert explanation_in(text, "en", organization=shop) == (
        "special date 1405/09/07, bill 1,000,000 IRR: 5 base pts × (2 − 1) = 5 pts")
    assert explanation_in(text, "en") == text
