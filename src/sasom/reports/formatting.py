"""How a report's cell reads on screen and in the PDF: numbers with separators, money in the
organization's display unit (two places in THB, whole rial, or toman with one decimal:
``core.currency``; Persian digits when asked), dates in the organization's calendar (Buddhist-era
years in Thai when the organization asks, as ``{% shopdate %}`` shows them). CSV and XLSX keep
typed values instead (``exports``), money in the display unit too (toman for a toman shop).

Files are written by two functions only, whatever the report and whatever the database:
:func:`export_value` (a typed cell: XLSX) and :func:`export_text` (its text: CSV, the API's
amounts). Money is rounded by ``core.money.money`` to the display unit's places (THB two, IRR
none, toman one) and written with exactly those places (``40000.00`` THB, ``40000`` IRR,
``4000.0`` toman) whether the database handed back ``40000``, ``40000.00`` or a float; counts
are integers. So a report's CSV is the same bytes on SQLite and PostgreSQL
(``tests/test_exports_alike.py``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone, translation

from sasom.core import calendars
from sasom.core.currency import currency_of, shop_money
from sasom.core.dates import shop_date, shop_digits, zone_of
from sasom.core.money import money
from sasom.reports import periods

TEXT, INT, MONEY, DATE, DATETIME, MONTH = "text", "int", "money", "date", "datetime", "month"
KINDS = (TEXT, INT, MONEY, DATE, DATETIME, MONTH)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # text a spreadsheet would take for a formula


def thai_era(organization: Any) -> bool:
    """Buddhist-era years for this reader (a Buddhist-era organization, a Thai page)."""
    return calendars.calendar_of(organization) == calendars.BUDDHIST and translation.get_language() == "th"


def local(value: dt.datetime, organization: Any) -> dt.datetime:
    return timezone.localtime(value, zone_of(organization)) if timezone.is_aware(value) else value


def date_text(day: dt.date | None, organization: Any) -> str:
    """As ``core.dates.shop_date`` (a datetime's day in the organization's zone)."""
    return shop_date(day, organization, language=translation.get_language() or "")


def month_text(day: dt.date | None, organization: Any) -> str:
    if day is None:
        return ""
    if isinstance(day, dt.datetime):
        day = local(day, organization).date()
    language = translation.get_language() or ""
    # A month is named by its first day (``periods``): a Jalali month (a Jalali shop whose periods
    # follow its calendar) reads 1405/08; a Gregorian month of a Jalali shop reads 2026-11 rather
    # than under a Jalali month it does not match.
    calendar = calendars.calendar_of(organization)
    if periods.is_calendar_month(day, organization):
        text = calendars.display_month(day, calendars.JALALI, language=language)
    else:
        text = calendars.display_month(day, calendars.GREGORIAN if calendar == calendars.JALALI else calendar,
                                       language=language)
    return shop_digits(text, organization, language=language)


def cell_text(value: Any, kind: str, organization: Any) -> str:
    """A cell as a person reads it; an empty value is an empty string."""
    if value is None or value == "":
        return ""
    if kind == INT:
        return shop_digits(f"{int(value):,}", organization, language=translation.get_language() or "")
    if kind == MONEY:
        return shop_money(Decimal(value), organization, language=translation.get_language() or "")
    if kind == DATE:
        return date_text(value, organization)
    if kind == MONTH:
        return month_text(value, organization)
    if kind == DATETIME:
        moment = local(value, organization) if isinstance(value, dt.datetime) else value
        return f"{date_text(moment.date(), organization)} {moment:%H:%M}"
    return str(value)


def export_value(value: Any, kind: str, organization: Any) -> Any:
    """A cell for CSV and XLSX: typed (int, Decimal, date), datetimes in the organization's zone
    without their offset (spreadsheets have no time zones)."""
    if value is None:
        return None
    if kind == INT:
        return int(value)
    if kind == MONEY:  # in the display unit: toman for a toman shop
        return currency_of(organization).shown_amount(Decimal(str(value)) if isinstance(value, float)
                                                      else Decimal(value))
    if kind == DATETIME and isinstance(value, dt.datetime):
        return local(value, organization).replace(tzinfo=None)
    if kind in (DATE, MONTH) and isinstance(value, dt.datetime):
        return local(value, organization).date()
    if kind == TEXT:
        return str(value)
    return value


def money_places(organization: Any) -> int:
    """The decimals an amount is written with in files: the display unit's (2 THB, 0 IRR, 1 toman)."""
    return currency_of(organization).shown_places


def export_text(value: Any, kind: str, organization: Any) -> str:
    """A cell as a file writes it (CSV): money with the display unit's places, counts as
    integers, ISO dates (a Jalali month: its first day), datetimes in the organization's zone;
    text that a spreadsheet would take for a formula gets a leading quote."""
    typed = export_value(value, kind, organization)
    if typed is None:
        return ""
    if kind == MONEY:
        places = money_places(organization)
        return f"{money(typed, places):.{places}f}"
    if kind == INT:
        return str(typed)
    if isinstance(typed, dt.datetime):
        return typed.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(typed, dt.date):  # a Jalali month: its first day, ISO (files keep Gregorian dates)
        if kind == MONTH and not periods.is_calendar_month(typed, organization):
            return typed.strftime("%Y-%m")
        return typed.isoformat()
    text = str(typed)
    return "'" + text if text.startswith(FORMULA_START) else text


def money_format(organization: Any) -> str:
    """The XLSX number format of an amount: ``#,##0.00`` THB, ``#,##0`` IRR, ``#,##0.0`` toman."""
    places = money_places(organization)
    return "#,##0" + ("." + "0" * places if places else "")
