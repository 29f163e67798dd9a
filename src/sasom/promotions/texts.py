"""A promotion's one-line summary as its reader sees it (docs/promotions.md, "Texts").

The kinds build the summary from the stored parameters as lazy texts (``engine/kinds/_summaries``):
the engine knows no organization. The edge says how money is shown: ``summary_shown`` states the
currency's decimals while the summary is built and its display unit while it is written, so a
screen of a toman shop reads ``4500 تومان`` where the parameters hold 45000 rial (a Thai shop's
``45.00 บาท``), and the API (``screen=False``: its amounts are always the currency's) reads
``45000``. The words follow the
active language (the request's: Thai, Persian or English).
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import nullcontext
from typing import Any

from sasom.core.currency import Currency, amounts_in
from sasom.promotions.engine.kinds import KINDS
from sasom.promotions.engine.kinds._common import texts_shown_in


def summary_shown(kind: str, params: Mapping[str, Any] | None, currency: Currency, *, screen: bool = True) -> str:
    """The summary of a promotion of ``kind`` with ``params`` in the active language, its amounts
    with ``currency``'s decimals: on a ``screen`` in its display unit with the unit's name, else
    (the API) bare amounts in the currency. "" for an unknown kind or parameters it cannot read."""
    promo_kind = KINDS.get(kind)
    if promo_kind is None:
        return ""
    try:
        with amounts_in(currency.places), texts_shown_in(currency) if screen else nullcontext():
            return str(promo_kind.explain(params or {}))
    except (KeyError, TypeError, ValueError, ArithmeticError):
        return ""
