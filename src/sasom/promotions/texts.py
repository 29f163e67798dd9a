"""A promotion's one-line summary as its reader sees it (docs/promotions.md, "Texts").

The kinds build the summary from the stored parameters as lazy texts (``engine/kinds/_summaries``):
the engine knows no organization. The edge says how money is shown: ``summary_shown`` states the
currency's decimals while the summary is built and its display unit while it is written, so a
toman shop reads ``4500 تومان`` where the parameters hold 45000 rial (a Thai shop's
``45.00 บาท``), on its screens and in the API alike (``api_texts``: an integrator prints the text
as it is; the API's money fields stay in the currency). The words follow the active language
(the request's: Thai, Persian or English).
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from sasom.core.currency import Currency, amounts_in, currency_of
from sasom.organizations.models import Organization
from sasom.promotions.engine.kinds import KINDS
from sasom.promotions.engine.kinds._common import texts_shown_in


def summary_shown(kind: str, params: Mapping[str, Any] | None, currency: Currency, *, screen: bool = True) -> str:
    """The summary of a promotion of ``kind`` with ``params`` in the active language, its amounts
    with ``currency``'s decimals, in its display unit with the unit's name (screens and the API);
    ``screen=False``: bare amounts in the currency (no reader of this project asks for it now). ""
    for an unknown kind or parameters it cannot read."""
    promo_kind = KINDS.get(kind)
    if promo_kind is None:
        return ""
    try:
        with amounts_in(currency.places), texts_shown_in(currency) if screen else nullcontext():
            return str(promo_kind.explain(params or {}))
    except (KeyError, TypeError, ValueError, ArithmeticError):
        return ""


def organization_currency(organization_id: int) -> Currency:
    """The organization's currency and display unit (THB when it is not found)."""
    row = Organization.objects.filter(pk=organization_id).only("currency", "amounts_in_toman").first()
    return currency_of(row)


def api_texts(currency: Currency) -> AbstractContextManager[None]:
    """Around the API's ``str`` of promotion texts (explanations, hints' rewards, summaries): their
    amounts in the shop's display unit with the unit's name, as the screens write them
    (docs/promotions.md, "Texts")."""
    return texts_shown_in(currency)
