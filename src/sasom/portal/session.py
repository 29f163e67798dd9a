"""The member's portal session, apart from staff authentication.

A member is not a Django ``User``: their login lives in the session under the ``portal.*`` keys
(member id, organization id, last activity). A staff login never opens the portal and a member
login never opens the back office or the API: the back office reads ``request.user``, the API an
API key, the portal only these keys, and only for the organization in the URL.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from importlib import import_module
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse

from sasom.core.permissions import public_view
from sasom.core.zones import shop_activate
from sasom.members.models import Member
from sasom.organizations.models import Organization

from .services import member_may_log_in

MEMBER_KEY = "portal.member_id"
ORGANIZATION_KEY = "portal.organization_id"
SEEN_KEY = "portal.seen_at"
PENDING_KEY = "portal.pending_code"
EXPIRED_KEY = "portal.expired"
_KEYS = (MEMBER_KEY, ORGANIZATION_KEY, SEEN_KEY, PENDING_KEY)
# Writing the session on every page costs a query; the last activity is refreshed once a minute.
_SEEN_RESOLUTION = 60


def portal_login(request: HttpRequest, member: Member) -> None:
    """Start the member's session under a new session key (no fixation)."""
    for key in _KEYS:
        request.session.pop(key, None)
    request.session.cycle_key()
    request.session[MEMBER_KEY] = member.pk
    request.session[ORGANIZATION_KEY] = member.organization_id
    request.session[SEEN_KEY] = int(time.time())


def portal_logout(request: HttpRequest) -> None:
    """End the member's session; a staff login in the same browser, if any, is left alone."""
    for key in _KEYS:
        request.session.pop(key, None)
    request.session.cycle_key()


def session_member(request: HttpRequest, organization: Organization) -> Member | None:
    """The logged-in member of ``organization``, or None (no login, another organization's, idle
    longer than ``PORTAL_IDLE_SECONDS``, or a member who may no longer log in)."""
    session = request.session
    member_id = session.get(MEMBER_KEY)
    if member_id is None or session.get(ORGANIZATION_KEY) != organization.pk:
        return None
    now = int(time.time())
    seen = session.get(SEEN_KEY) or 0
    if now - seen > settings.PORTAL_IDLE_SECONDS:
        portal_logout(request)
        session[EXPIRED_KEY] = True
        return None
    member = Member.objects.select_related("member_type").filter(organization=organization, pk=member_id).first()
    if not member_may_log_in(member):
        portal_logout(request)
        return None
    member.organization = organization  # one object, no second query
    if now - seen >= _SEEN_RESOLUTION:
        session[SEEN_KEY] = now
    return member


def portal_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page of the portal open to anyone (login): ``view(request, organization, ...)``."""

    @wraps(view)
    def wrapped(request: HttpRequest, org_code: str, *args: Any, **kwargs: Any) -> HttpResponse:
        organization = get_object_or_404(Organization, code=org_code)
        shop_activate(organization)  # its zone and calendar until the request ends (core.zones)
        # The portal's own additions to HttpRequest, which does not declare them.
        request.portal_organization = organization  # type: ignore[attr-defined]
        response = view(request, organization, *args, **kwargs)
        response["Cache-Control"] = "no-store, private"
        return response

    return public_view(wrapped)


def member_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page of the logged-in member: ``view(request, organization, member, ...)``; without a
    member session valid for this organization, a redirect to its portal login."""

    @wraps(view)
    def wrapped(request: HttpRequest, org_code: str, *args: Any, **kwargs: Any) -> HttpResponse:
        organization = get_object_or_404(Organization, code=org_code)
        shop_activate(organization)  # its zone and calendar until the request ends (core.zones)
        member = session_member(request, organization)
        if member is None:
            return redirect(reverse("portal:login", args=[organization.code]))
        # The portal's own additions to HttpRequest, which does not declare them.
        request.portal_organization = organization  # type: ignore[attr-defined]
        request.portal_member = member  # type: ignore[attr-defined]
        response = view(request, organization, member, *args, **kwargs)
        response["Cache-Control"] = "no-store, private"
        return response

    wrapped.portal_member_required = True  # type: ignore[attr-defined]  # a mark on the view, read by tests
    return public_view(wrapped)


def portal_session_create(member: Member) -> str:
    """A session key logged in as ``member`` (for the reliability battery's attacker and tests)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[MEMBER_KEY] = member.pk
    store[ORGANIZATION_KEY] = member.organization_id
    store[SEEN_KEY] = int(time.time())
    store.create()
    return store.session_key
