from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import defaults
from django.views.i18n import set_language as django_set_language
from django_otp import login as otp_login
from django_otp.forms import OTPTokenForm

from sasom.core.middleware import error_reference
from sasom.core.models import AuditEvent
from sasom.core.permissions import public_view, require_perm

if TYPE_CHECKING:  # annotations only: core sits below organizations
    from sasom.organizations.http import StaffRequest


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    form_class = AuthenticationForm
    redirect_authenticated_user = True


login_view = public_view(LoginView.as_view())
logout_view = public_view(auth_views.LogoutView.as_view())
set_language = public_view(django_set_language)


@public_view
def health(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def _safe_next(request: HttpRequest, fallback: str = "/") -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or fallback
    if url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return nxt
    return fallback


@public_view
def otp_verify(request: HttpRequest) -> HttpResponse:
    """Second step of login for owners and admins who enrolled an authenticator app."""
    if not request.user.is_authenticated:
        return redirect("core:login")
    form = OTPTokenForm(request.user, request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        otp_login(request, form.get_user().otp_device)
        return redirect(_safe_next(request))
    return render(request, "core/otp_verify.html", {"form": form, "next": _safe_next(request)})


@require_perm("audit.view")
def audit_list(request: StaffRequest) -> HttpResponse:
    events = AuditEvent.objects.filter(organization=request.organization).select_related("actor_user")
    object_type = request.GET.get("type", "").strip()
    if object_type:
        events = events.filter(object_type=object_type)
    object_id = request.GET.get("object", "").strip()
    if object_id:
        events = events.filter(object_id=object_id)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    template = "core/_audit_rows.html" if request.htmx else "core/audit_list.html"
    return render(request, template, {"page": page, "type": object_type, "object": object_id})




def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """``handler404``: a path under ``/api/`` that no operation matches (an id with a slash or a
    line break in it, a typo) answers the API's JSON error, not the back office's HTML page."""
    if _is_api(request):
        return JsonResponse({"code": "not_found", "message": "No API operation at this path.", "field": None},
                            status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: the API's JSON error under ``/api/``, a friendly page elsewhere; both give
    the reference id the log holds with the traceback (``core.middleware.ErrorReferenceMiddleware``)."""
    reference = error_reference(request)
    if _is_api(request):
        return JsonResponse({"code": "server_error", "message": f"Something went wrong on our side (reference {reference}).",
                             "field": None, "reference": reference}, status=500)
    try:
        html = loader.get_template("500.html").render({"reference": reference})
    except Exception:  # the page must come out even if templates cannot
        html = f"<h1>Server error</h1><p>Reference {reference}</p>"
    return HttpResponseServerError(html)
