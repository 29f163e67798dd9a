"""A posted sale's pricing reasons (its pricing notes: a promotion's ``promotion:<code>``, the
catalog's member price, ``price_differs``, member and birthday discounts, no member discount):
stored as data, shown in the reader's language and the shop's display unit (docs/promotions.md,
"Texts"; docs/api.md, "steps").

The reason a line got a promotion ("buy 2 get 1: 1 x CHIPS free for 2 bought (3 units)", "1 x
FANTA at 1.00 instead of 15.00") is kept as the engine's lazy text made data
(``engine.kinds._stored``), in ``{"text": ...}`` JSON: the ledger stores one string per note as
before, whatever the writer. The catalog's reasons ("VIP 10% of 100.00", ``catalog.pricing``'s
message ids and values) are kept the same way (:func:`said_stored`). Reading it (the API's
``steps``, the till, the sale's answer) makes the text again in the active language, its amounts
in the shop's display unit with the unit named inside ``texts_shown_in`` (the screens) or
``api_texts`` (the API's answers: ``render``, ``render_sale``), toman for a toman shop; the stored
data keeps the currency's amounts (rial). A reason stored before (plain English text) is shown as
it was written.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sasom.catalog.pricing import Values
from sasom.promotions.engine.kinds._common import gettext_noop, money_in, said
from sasom.promotions.engine.kinds._stored import TextReader, text_data
from sasom.promotions.texts import api_texts

__all__ = ["TextReader", "api_texts", "gift_reason", "reason_shown", "reason_stored", "said_stored", "take_reason", "take_reasons"]

_STORED = '{"text":'  # how a stored reason starts (an older reason is plain text)


def reason_stored(text: Any) -> str:
    """A lazy text as the pricing note keeps it."""
    return json.dumps({"text": text_data(text)}, ensure_ascii=False, separators=(",", ":"))


def reason_shown(reason: str, reader: TextReader | None = None) -> str:
    """A stored reason for its reader now; an older plain reason (or one that does not read) as
    written. ``reader``: one made for the answer's many reasons (its translations looked up once)."""
    if not reason or not reason.startswith(_STORED):
        return reason
    try:
        made = _MADE.get(reason)
        if made is not None:  # written by this process lately: the same text from what it was made of
            return (reader or TextReader()).said(*made)
        return (reader or TextReader()).text(json.loads(reason)["text"])
    except (ValueError, KeyError, TypeError, ArithmeticError):
        return reason


_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode  # reason_stored's JSON


@functools.lru_cache(maxsize=256)
def _said_head(msgid: str) -> str:
    return f'{{"text":{{"said":{_JSON(msgid)},"with":{{'


@functools.lru_cache(maxsize=256)
def _said_alone(msgid: str) -> str:
    return f"{_said_head(msgid)}}}}}}}"


@functools.lru_cache(maxsize=4096)
def _json_text(value: str) -> str:
    return _JSON(value)


# the reasons said_stored wrote lately and what each was made of (bounded): the sale's answer,
# made right after, shows them without reading their JSON again (reason_shown)
_MADE: dict[str, tuple[str, Values, int]] = {}


def said_stored(msgid: str, values: Values, places: int) -> str:
    """``reason_stored(said(msgid, {name: money_in(value, places) for an amount, value for a
    text}))``, the same string written directly: a priced line's catalog reasons are stored for
    every line of every sale (``checkout.pricing``), so the JSON's fixed parts are made once per
    message and value (``checkout/tests/test_pricing_reasons.py`` proves the strings equal)."""
    if not values:
        return _said_alone(msgid)
    body = ",".join([f'{_json_text(name)}:{{"money":"{value}","places":{places}}}' if isinstance(value, Decimal)
                     else f"{_json_text(name)}:{_json_text(str(value))}" for name, value in values])
    stored = f"{_said_head(msgid)}{body}}}}}}}"
    if len(_MADE) >= 4096:
        _MADE.clear()
    _MADE[stored] = (msgid, values, places)
    return stored


_TAKE = gettext_noop("%(name)s: %(explanation)s (%(units)s units)")
_TAKE_ONE = gettext_noop("%(name)s: %(explanation)s (%(units)s unit)")  # English: "(1 unit)", not "(1 units)"


def _take(units: str) -> str:
    return _TAKE_ONE if units == "1" else _TAKE


def take_reason(name: str, explanation: Any, units: str) -> str:
    """``B2G1: buy 2 get 1: 1 x CHIPS free for 2 bought (3 units)``."""
    return reason_stored(said(_take(units), {"name": name, "explanation": explanation, "units": units}))


def take_reasons(name: str, explanation: Any) -> Callable[[str], str]:
    """:func:`take_reason` for each line one applied promotion took (the same string), its
    explanation made data once for all of them instead of once per line."""
    data = text_data(explanation)

    def reason(units: str) -> str:
        return json.dumps({"text": {"said": _take(units), "with": {"name": text_data(name), "explanation": data,
                                                            "units": units}}},
                          ensure_ascii=False, separators=(",", ":"))
    return reason


def gift_reason(name: str, quantity: str, sku: str, unit_price: Decimal, list_price: Decimal, places: int) -> str:
    """``FANTA: 1 x FANTA at 1.00 instead of 15.00``."""
    return reason_stored(said(gettext_noop("%(name)s: %(quantity)s x %(sku)s at %(price)s instead of %(list)s"),
                              {"name": name, "quantity": quantity, "sku": sku,
                               "price": money_in(unit_price, places), "list": money_in(list_price, places)}))
