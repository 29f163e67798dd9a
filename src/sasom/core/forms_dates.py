"""Date and date-time fields in the organization's calendar: the fields forms use for a day and
for a moment.

The calendar and time zone of the request are activated once (``StaffContextMiddleware`` calls
:func:`calendar_activate` with the staff member's organization; the portal's pages with theirs,
through ``core.zones.shop_activate``), as Django activates a language;
without one (a CSV import, a worker, a test) fields read Gregorian/ISO in the server's zone.
Gregorian and Buddhist-era shops keep the browser's date (and date-time) picker, whose value is ISO
whatever the screen shows; a Jalali shop gets a text box that shows and reads ``1405/09/07`` (and
``1405/09/07 14:30``; Persian digits too). ISO ``2026-11-28`` and Thai ``28/11/2569`` are
understood everywhere (``core.calendars.parse``). A moment typed is the shop's wall clock: it is
stored as an aware datetime in the organization's zone, and shown back in that zone."""

from __future__ import annotations

import contextvars
import datetime as dt
import re
import zoneinfo
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from sasom.core import calendars

_Active = tuple[str, str]
_ACTIVE: contextvars.ContextVar[_Active] = contextvars.ContextVar("sasom_calendar",
                                                                  default=(calendars.GREGORIAN, ""))


def calendar_activate(calendar: str, time_zone: str | None = None) -> contextvars.Token[_Active]:
    """Make ``calendar`` (and the zone ``time_zone``, the organization's) the one date fields show
    and read (returns the token to reset with)."""
    return _ACTIVE.set((calendar if calendar in calendars.CALENDARS else calendars.GREGORIAN, time_zone or ""))


def calendar_deactivate(token: contextvars.Token[_Active]) -> None:
    _ACTIVE.reset(token)


def active_calendar() -> str:
    return _ACTIVE.get()[0]


def active_zone() -> zoneinfo.ZoneInfo:
    """The zone a typed moment is read in: the organization's, else the server's."""
    try:
        return zoneinfo.ZoneInfo(_ACTIVE.get()[1] or settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _jalali_text(context: dict[str, Any], placeholder: str, **extra: str) -> dict[str, Any]:
    """A date widget's context as a left-to-right text box with an example, for a Jalali shop
    (browsers' date pickers know only the Gregorian calendar); unchanged for the others."""
    if active_calendar() == calendars.JALALI:
        widget = context["widget"]
        widget["type"] = "text"
        for key, text in {"placeholder": placeholder, **extra, "dir": "ltr"}.items():
            widget["attrs"].setdefault(key, text)
    return context


class ShopDateInput(forms.DateInput):
    """``<input type="date">`` for Gregorian and Buddhist-era shops, a text box in the Jalali
    calendar for Jalali shops."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        return _jalali_text(super().get_context(name, value, attrs), "1405/01/31", inputmode="numeric")

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, dt.date) and active_calendar() == calendars.JALALI:
            return calendars.display(value, calendars.JALALI)
        return super().format_value(value)


def day_typed(text: str | None) -> dt.date | None:
    """A day from a query string (a list's "day" filter) in the active calendar, ISO included;
    None when there is none or it is no day (the list then shows today)."""
    try:
        return calendars.parse(text or "", active_calendar())
    except ValueError:
        return None


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


_MOMENT = re.compile(r"^\s*(?P<day>[^\sT]+)(?:\s*[T\s]\s*(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?::(?P<second>\d{2}))?)?\s*$")


class ShopDateTimeInput(forms.DateTimeInput):
    """``<input type="datetime-local">`` for Gregorian and Buddhist-era shops, a text box reading
    ``1405/09/07 14:30`` for Jalali shops; either way the organization's wall clock."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        return _jalali_text(super().get_context(name, value, attrs), "1405/01/31 14:30")

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, dt.datetime):
            if timezone_aware(value):
                value = value.astimezone(active_zone()).replace(tzinfo=None)
            if active_calendar() == calendars.JALALI:
                return f"{calendars.display(value.date(), calendars.JALALI)} {value:%H:%M}"
        return super().format_value(value)


def timezone_aware(value: dt.datetime) -> bool:
    return value.tzinfo is not None and value.utcoffset() is not None


class ShopDateTimeField(forms.DateTimeField):
    """A moment typed in the organization's calendar and on its wall clock (``1405/09/07 14:30``,
    ``2569-11-28T14:30``, ``2026-11-28T14:30``; a day alone is its midnight), cleaned to an aware
    datetime in the organization's zone. A day that does not exist (``1404/12/30``) or an
    impossible time is refused on its field, each with its own message."""

    widget = ShopDateTimeInput
    default_error_messages = {
        "invalid": _("Enter a real date and time in the shop's calendar (for example %(example)s)."),
        "no_such_day": _("There is no such day in the shop's calendar: %(value)s."),
    }

    def prepare_value(self, value: Any) -> Any:
        # Django's own would move an aware value to the server's zone; the widget shows the shop's.
        return value

    def to_python(self, value: Any) -> dt.datetime | None:
        if value in self.empty_values:
            return None
        zone = active_zone()
        if isinstance(value, dt.datetime):
            return value.astimezone(zone) if timezone_aware(value) else value.replace(tzinfo=zone)
        if isinstance(value, dt.date):
            return dt.datetime.combine(value, dt.time.min, tzinfo=zone)
        calendar = active_calendar()
        match = _MOMENT.match(str(value))
        if match is None:
            raise self._invalid(calendar)
        try:
            day = calendars.parse(match["day"], calendar)
        except ValueError:
            if calendars.shaped_like_a_date(match["day"]):
                raise forms.ValidationError(self.error_messages["no_such_day"], code="no_such_day",
                                            params={"value": match["day"].strip()}) from None
            raise self._invalid(calendar) from None
        try:
            moment = dt.time(int(match["hour"] or 0), int(match["minute"] or 0), int(match["second"] or 0))
        except ValueError:
            raise self._invalid(calendar) from None
        return dt.datetime.combine(day, moment, tzinfo=zone)

    def _invalid(self, calendar: str) -> forms.ValidationError:
        example = f"{calendars.display(dt.date(2026, 11, 28), calendar, language='th')} 14:30"
        return forms.ValidationError(self.error_messages["invalid"], code="invalid", params={"example": example})
