"""Points policy of an organization: expiry dates, pending windows, time zone arithmetic.

Expiry semantics (all dates in the organization's time zone):

* a lot with ``expires_on = D`` is spendable through the whole local day D (23:59:59 included)
  and expired from local 00:00:00 of D + 1 — so the daily job on local day T expires every lot
  with ``expires_on < T``;
* ``days``: D = local earning date + N days;
* ``end_of_month`` / ``end_of_quarter`` / ``end_of_year``: move the local earning month N months
  forward, then D = the last day of that month / its quarter / its year (N = 0: the period of the
  earning itself). Month arithmetic never lands on a missing day (29 February + 12 months is still
  "February", whose last day is the 28th). The months are the organization's period calendar's
  (``core.calendars.period_calendar``): a Jalali shop's points earned on 15 Bahman 1405 under
  "end of month + 0" expire on 30 Bahman; its quarters end with Khordad, Shahrivar, Azar, Esfand;
* ``never``: no date; such lots are spent last.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from functools import lru_cache

from sasom.core import calendars
from sasom.ledger.models import ExpiryPolicy, LedgerSettings
from sasom.organizations.models import Organization


@lru_cache(maxsize=64)
def zone(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name or "Asia/Bangkok")


def local_date(at: dt.datetime, tz_name: str) -> dt.date:
    return at.astimezone(zone(tz_name)).date()


def settings_of(organization: Organization) -> LedgerSettings:
    """The organization's settings if loaded/stored, else unsaved defaults (no query when the
    organization came with ``select_related('ledger_settings')``)."""
    try:
        return organization.ledger_settings
    except LedgerSettings.DoesNotExist:
        return LedgerSettings(organization=organization)


def ledger_settings_for(organization: Organization) -> LedgerSettings:
    """Get or create the stored settings row (for the settings screen and tests)."""
    obj, _ = LedgerSettings.objects.get_or_create(organization=organization)
    return obj


_PERIOD_MONTHS = {ExpiryPolicy.END_OF_MONTH: 1, ExpiryPolicy.END_OF_QUARTER: 3, ExpiryPolicy.END_OF_YEAR: 12}


def expiry_on(policy: str, n: int, earned_on: dt.date, calendar: str = calendars.GREGORIAN) -> dt.date | None:
    if policy == ExpiryPolicy.NEVER:
        return None
    if policy == ExpiryPolicy.DAYS:
        return earned_on + dt.timedelta(days=n)
    return calendars.expiry_end(earned_on, n, _PERIOD_MONTHS[ExpiryPolicy(policy)], calendar)


def lot_dates(settings: LedgerSettings, earned_at: dt.datetime, organization: Organization, *,
              pending: bool) -> tuple[dt.date | None, dt.datetime | None]:
    """(expires_on, pending_until) for points earned at ``earned_at``: the day in the
    organization's zone; "end of period" policies count the months of its period calendar
    (``core.calendars.period_calendar``)."""
    calendar = calendars.period_calendar(organization)
    expires = expiry_on(settings.expiry_policy, settings.expiry_n, local_date(earned_at, organization.time_zone),
                        calendar)
    pending_until = None
    if pending and settings.pending_days:
        pending_until = earned_at + dt.timedelta(days=settings.pending_days)
    return expires, pending_until
