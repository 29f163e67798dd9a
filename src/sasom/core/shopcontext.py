"""One shop context for a request or a job: the organization's zone, calendar, currency and week.

Screens, receipts, messages, exports and forms read the organization's context from what is
*active*: Django's current zone (``|date``, ``localtime()``, ``localdate()``), the date fields'
calendar (``core.forms_dates``) and the money fields' display unit (``core.forms_money``: toman for
a toman shop). They are activated together, in one place, by :func:`shop_activate`, and undone
together when the work ends (:func:`shop_reset`):

* the back office: :class:`ShopContextMiddleware` (after ``StaffContextMiddleware``, which resolves
  the staff member's organization) activates the staff member's organization for the request;
* the portal and the API resolve their organization later, in the view (the organization in the
  URL; the API key): they call :func:`shop_activate` then, and the middleware resets at the end;
* the worker: :func:`shop_zone` around a job for one organization (``core.jobs.job_run``, which
  finds the organization with :func:`shop_of`) and around a task that renders texts, PDFs or
  exports for one (messages, broadcasts, reports, member cards).

So a request and a job for the same organization see the same context, and nothing outlives its
request: a Thai request served after a Persian one on the same thread is Thai.

The shop's week (:func:`week_start`) is derived from the calendar its periods follow
(docs/decisions/0010-week-start.md): Saturday (شنبه) for Jalali, Sunday (อาทิตย์) for the Thai
Buddhist era, Monday (ISO 8601) for Gregorian.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import zoneinfo
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from sasom.core import calendars
from sasom.core.currency import Currency, currency_of
from sasom.core.forms_dates import active_calendar, calendar_activate, calendar_deactivate
from sasom.core.forms_money import active_currency, currency_activate, currency_deactivate

MONDAY, SATURDAY, SUNDAY = 0, 5, 6  # ``date.weekday()``
WEEK_STARTS = {calendars.GREGORIAN: MONDAY, calendars.BUDDHIST: SUNDAY, calendars.JALALI: SATURDAY}
_WEEK: contextvars.ContextVar[int] = contextvars.ContextVar("sasom_week_start", default=MONDAY)


def zone_named(name: str | None) -> zoneinfo.ZoneInfo:
    """The zone called ``name``; the server's for none or an unknown name."""
    try:
        return zoneinfo.ZoneInfo(name or settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def week_start(organization: Any) -> int:
    """The weekday (``date.weekday()``: Monday 0) the organization's weeks start on, from the
    calendar its periods follow (``calendars.period_calendar``): Saturday for a Jalali shop,
    Sunday for a Buddhist-era shop, Monday for a Gregorian one or a shop whose periods do not
    follow its calendar."""
    return WEEK_STARTS[calendars.period_calendar(organization)]


@dataclasses.dataclass(frozen=True)
class ShopContext:
    """What is active for one organization's work: its zone's name, its calendar (the date
    fields'), its currency (the money fields' display unit) and the weekday its weeks start on."""

    zone: str
    calendar: str = calendars.GREGORIAN
    currency: Currency = dataclasses.field(default_factory=Currency)
    week_start: int = MONDAY


def shop_context_of(organization: Any) -> ShopContext:
    """The context of ``organization`` (a row or anything with its attributes); a zone's name
    alone gives that zone and the defaults (an API key that knows only its organization's zone);
    None gives the server's."""
    if isinstance(organization, ShopContext):
        return organization
    if organization is None or isinstance(organization, str):
        return ShopContext(zone=zone_named(organization).key)
    return ShopContext(zone=zone_named(getattr(organization, "time_zone", None)).key,
                       calendar=calendars.calendar_of(organization), currency=currency_of(organization),
                       week_start=week_start(organization))


def active_shop() -> ShopContext:
    """The context active now (what a screen, a form or a job renders with)."""
    return ShopContext(zone=timezone.get_current_timezone_name(), calendar=active_calendar(),
                       currency=active_currency(), week_start=_WEEK.get())


def shop_activate(organization: Any) -> None:
    """Make ``organization``'s context the active one (its zone Django's current one, its calendar
    the date fields', its currency the money fields') until the request or the :func:`shop_zone`
    block around it ends. Nothing for None. The same function for a request and for a job."""
    if organization is None:
        return
    context = shop_context_of(organization)
    timezone.activate(zone_named(context.zone))
    calendar_activate(context.calendar, context.zone)
    currency_activate(context.currency)
    _WEEK.set(context.week_start)


@contextlib.contextmanager
def shop_reset() -> Iterator[None]:
    """The block starts with the server's context (its zone, Gregorian fields, THB) and whatever
    is activated inside is undone at the end: the zone, the calendar and the currency as before."""
    calendar_token = calendar_activate(calendars.GREGORIAN, None)
    currency_token = currency_activate(Currency())
    week_token = _WEEK.set(MONDAY)
    try:
        with timezone.override(None):
            yield
    finally:
        _WEEK.reset(week_token)
        currency_deactivate(currency_token)
        calendar_deactivate(calendar_token)


@contextlib.contextmanager
def shop_zone(organization: Any) -> Iterator[None]:
    """Work for one organization in its context: ``organization`` is the row (or its
    :class:`ShopContext`), or a zone's name (that zone only); the server's context for None."""
    with shop_reset():
        shop_activate(organization)
        yield


# --- the organization of an id, for the worker (core imports no app above it) ---

_providers: list[Callable[[int], Any]] = []


def shops_provide(fn: Callable[[int], Any]) -> None:
    """``organizations`` hands core how to load an organization by id (``AppConfig.ready``)."""
    _providers[:] = [fn]


def shop_of(organization_id: int | None) -> Any:
    """The organization ``organization_id`` (None when there is none or no provider)."""
    if organization_id is None or not _providers:
        return None
    return _providers[0](organization_id)


class ShopContextMiddleware:
    """The staff member's organization's context for the whole request (the back office, and the
    API with a staff session); the portal and API keys activate theirs when the view finds it.
    Every request ends in the server's context again."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with shop_reset():
            shop_activate(getattr(request, "organization", None))
            return self.get_response(request)
