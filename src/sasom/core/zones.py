"""Django's current time zone is the organization's, for a request and for the worker's jobs.

Screens, receipts, messages and exports show moments in the organization's zone: the ``shopdate``
and ``shoptime`` tags convert on their own, but Django's ``|date``/``|time`` filters, ``localtime()``
and ``localdate()`` read the *current* zone, which is the server's (``TIME_ZONE``, Asia/Bangkok)
unless someone activates another. So the organization's zone is activated once its organization is
known, and reset when the work ends:

* the back office: :class:`ShopZoneMiddleware` (after ``StaffContextMiddleware``, which resolves
  the staff member's organization);
* the portal and the API resolve their organization later, in the view (the organization in the
  URL; the API key): they call :func:`shop_activate` then, and the middleware resets at the end;
* the worker: :func:`shop_zone` around a job for one organization (``core.jobs.job_run``) and
  around a task that renders texts, PDFs or exports for one (messages, broadcasts, reports).

The date fields' calendar (``core.forms_dates``) is activated with the zone: a Jalali shop's
portal reads and shows Jalali days as its back office does.
"""

from __future__ import annotations

import contextlib
import zoneinfo
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from sasom.core import calendars
from sasom.core.forms_dates import (
    active_calendar,
    active_zone,
    calendar_activate,
    calendar_deactivate,
)


def zone_named(name: str | None) -> zoneinfo.ZoneInfo:
    """The zone called ``name``; the server's for none or an unknown name."""
    try:
        return zoneinfo.ZoneInfo(name or settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def shop_activate(organization: Any) -> None:
    """Make the ``organization``'s zone Django's current one (and its calendar the date fields'),
    until the request or the :func:`shop_zone` block around it ends. Nothing for None; a zone's
    name activates that zone only (an API key knows its organization's zone, not the row)."""
    if organization is None:
        return
    if isinstance(organization, str):
        timezone.activate(zone_named(organization))
        return
    name = getattr(organization, "time_zone", None)
    timezone.activate(zone_named(name))
    calendar_activate(calendars.calendar_of(organization), name)


@contextlib.contextmanager
def shop_reset() -> Iterator[None]:
    """Whatever is activated inside is undone at the end: the zone and the calendar as before
    (the block starts in the server's zone)."""
    token = calendar_activate(active_calendar(), str(active_zone()))
    try:
        with timezone.override(None):
            yield
    finally:
        calendar_deactivate(token)


@contextlib.contextmanager
def shop_zone(zone: Any) -> Iterator[None]:
    """Work for one organization in its zone: ``zone`` is the organization itself (its calendar is
    activated too) or a zone's name; the server's zone for None."""
    with shop_reset():
        shop_activate(zone_named(None).key if zone is None else zone)
        yield


class ShopZoneMiddleware:
    """The staff member's organization's zone for the whole request (the back office, and the API
    with a staff session); the portal and API keys activate theirs when the view finds it. Every
    request ends in the server's zone again."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with shop_reset():
            shop_activate(getattr(request, "organization", None))
            return self.get_response(request)
