"""A promotion text kept as data, written in its reader's language when it is read.

The explanations, hints and summaries are lazy texts (``said``, ``joined``, ``money_str``):
message ids with their values. :func:`text_data` turns one into plain data (JSON-ready: the
message ids, the values, each amount with its currency's decimals) and :func:`text_from` makes
the same lazy text again, so a text stored today (a sale's pricing reasons, ``checkout.promo``)
is read in Thai, Persian or English, and in toman on a toman shop's screen, tomorrow. A value
that is not one of these texts (a promotion's name, a SKU, a number) is kept as written.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext

from sasom.promotions.engine.kinds._common import (
    _joined,
    _money_text,
    _said,
    joined,
    money_in,
    said,
)


def text_data(text: Any) -> Any:
    """``text`` as plain data: ``{"said": msgid, "with": {...}}``, ``{"join": sep, "parts": [...]}``,
    ``{"money": "45000", "places": 0}``, or a string."""
    if isinstance(text, Promise):
        reduced: tuple[Any, ...] = text.__reduce__()  # (unpickle, (func, args, kw, ...)): Django's lazy proxies
        func, args = reduced[1][0], reduced[1][1]
        if func is _said:
            values: Mapping[str, Any] = args[1] if len(args) > 1 and args[1] else {}
            return {"said": args[0], "with": {k: text_data(v) for k, v in values.items()}}
        if func is _joined:
            return {"join": text_data(args[0]), "parts": [text_data(p) for p in args[1]]}
        if func is _money_text:
            return {"money": str(args[0]), "places": int(args[1])}
        if func is gettext:
            return {"said": args[0], "with": {}}
    return text if isinstance(text, str) else str(text)


def text_from(data: Any) -> str:
    """The lazy text :func:`text_data` made ``data`` of (a string stays itself)."""
    if isinstance(data, dict):
        if "said" in data:
            values = {k: text_from(v) for k, v in (data.get("with") or {}).items()}
            return said(str(data["said"]), values or None)
        if "join" in data:
            return joined(text_from(data["join"]), tuple(text_from(p) for p in data.get("parts") or ()))
        if "money" in data:
            return money_in(Decimal(str(data["money"])), int(data.get("places", 2)))
    return "" if data is None else str(data)
