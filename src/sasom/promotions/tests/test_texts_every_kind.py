"""Every kind's texts as a Thai, a Persian and an English reader read them: the explanation of
what applied (as shown now and as a sale stores it), the hint, and the one-line summary, in a
Thai shop (baht) and a toman shop (rial stored, toman shown), with per-bill limits, choices made
and not, gifts in the basket, added and skipped (docs/promotions.md, "Texts").

Each text is read for the defects a reader meets: an English word or the English "x" left in a
Thai or Persian sentence, a value written raw (``None``, a repr, an exponent, a long Decimal), an
amount without its unit or in the wrong unit, a percent written two ways, Latin separators in
Persian, a number that a right-to-left line would carry away from its words, and a word the
glossary says otherwise (docs/user-guide.md, "Words")."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from sasom.core.currency import Currency, amounts_in, unit_label
from sasom.promotions.engine.index import promotion_set
from sasom.promotions.engine.kinds import KINDS
from sasom.promotions.engine.kinds._common import texts_shown_in
from sasom.promotions.engine.kinds._stored import text_data, text_now
from sasom.promotions.engine.resolver import resolve
from sasom.promotions.engine.types import MODE_PRIORITY, Conditions, ItemSet, Promotion
from sasom.promotions.texts import summary_shown

from .test_engine_util import ctx, items, line

THB = Currency.of("THB")
TOMAN = Currency.of("IRR", toman=True)
LANGUAGES = ("th", "fa", "en")
GROUP = items(brands=("PAN",))
MIX = [{"sku": "COKE", "quantity": 1}, {"sku": "SPRITE", "quantity": 2}]


@dataclasses.dataclass(frozen=True)
class Case:
    """A promotion of ``kind`` on a basket: ``lines`` (sku, quantity, price), ``prices`` the gifts' list prices."""

    name: str
    kind: str
    params: dict[str, Any]
    lines: tuple[tuple[str, int, str], ...]
    item_set: ItemSet = GROUP
    currency: Currency = THB
    limit: int | None = None
    prices: tuple[tuple[str, str], ...] = ()
    choice: str = ""


def _c(name: str, kind: str, params: dict[str, Any], *lines: tuple[str, int, str], **kw: Any) -> Case:
    return Case(name, kind, params, lines, **kw)


