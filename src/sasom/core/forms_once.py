"""Every back-office form that creates or spends runs once per display of the form.

A form carries ``{% form_token %}`` (``core/templatetags/sasom.py``): a fresh random token each
time it is shown. ``FormOnceMiddleware`` claims the token before the view runs, with a unique
insert committed at once: the first POST carrying it runs the view; any later one (a double click,
the browser's refresh or "resend", the back button and submit again) does not, and is redirected
where the first one went (its redirect, post/redirect/get) with a notice. Two clicks at the same
moment race on the unique key, and one of them loses. A view that fails with an exception gives
its token back, so the person can try again; one that re-shows the form with errors shows it with
a new token. Tokens are kept 2 days (the ``form_tokens_purge`` daily job).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext as _

from sasom.core.jobs import day_start
from sasom.core.models import FormSubmission

FIELD = "_form_token"
KEEP = dt.timedelta(days=2)


def form_token_new() -> str:
    return secrets.token_urlsafe(24)


def _claim(request: HttpRequest, token: str) -> FormSubmission | None:
    """The new claim, or None when the token was claimed before."""
    user_id = getattr(getattr(request, "user", None), "pk", None)
    try:
        with transaction.atomic():
            return FormSubmission.objects.create(token=token[:64], user_id=user_id, path=request.path[:300])
    except IntegrityError:
        return None


class FormOnceMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method != "POST" or request.path.startswith("/api/"):
            return self.get_response(request)
        user = getattr(request, "user", None)
        token = request.POST.get(FIELD, "") if user is not None and user.is_authenticated else ""
        if not token:
            return self.get_response(request)
        claim = _claim(request, token)
        if claim is None:
            return self._again(request, token)
        try:
            response = self.get_response(request)
        except BaseException:
            claim.delete()
            raise
        if response.status_code >= 500:
            claim.delete()
        else:
            target = response["Location"] if response.status_code in (301, 302, 303) else request.get_full_path()
            FormSubmission.objects.filter(pk=claim.pk).update(redirect_to=target[:1000])
        return response

    def _again(self, request: HttpRequest, token: str) -> HttpResponse:
        first = FormSubmission.objects.filter(token=token[:64]).first()
        messages.info(request, _("This form was already sent; it was not sent again."))
        target = (first.redirect_to if first is not None else "") or request.get_full_path()
        if getattr(request, "htmx", False):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return HttpResponseRedirect(target)


def form_tokens_purge_job(*, on_date: dt.date) -> dict[str, int]:
    """Delete used form tokens older than two days (core's daily job, whole database)."""
    removed, _kinds = FormSubmission.objects.filter(created_at__lt=day_start(on_date, None) - KEEP).delete()
    return {"deleted_tokens": removed}
