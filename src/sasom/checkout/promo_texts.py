"""A posted sale's promotion reasons (its pricing notes ``promotion:<code>``): stored as data,
shown in the reader's language and the shop's display unit (docs/promotions.md, "Texts").

The reason a line got a promotion ("buy 2 get 1: 1 x CHIPS free for 2 bought (3 units)", "1 x
FANTA at 1.00 instead of 15.00") is kept as the engine's lazy text made data
(``engine.kinds._stored``), in ``{"text": ...}`` JSON: the ledger stores one string per note as
before, whatever the writer. Reading it (the API's ``steps``, the till, the sale's answer) makes
the text again in the active language, its amounts in the shop's display unit with the unit named
inside ``texts_shown_in`` (the screens) or ``api_texts`` (the API's answers: ``render``,
``render_sale``), toman for a toman shop; the stored data keeps the currency's amounts (rial).
A reason stored before (plain English text) is shown as it was written.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sasom.promotions.engine.kinds._common import gettext_noop, money_in, said
from sasom.promotions.engine.kinds._stored import text_data, text_from
from sasom.promotions.texts import api_texts

__all__ = ["api_texts", "gift_reason", "reason_shown", "reason_stored", "take_reason", "take_reasons"]

_STORED = '{"text":'  # how a stored reason starts (an older reason is plain text)


def reason_stored(text: Any) -> str:
    """A lazy text as the pricing note keeps it."""
    return json.dumps({"text": text_data(text)}, ensure_ascii=False, separators=(",", ":"))


def reason_shown(reason: str) -> str:
    """A stored reason for its reader now; an older plain reason (or one that does not read) as written."""
    if not reason or not reason.startswith(_STORED):
        return reason
    try:
        return str(text_from(json.loads(reason)["text"]))
    except (ValueError, KeyError, TypeError, ArithmeticError):
        return reason


_TAKE = gettext_noop("%(name)s: %(explanation)s (%(units)s units)")


def take_reason(name: str, explanation: Any, units: str) -> str:
    """``B2G1: buy 2 get 1: 1 x CHIPS free for 2 bought (3 units)``."""
    return reason_stored(said(_TAKE, {"name": name, "explanation": explanation, "units": units}))


def take_reasons(name: str, explanation: Any) -> Callable[[str], str]:
    """:func:`take_reason` for each line one applied promotion took (the same string), its
    explanation made data once for all of them instead of once per line."""
    data = text_data(explanation)

    def reason(units: str) -> str:
        return json.dumps({"text": {"said": _TAKE, "with": {"name": text_data(name), "explanation": data,
                                                            "units": units}}},
                          ensure_ascii=False, separators=(",", ":"))
    return reason


def gift_reason(name: str, quantity: str, sku: str, unit_price: Decimal, list_price: Decimal, places: int) -> str:
    """``FANTA: 1 x FANTA at 1.00 instead of 15.00``."""
    return reason_stored(said(gettext_noop("%(name)s: %(quantity)s x %(sku)s at %(price)s instead of %(list)s"),
                              {"name": name, "quantity": quantity, "sku": sku,
                               "price": money_in(unit_price, places), "list": money_in(list_price, places)}))
