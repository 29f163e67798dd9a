"""``{% load earning %}``: an award's explanation in the reader's language (``earning.explain``)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import translation

from sasom.earning.explain import explanation_in

register = template.Library()


@register.filter
def explained(award: Any, organization: Any = None) -> str:
    """``{{ award|explained:organization }}`` for an award as stored (a dict) or as the API returns
    it; with the organization, its amounts in the shop's display unit (toman)."""
    get = award.get if isinstance(award, dict) else (lambda key, default="": getattr(award, key, default))
    return explanation_in(str(get("explanation", "") or ""), translation.get_language() or "",
                          rule_name=str(get("rule_name", "") or ""), organization=organization)


@register.simple_tag(takes_context=True)
def explainedfor(context: Any, award: Any) -> str:
    """``{% explainedfor award %}``: :func:`explained` with the page's organization (its amounts in
    the shop's display unit, toman for a toman shop). Each distinct explanation is translated once
    per page (a history page repeats the same few: B5 in docs/performance.md)."""
    organization = context.get("organization")
    get = award.get if isinstance(award, dict) else (lambda key, default="": getattr(award, key, default))
    key = (get("explanation", ""), get("rule_name", ""), translation.get_language(), id(organization))
    done: dict[Any, str] = context.render_context.setdefault("earning.explained", {})
    shown = done.get(key)
    if shown is None:
        shown = done[key] = explained(award, organization)
    return shown
