"""Template helpers shared by every app."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django import template
from django.utils import timezone, translation
from django.utils.html import format_html

register = template.Library()


@register.filter
def audit_line(event: Any) -> Any:
    """An audit event as a person reads it (``core.audit_display``)."""
    # a function-level import: templatetags load before the apps' models are ready
    from sasom.core.audit_display import audit_line as line

    return line(event)


@register.simple_tag
def form_token() -> str:
    """The hidden field that makes a form run once per display (``core.forms_once``)."""
    # a function-level import: templatetags load before the apps' models are ready
    from sasom.core.forms_once import FIELD, form_token_new

    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, form_token_new())

BUDDHIST_ERA_OFFSET = 543


@register.simple_tag(takes_context=True)
def shopdate(context: Any, value: Any, with_time: bool = False, empty: str = "") -> str:
    """A date (or datetime, shown in the organization's zone) as the shop reads it.

    In Thai with the organization's "Buddhist-era years" setting on: ``24/11/2569`` (day/month/
    B.E. year, what Thai receipts and ID cards show); otherwise ISO ``2026-11-24``.
    """
    if value in (None, ""):
        return empty
    organization = context.get("organization")
    if isinstance(value, dt.datetime):
        zone = zoneinfo.ZoneInfo(getattr(organization, "time_zone", None) or "Asia/Bangkok")
        value = timezone.localtime(value, zone) if timezone.is_aware(value) else value
    day = value.date() if isinstance(value, dt.datetime) else value
    thai_era = bool(getattr(organization, "buddhist_era", False)) and translation.get_language() == "th"
    text = f"{day.day:02d}/{day.month:02d}/{day.year + BUDDHIST_ERA_OFFSET}" if thai_era else day.isoformat()
    if with_time and isinstance(value, dt.datetime):
        text += f" {value:%H:%M}"
    return text
