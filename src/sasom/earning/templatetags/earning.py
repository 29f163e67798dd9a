"""``{% load earning %}``: an award's explanation in the reader's language (``earning.explain``)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import translation

from sasom.earning.explain import explanation_in

register = template.Library()


@register.filter
def explained(award: Any) -> str:
    """``{{ award|explained }}`` for an award as stored (a dict) or as the API returns it."""
    get = award.get if isinstance(award, dict) else (lambda key, default="": getattr(award, key, default))
    return explanation_in(str(get("explanation", "") or ""), translation.get_language() or "",
                          rule_name=str(get("rule_name", "") or ""))
