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

DEFAULT_ZONE = "Asia/Bangkok"


BUDDHIST_ERA_OFFSET = 543


def shop_date(value: dt.date | dt.datetime | None, organization: Any, *, language: str, with_time: bool = False,
              empty: str = "") -> str:
    """A date (or a datetime, in the organization's zone) as the shop reads it: in Thai with the
    organization's "Buddhist-era years" setting on ``24/11/2569`` (day/month/B.E. year, as Thai
    receipts and ID cards show); otherwise ISO ``2026-11-24``; ``with_time`` adds ``HH:MM``."""
    if value in (None, ""):
        return empty
    assert value is not None
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.astimezone(zone_of(organization))
    day = value.date() if isinstance(value, dt.datetime) else value
    thai_era = bool(getattr(organization, "buddhist_era", False)) and language.startswith("th")
    text = f"{day.day:02d}/{day.month:02d}/{day.year + BUDDHIST_ERA_OFFSET}" if thai_era else day.isoformat()
    if with_time and isinstance(value, dt.datetime):
        text += f" {value:%H:%M}"
    return text


def zone_of(organization: Any) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(getattr(organization, "time_zone", None) or DEFAULT_ZONE)


def export_time(value: dt.datetime | None, organization: Any) -> str:
    """An aware datetime in the organization's zone, ISO 8601 with offset, to the second."""
    if value is None:
        return ""
    return value.astimezone(zone_of(organization)).replace(microsecond=0).isoformat()
