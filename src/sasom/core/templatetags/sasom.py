"""Template helpers shared by every app."""

from __future__ import annotations

from typing import Any

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils import translation
from django.utils.html import format_html

from sasom.core.currency import currency_of, shop_money, unit_label
from sasom.core.dates import shop_date, shop_digits, zone_of
from sasom.core.forms_dates import ShopDateInput

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

@register.simple_tag(takes_context=True)
def shopdate(context: Any, value: Any, with_time: bool = False, empty: str = "") -> str:
    """A date (or datetime, shown in the organization's zone) as the shop reads it
    (``core.dates.shop_date``): ``24/11/2569`` in Thai with Buddhist-era years on, else ISO."""
    return shop_date(value, context.get("organization"), with_time=with_time, empty=empty,
                     language=translation.get_language() or "")


@register.simple_tag
def shopdayinput(name: str, value: Any) -> str:
    """A filter's day box in the shop's calendar (``ShopDateInput``: the date picker, or a Jalali
    text box); the view reads it back with ``core.forms_dates.day_typed``."""
    return ShopDateInput().render(name, value)


@register.simple_tag(takes_context=True)
def shoptime(context: Any, value: Any) -> str:
    """A time of day (``HH:MM``) on the organization's clock, with its Persian digits when it uses
    them and the reader reads Persian."""
    if value is None:
        return ""
    organization = context.get("organization")
    if getattr(value, "tzinfo", None) is not None:
        value = value.astimezone(zone_of(organization))
    return shop_digits(f"{value:%H:%M}", organization, language=translation.get_language() or "")


@register.simple_tag(takes_context=True)
def shopmoney(context: Any, value: Any, empty: str = "") -> str:
    """A stored amount as the shop reads it (``core.currency.shop_money``): its currency's decimals,
    in toman for a toman shop, with Persian digits when the organization asks for them."""
    return shop_money(value, context.get("organization"), language=translation.get_language() or "", empty=empty)


@register.simple_tag(takes_context=True)
def shopmeasure(context: Any, value: Any, basis: str) -> str:
    """A tier's measure as the shop reads it: an amount (``shopmoney``) when the ladder counts
    spend, else a count of points grouped by thousands."""
    if basis == "spend":
        return shopmoney(context, value)
    return intcomma(value)


@register.simple_tag(takes_context=True)
def shopunit(context: Any) -> str:
    """The name of the amounts' display unit (``THB``, ``IRR`` or ``toman``), translated."""
    return str(unit_label(currency_of(context.get("organization"))))
