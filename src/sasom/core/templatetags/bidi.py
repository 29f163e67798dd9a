"""``{% load bidi %}``: text that must read left to right inside right-to-left pages (Persian).

A phone number such as ``+66 81 234 5678`` in a right-to-left line would otherwise show its groups
in reverse order, and ``-50`` as ``50-``. The stylesheet isolates ``td.num``, ``code`` and the
portal's points and codes; values printed elsewhere go through ``|ltr``.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def ltr(value: Any) -> SafeString | str:
    """``value`` isolated as left-to-right text (``<bdi dir="ltr">``); empty stays empty."""
    if value is None or value == "":
        return ""
    return format_html('<bdi dir="ltr" class="ltr">{}</bdi>', value)