SODA = (("FANTA", "15"), ("FANTA-RED", "16"))
TOMAN_SODA = (("FANTA", "150000"), ("FANTA-RED", "160000"))
SHAMPOO = (("SH", "100"), ("CO", "120"))
CASES = [
    # 1 one item in quantity
    _c("1a", "qty_free", {"bands": [{"from": 2, "value": 1}, {"from": 20, "value": 6}]}, ("A", 3, "10"), ("B", 2, "10")),
    _c("1a-repeat-toman", "qty_free", {"bands": [{"from": 2, "value": 1}], "repeat": True}, ("A", 7, "100000"),
       ("B", 3, "30000"), currency=TOMAN),
    _c("1b", "qty_percent", {"bands": [{"from": 3, "value": "2.5"}, {"from": 7, "value": "3"}]}, ("A", 6, "10"),
       ("B", 3, "7")),
    _c("1b-limit", "qty_percent", {"bands": [{"from": 3, "value": "2.5"}, {"from": 7, "value": "3"}]}, ("A", 6, "10"),
       ("B", 3, "7"), limit=1),
    _c("1c-toman", "qty_price", {"bands": [{"from": 3, "value": "90000"}, {"from": 7, "value": "85005"}]},
       ("A", 4, "100000"), currency=TOMAN),
    _c("1c-hint", "qty_price", {"bands": [{"from": 3, "value": "9.50"}]}, ("A", 2, "10")),
    # 2 a fixed mix
    _c("2a-added", "mix_gift", {"mix": MIX, "gifts": ["FANTA"]}, ("COKE", 1, "15"), ("SPRITE", 2, "15"),
       item_set=ItemSet(), prices=SODA),
    _c("2a-in-basket-and-added", "mix_gift", {"mix": MIX, "gifts": ["FANTA"], "gift_quantity": 2}, ("COKE", 1, "15"),
       ("SPRITE", 2, "15"), ("FANTA", 1, "15"), item_set=ItemSet(), prices=SODA),
    _c("2a-skipped-and-hint", "mix_gift", {"mix": MIX, "gifts": ["FANTA"]}, ("COKE", 2, "15"), ("SPRITE", 2, "15"),
       item_set=ItemSet()),
    _c("2b-not-chosen", "mix_gift", {"mix": MIX, "gifts": ["FANTA", "FANTA-RED"]}, ("COKE", 1, "15"),
       ("SPRITE", 2, "15"), item_set=ItemSet(), prices=SODA),
    _c("2b-chosen", "mix_gift", {"mix": MIX, "gifts": ["FANTA", "FANTA-RED"]}, ("COKE", 1, "15"), ("SPRITE", 2, "15"),
       item_set=ItemSet(), prices=SODA, choice="FANTA-RED"),
    _c("2c-toman", "mix_pwp", {"mix": MIX, "offers": ["FANTA"], "offer_price": "10000"}, ("COKE", 2, "150000"),
       ("SPRITE", 5, "150000"), item_set=ItemSet(), prices=TOMAN_SODA, currency=TOMAN),
    _c("2d-hint", "mix_pwp", {"mix": MIX, "offers": ["FANTA", "FANTA-RED"], "offer_price": "1"}, ("COKE", 1, "15"),
       item_set=ItemSet(), prices=SODA),
    _c("2e", "mix_set_price", {"mix": [{"sku": "SHIRT", "quantity": 1, "price": "200"},
                                       {"sku": "PANTS", "quantity": 1, "price": "400"}]},
       ("SHIRT", 3, "300"), ("PANTS", 2, "500"), item_set=ItemSet()),
    _c("2e-toman-limit", "mix_set_price", {"mix": [{"sku": "SHIRT", "quantity": 2, "price": "2000000"}]},
       ("SHIRT", 5, "3000000"), item_set=ItemSet(), currency=TOMAN, limit=1),
    _c("2f", "mix_message", {"mix": MIX}, ("COKE", 2, "15"), ("SPRITE", 3, "15"), item_set=ItemSet()),
    # 3 any N of a group
    _c("3a-limit", "group_gift", {"quantity": 2, "gifts": ["SH"]}, ("A", 3, "50"), prices=SHAMPOO, limit=1),
    _c("3b-hint", "group_gift", {"quantity": 2, "gifts": ["SH", "CO"], "gift_quantity": 2}, ("A", 1, "50"),
       prices=SHAMPOO),
    _c("3c-toman", "group_pwp", {"quantity": 2, "offers": ["SH"], "offer_price": "10005", "offer_quantity": 2},
       ("A", 3, "500000"), ("SH", 1, "1000000"), prices=(("SH", "1000000"),), currency=TOMAN),
    _c("3d-chosen", "group_pwp", {"quantity": 2, "offers": ["SH", "CO"], "offer_price": "1"}, ("A", 2, "50"),
       prices=SHAMPOO, choice="CO"),
    _c("3e", "group_percent", {"quantity": 2, "percent": "12.5"}, ("A", 3, "50")),
    _c("3e-hint", "group_percent", {"quantity": 2, "percent": "12.5"}, ("A", 1, "50")),
    _c("3f-toman", "group_fixed_total", {"quantity": 3, "total": "1000000"}, ("A", 4, "350000"), currency=TOMAN),
    _c("3f-limit", "group_fixed_total", {"quantity": 3, "total": "100"}, ("A", 7, "35"), limit=2),
    _c("3g", "group_cheapest_free", {"quantity": 3}, ("A", 2, "300"), ("B", 2, "200")),
    _c("3h-repeat", "group_step_percent", {"bands": [{"from": 1, "value": "10"}, {"from": 2, "value": "20"}],
                                           "repeat": True}, ("A", 3, "100")),
    _c("3h-hint", "group_step_percent", {"bands": [{"from": 2, "value": "20"}, {"from": 3, "value": "7.5"}]},
       ("A", 1, "100")),
    _c("3i", "group_message", {"quantity": 2}, ("A", 3, "100")),
    # 4 a group's value
    _c("4a-repeat", "value_gift", {"threshold": "295", "gifts": ["SH"], "repeat": True}, ("A", 2, "200"),
       prices=SHAMPOO),
    _c("4b-chosen-skipped-toman", "value_gift", {"threshold": "2950000", "gifts": ["SH", "CO"]}, ("A", 1, "3000000"),
       prices=(("SH", "1000000"),), currency=TOMAN, choice="CO"),
    _c("4c-hint-toman", "value_pwp", {"threshold": "2950000", "offers": ["SH"], "offer_price": "10000"},
       ("A", 1, "2500000"), currency=TOMAN),
    _c("4e-bill", "value_discount", {"threshold": "500", "percent": "50", "scope": "bill"}, ("A", 2, "300")),
    _c("4e-percent-hint", "value_discount", {"threshold": "100", "percent": "7.5", "scope": "group"}, ("A", 1, "60")),
    _c("4e-amount-toman", "value_discount", {"threshold": "1000000", "amount": "100005", "scope": "group"},
       ("A", 3, "400000"), currency=TOMAN),
    _c("4f", "value_message", {"threshold": "295", "repeat": True}, ("A", 1, "400")),
    # 5 one-price bins
    _c("5a", "bin_qty_price", {"bands": [{"from": 1, "value": "90"}, {"from": 3, "value": "80"},
                                         {"from": 6, "value": "70"}]}, ("A", 2, "100"), ("B", 2, "100")),
    _c("5a-toman-hint", "bin_qty_price", {"bands": [{"from": 3, "value": "800000"}]}, ("A", 2, "1000000"),
       currency=TOMAN),
    _c("5b", "bin_qty_percent", {"bands": [{"from": 3, "value": "5"}, {"from": 6, "value": "10"}]}, ("A", 3, "90")),
    _c("5c-repeat", "bin_qty_free", {"bands": [{"from": 3, "value": 1}, {"from": 6, "value": 2}], "repeat": True},
       ("A", 4, "90"), ("B", 1, "50")),
    _c("5c-hint", "bin_qty_free", {"bands": [{"from": 3, "value": 1}]}, ("A", 2, "90")),
    _c("5d", "bin_pack_lowest", {"pack_size": 6, "pack_price": "60", "unit_price": "6"}, ("A", 5, "12"),
       ("B", 2, "13")),
    _c("5d-toman-hint", "bin_pack_lowest", {"pack_size": 6, "pack_price": "600000", "unit_price": "60005"},
       ("A", 4, "120000"), currency=TOMAN),
    _c("5e-limit", "bin_pack_progressive", {"pack_size": 4, "pack_price": "30"}, ("A", 7, "20"), limit=1),
    _c("5e-hint", "bin_pack_progressive", {"pack_size": 4, "pack_price": "30"}, ("A", 7, "20")),
]


