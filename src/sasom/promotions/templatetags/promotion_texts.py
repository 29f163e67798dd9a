"""``{% promotiontext text %}``: a promotion's explanation, hint or reward as the page's
organization reads it (amounts in its display unit with the unit named: ``45.00 บาท``, toman for a
toman shop; docs/decisions/0009-currency.md)."""

from __future__ import annotations

from typing import Any

from django import template

from sasom.core.currency import currency_of
from sasom.promotions.engine.kinds._common import texts_shown_in

register = template.Library()


@register.simple_tag(takes_context=True)
def promotiontext(context: Any, text: Any) -> str:
    with texts_shown_in(currency_of(context.get("organization"))):
        return str(text if text is not None else "")
