"""Date fields in the organization's calendar: the one field forms use for a day.

The calendar of the request is activated once (``StaffContextMiddleware`` calls
:func:`calendar_activate` with the staff member's organization), as Django activates a language;
without one (a CSV import, a worker, a test) fields read Gregorian/ISO. Gregorian and Buddhist-era
shops keep the browser's date picker (its value is ISO whatever the screen shows); a Jalali shop
gets a text box that shows and reads ``1405/09/07`` (Persian digits too). ISO ``2026-11-28`` and
Thai ``28/11/2569`` are understood everywhere (``core.calendars.parse``)."""

from __future__ import annotations

import contextvars
import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sasom.core import calendars

_ACTIVE: contextvars.ContextVar[str] = contextvars.ContextVar("sasom_calendar", default=calendars.GREGORIAN)


def calendar_activate(calendar: str) -> contextvars.Token[str]:
    """Make ``calendar`` the one date fields show and read (returns the token to reset with)."""
    return _ACTIVE.set(calendar if calendar in calendars.CALENDARS else calendars.GREGORIAN)


def calendar_deactivate(token: contextvars.Token[str]) -> None:
    _ACTIVE.reset(token)


def active_calendar() -> str:
    return _ACTIVE.get()


class ShopDateInput(forms.DateInput):
    """``<input type="date">`` for Gregorian and Buddhist-era shops, a text box in the Jalali
    calendar for Jalali shops."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        if active_calendar() == calendars.JALALI:
            widget = context["widget"]
            widget["type"] = "text"
            widget["attrs"].setdefault("placeholder", "1405/01/31")
            widget["attrs"].setdefault("inputmode", "numeric")
            widget["attrs"].setdefault("dir", "ltr")
        return context

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, dt.date) and active_calendar() == calendars.JALALI:
            return calendars.display(value, calendars.JALALI)
        return super().format_value(value)


class ShopDateField(forms.DateField):
    """A day typed in the organization's calendar; an impossible day (``1404/12/30``) is refused
    on its field."""

    widget = ShopDateInput
    default_error_messages = {"invalid": _("Enter a real date in the shop's calendar (for example %(example)s).")}

    def to_python(self, value: Any) -> dt.date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        calendar = active_calendar()
        try:
            return calendars.parse(str(value), calendar)
        except ValueError:
            example = calendars.display(dt.date(2026, 11, 28), calendar, language="th")
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid",
                                        params={"example": example}) from None
