"""Times as an organization reads them: its zone, and the one form exports write.

Screens, receipts and PDFs show dates with :func:`shop_date` (the ``shopdate`` template tag; the
organization's calendar setting). Files meant for spreadsheets and other systems (CSV, XLSX) write ISO 8601 in
the organization's zone with its offset (``2026-11-24T12:30:00+07:00``): one unambiguous form that
every spreadsheet and import reads, whatever the calendar shown on screen (docs/user-guide.md,
"Dates and calendars").
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from sasom.core import calendars
from sasom.core.calendars import BUDDHIST_ERA_OFFSET  # noqa: F401  (re-exported for older callers)

DEFAULT_ZONE = "Asia/Bangkok"


def shop_date(value: dt.date | dt.datetime | None, organization: Any, *, language: str, with_time: bool = False,
              empty: str = "") -> str:
    """A date (or a datetime, in the organization's zone) as the shop reads it, in the
    organization's calendar (``core.calendars.display``): Jalali ``1405/09/07`` in every language;
    Buddhist era ``24/11/2569`` (day/month/B.E. year, as Thai receipts and ID cards show) for
    Thai readers; otherwise ISO ``2026-11-24``. ``with_time`` adds ``HH:MM``; Persian readers of
    an organization with Persian digits on read ``۱۴۰۵/۰۹/۰۷``."""
    if value in (None, ""):
        return empty
    assert value is not None
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.astimezone(zone_of(organization))
    day = value.date() if isinstance(value, dt.datetime) else value
    text = calendars.display(day, calendars.calendar_of(organization), language=language)
    if with_time and isinstance(value, dt.datetime):
        text += f" {value:%H:%M}"
    return shop_digits(text, organization, language=language)


def shop_digits(text: str, organization: Any, *, language: str) -> str:
    """``text`` with Persian digits when the organization asks for them and the reader reads Persian."""
    if getattr(organization, "persian_digits", False) and language.startswith("fa"):
        return calendars.persian_digits(text)
    return text


def zone_of(organization: Any) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(getattr(organization, "time_zone", None) or DEFAULT_ZONE)


def export_time(value: dt.datetime | None, organization: Any) -> str:
    """An aware datetime in the organization's zone, ISO 8601 with offset, to the second."""
    if value is None:
        return ""
    return value.astimezone(zone_of(organization)).replace(microsecond=0).isoformat()