def test_the_cases_cover_every_kind():
    assert {c.kind for c in CASES} == set(KINDS)


def _texts(case: Case) -> Iterator[tuple[str, Any]]:
    """(what, lazy text) of ``case``: its summary's parameters, explanations and hints."""
    kind = KINDS[case.kind]
    with amounts_in(case.currency.places):
        params = kind.clean(case.params)
        rule = kind.build(params, case.item_set)
        promotion = Promotion(id=1, code="P", name="Deal", kind=case.kind, rule=rule,
                              conditions=Conditions(per_bill_limit=case.limit), priority=1, stacks=False, message="Hi")
        lines = [dataclasses.replace(line(i, sku, n, price, brand="PAN"), places=case.currency.places)
                 for i, (sku, n, price) in enumerate(case.lines)]
        context = ctx(gift_prices={sku: Decimal(p) for sku, p in case.prices},
                      choices={"P": case.choice} if case.choice else {})
        result = resolve(promotion_set(MODE_PRIORITY, [promotion]), lines, context)
    assert result.applied or result.hints, f"{case.name} gives nothing to read"
    yield "summary", params
    for applied in result.applied:
        yield "explanation", applied.explanation
    for hint in result.hints:
        yield "hint", hint.reward


def shown(case: Case, language: str) -> list[tuple[str, str, int]]:
    """(what, the text as the reader reads it, how many amounts it holds) of ``case``."""
    out = []
    with translation.override(language):
        for what, text in _texts(case):
            if what == "summary":
                summary = summary_shown(case.kind, text, case.currency)
                with amounts_in(case.currency.places):
                    made = KINDS[case.kind].explain(text)
                out.append((what, summary, _amounts(text_data(made))))
                continue
            with texts_shown_in(case.currency):
                out.append((what, str(text), _amounts(text_data(text))))
                out.append((f"stored {what}", text_now(text_data(text)), _amounts(text_data(text))))
    return out


