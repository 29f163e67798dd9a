"""Awards explained in Thai on screen (``earning.explain``): every kind's explanation, run through the
engine, reads without an English word left; the rule's own name is kept as its owner wrote it."""

from __future__ import annotations

import datetime as dt
import re

from sasom.earning.engine import Campaign, EarnPolicy, Rounding, Step, When
from sasom.earning.explain import explanation_in
from sasom.earning.rules import (
    BirthdayRule,
    GoldenMinuteRule,
    ProductRule,
    ReferralRule,
    SpecialDateRule,
    SpendRule,
    ThresholdRule,
)

from .helpers import D, at, base, basket, extra_x, gen, line, plus, run, x

ENGLISH = re.compile(r"[A-Za-z]{2,}")


def every_kind_awarded():
    """One basket on which every kind (and a bag campaign) gives an award, Thai-named rules."""
    rules = (
        base("100"),
        ThresholdRule(id=2, code="T", name="ยอดถึง", min_amount=D("500"), points=50),
        ProductRule(id=3, code="P", name="ความงาม", categories=frozenset({"BEAUTY"}), boost=x("3")),
        ProductRule(id=4, code="Q", name="นม", brands=frozenset({"MILK"}), boost=plus(2), per_quantity=True),
        SpendRule(id=5, code="S", name="ขั้นบันได", steps=(Step(D("500"), extra_x("2")),)),
        GoldenMinuteRule(id=6, code="G", name="นาทีทอง", min_amount=D("1"), boost=x("2"),
                         when=When(time_from=dt.time(10), time_to=dt.time(11))),
        BirthdayRule(id=7, code="B", name="วันเกิด", period="month", boost=plus(20)),
        ReferralRule(id=8, code="R", name="แนะนำเพื่อน", member_points=50, referrer_points=100),
        SpecialDateRule(id=9, code="D", name="ครบรอบร้าน", dates=frozenset({"03-10"}), boost=x("2")),
    )
    campaign = Campaign(id=100, code="NOBAG", name="ไม่รับถุง", bag_points=5, bag_percent=D("1"))
    bill = basket(line(1, "600", category="BEAUTY"), line(2, "50", qty="2", brand="MILK"), when=at(2025, 3, 10, 10, 30),
                  bag_declined=True)
    member = gen(birth_on=dt.date(1990, 3, 1), is_first_purchase=True, referred_by_member_id=7)
    policy = EarnPolicy(rounding=Rounding.LINE)
    return run(bill, member, *rules, policy=policy, campaigns=(campaign,)).awards


def test_every_kind_explained_in_thai_has_no_english_word_left():
    awards = every_kind_awarded()
    assert {a.rule_code for a in awards} >= {"BASE-GEN", "T", "P", "Q", "S", "G", "B", "R", "D", "NOBAG"}
    for award in awards:
        thai = explanation_in(award.explanation, "th", rule_name=award.rule_name)
        assert not ENGLISH.findall(thai), (award.rule_code, award.explanation, thai)
        assert explanation_in(award.explanation, "en", rule_name=award.rule_name) == award.explanation


def test_the_rule_name_is_kept_as_written_and_words_inside_numbers_are_not_touched():
    text = "bill buster: matched lines 1,000.00 THB: x2 = 20 pts"
    assert explanation_in(text, "th", rule_name="bill buster") == (
        "bill buster: รายการที่เข้าเงื่อนไข 1,000.00 บาท: x2 = 20 แต้ม")
    assert explanation_in("4,000.00 THB ÷ 100 × 1 = 40 pts", "th-th") == "4,000.00 บาท ÷ 100 × 1 = 40 แต้ม"


def test_the_award_list_shows_the_explanation_in_the_readers_language():
    from django.template.loader import render_to_string  # noqa: PLC0415  # templates need Django set up
    from django.utils import translation  # noqa: PLC0415

    awards = [{"rule_code": "BASE", "rule_name": "Base", "points": 40, "beneficiary": "member",
               "explanation": "4,000.00 THB ÷ 100 × 1 = 40 pts"}]
    with translation.override("th"):
        thai = render_to_string("ledger/_awards.html", {"awards": awards})
    with translation.override("en"):
        english = render_to_string("ledger/_awards.html", {"awards": awards})
    assert "4,000.00 บาท ÷ 100 × 1 = 40 แต้ม" in thai and "4,000.00 THB ÷ 100 × 1 = 40 pts" in english
