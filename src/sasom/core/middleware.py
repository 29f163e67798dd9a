"""Request context for the back office: the staff member, their organization, deny by default."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

_log = logging.getLogger("sasom.errors")

# Paths that carry their own authentication (the API checks keys; Django admin checks superusers).
_SELF_GUARDED_PREFIXES = ("/api/", "/admin/", "/" + settings.STATIC_URL.lstrip("/"), "/media/")


class StaffContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # staff and organization are this middleware's own additions to HttpRequest.
        request.staff = None  # type: ignore[attr-defined]
        request.organization = None  # type: ignore[attr-defined]
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            staff = getattr(user, "staff", None)
            if staff is not None and staff.is_active:
                request.staff = staff  # type: ignore[attr-defined]
                request.organization = staff.organization  # type: ignore[attr-defined]
        # its zone, calendar and currency are activated next, in one place (core.shopcontext)
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        if request.path.startswith(_SELF_GUARDED_PREFIXES):
            return None
        if getattr(view_func, "sasom_public", False):
            return None
        if not request.user.is_authenticated:
            return redirect(f"{reverse(settings.LOGIN_URL)}?next={request.get_full_path()}")
        # request.staff was set by __call__ above; HttpRequest does not declare it.
        if request.staff is None or not getattr(view_func, "sasom_permissions", None):  # type: ignore[attr-defined]
            raise PermissionDenied
        staff = request.staff  # type: ignore[attr-defined]
        if staff.role in ("owner", "admin") and _needs_otp(request):
            return redirect(f"{reverse('core:otp_verify')}?next={request.get_full_path()}")
        return None


def _needs_otp(request: HttpRequest) -> bool:
    """Owners and admins who enrolled a TOTP device must confirm it once per session."""
    from django_otp import user_has_device

    user = request.user
    # django_otp's OTPMiddleware gives request.user is_verified(); the stubs' User has no such method.
    return user_has_device(user, confirmed=True) and not user.is_verified()  # type: ignore[union-attr]


# The exceptions Django turns into a 4xx answer (django.core.handlers.exception).
CLIENT_ERRORS = (PermissionDenied, Http404, BadRequest, SuspiciousOperation)


class ErrorReferenceMiddleware:
    """A request that fails gets a reference id, written in the log with the exception and shown
    on the friendly 500 page (``core.views.server_error``), so a person can quote it and the
    operator find the traceback; the traceback itself is never shown (``DEBUG`` is off)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, CLIENT_ERRORS):
            return  # Django answers these 403/404/400: not a server error, nothing to alert on
        error_reference(request, exception)


def error_reference(request: HttpRequest, exception: BaseException | None = None) -> str:
    """The request's error reference, made (and logged, with the exception) on first use."""
    reference = getattr(request, "error_reference", None)
    if reference is None:
        reference = "E-" + secrets.token_hex(4).upper()
        request.error_reference = reference  # type: ignore[attr-defined]  # set here, read by the 500 page
        _log.error("server error %s on %s %s", reference, request.method, request.path,
                   exc_info=(type(exception), exception, exception.__traceback__) if exception else None)
    return reference