def _amounts(data: Any) -> int:
    if isinstance(data, dict):
        return ("money" in data) + sum(_amounts(v) for v in data.values())
    if isinstance(data, list):
        return sum(_amounts(v) for v in data)
    return 0


ENGLISH_WORD = re.compile(r"\b[a-z]{2,}\b")  # SKUs are upper case
RAW = re.compile(r"None|Decimal|\[|\]|\('|'\)|', '|\dE[+-]?\d|\d\.\d{5,}|<|>")
PERSIAN_LETTER = re.compile(r"[\u0600-\u06FF]")
LATIN_LETTER = re.compile(r"[A-Za-z]")


def defects(text: str, language: str, currency: Currency, amounts: int) -> list[str]:
    """What reads wrong in ``text`` for a reader of ``language`` in a shop of ``currency`` (shared
    with the checkout's tests of a sale's stored reasons)."""
    found = []
    if RAW.search(text):
        found.append("a raw value")
    with translation.override(language):
        unit = str(unit_label(currency))
    if text.count(unit) != amounts:
        found.append(f"{amounts} amount(s) but {text.count(unit)} '{unit}'")
    number = r"\d+(?:\.\d+)?"
    for amount in re.findall(rf"({number}) {re.escape(unit)}", text):
        if not re.fullmatch(r"\d+(?:\.\d)?" if currency.toman else r"\d+\.\d\d", amount):  # a rial left over: .5 toman
            found.append(f"{amount} {unit}: not written in the unit's decimals")
    if re.search(r"\d+\.\d*0 ?%", text):
        found.append("a percent with trailing zeros")
    if language == "en":
        if re.search(r"more the bin|x the bin|\b1 units", text):
            found.append("English that reads wrong")
        return found
    if ENGLISH_WORD.search(text):
        found.append(f"English words {ENGLISH_WORD.findall(text)}")
    if re.search(r"\bx\b|\dx\b", text):
        found.append("the English 'x'")
    if language == "th":
        if re.search(r"\d %", text):
            found.append("'N %' where Thai writes 'N%'")
        if "โปรโมชัน" in text or re.search(r"รับ (?:ลด|ชิ้นละ)|รับ \d+ ชิ้น:", text):
            found.append("Thai that reads wrong or off the glossary")
    if language == "fa":
        if re.search(r"[,;]", text):
            found.append("Latin ',' or ';' where Persian writes '،' and '؛'")
        if re.search(r"(?<![\u0600-\u06FF\u200c])ست(?![\u0600-\u06FF\u200c])", text):
            found.append("'ست' where the kinds say 'مجموعه' (a set)")
        found += _bidi(text)
    return found


def _bidi(text: str) -> list[str]:
    """A number between two Latin words with no Persian word between joins their left-to-right run
    and is shown away from its words ("1 x COKE + 2 x SPRITE"); a text whose first letter is Latin
    is laid out left to right by a reader that guesses its direction."""
    found = []
    first = next((ch for ch in text if PERSIAN_LETTER.match(ch) or LATIN_LETTER.match(ch)), "")
    if LATIN_LETTER.match(first):
        found.append("starts with a Latin letter")
    tokens = text.split()
    kinds = ["L" if LATIN_LETTER.search(t) else "R" if PERSIAN_LETTER.search(t) else "N" for t in tokens]
    for i, token in enumerate(tokens):
        if kinds[i] == "N" and re.search(r"\d", token):
            before = next((k for k in reversed(kinds[:i]) if k != "N"), "")
            after = next((k for k in kinds[i + 1:] if k != "N"), "")
            if before == after == "L":
                found.append(f"'{token}' between Latin words")
    return found


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_every_kind_reads_right(case, language):
    # given a promotion of the kind on a basket (applied, hinted, limited, a gift placed or a choice)
    # when its texts are read in the language, in the shop's unit
    texts = shown(case, language)
    # then none of them reads wrong
    wrong = {f"{what}: {text}": found for what, text, amounts in texts
             if (found := defects(text, language, case.currency, amounts))}
    assert not wrong, wrong

