"""A promotion text kept as data, written in its reader's language when it is read.

The explanations, hints and summaries are lazy texts (``said``, ``joined``, ``money_str``):
message ids with their values. :func:`text_data` turns one into plain data (JSON-ready: the
message ids, the values, each amount with its currency's decimals) and :func:`text_from` makes
the same lazy text again, so a text stored today (a sale's pricing reasons, ``checkout.promo``)
is read in Thai, Persian or English, and in toman on a toman shop's screen, tomorrow. A value
that is not one of these texts (a promotion's name, a SKU, a number) is kept as written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext

from sasom.core.currency import unit_label
from sasom.promotions.engine.kinds._common import (
    _SHOWN_IN,
    _joined,
    _money_text,
    _said,
    joined,
    money_in,
    money_written,
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
    """The lazy text :func:`text_data` made ``data`` of (a string stays itself); ``str`` of it is
    :func:`text_now`."""
    if isinstance(data, dict):
        if "said" in data:
            values = {k: text_from(v) for k, v in (data.get("with") or {}).items()}
            return said(str(data["said"]), values or None)
        if "join" in data:
            return joined(text_from(data["join"]), tuple(text_from(p) for p in data.get("parts") or ()))
        if "money" in data:
            return money_in(Decimal(str(data["money"])), int(data.get("places", 2)))
    return "" if data is None else str(data)


class TextReader:
    """Writes stored texts (:func:`text_data`'s data) for one reader: the active language and the
    display unit texts are shown in now (``texts_shown_in``). What ``str(text_from(data))``
    writes, without the lazy texts in between, each message's translation and the unit's name
    looked up once per reader: a sale's answer writes a stored reason for every line."""

    __slots__ = ("_said", "_shown", "_unit")

    def __init__(self) -> None:
        self._said: dict[str, str] = {}
        self._shown = _SHOWN_IN.get()
        self._unit = None if self._shown is None else str(unit_label(self._shown))

    def text(self, data: Any) -> str:
        if isinstance(data, dict):
            if "said" in data:
                values = data.get("with")
                text = self._translated(str(data["said"]))
                return text % {k: self.text(v) for k, v in values.items()} if values else text
            if "join" in data:
                return self.text(data["join"]).join(self.text(p) for p in data.get("parts") or ())
            if "money" in data:
                return money_written(Decimal(str(data["money"])), int(data.get("places", 2)), self._shown, self._unit)
        return "" if data is None else str(data)

    def said(self, msgid: str, values: Iterable[tuple[str, Any]], places: int) -> str:
        """:meth:`text` of ``{"said": msgid, "with": ...}`` given as its values: a ``Decimal`` an
        amount of ``places`` decimals (``money_in``), anything else a text."""
        text = self._translated(msgid)
        shown, unit = self._shown, self._unit
        params = {k: money_written(v, places, shown, unit) if isinstance(v, Decimal) else str(v) for k, v in values}
        return text % params if params else text

    def _translated(self, msgid: str) -> str:
        text = self._said.get(msgid)
        if text is None:
            text = self._said[msgid] = gettext(msgid)
        return text


def text_now(data: Any) -> str:
    """``str(text_from(data))``, written now (:class:`TextReader`)."""
    return TextReader().text(data)
