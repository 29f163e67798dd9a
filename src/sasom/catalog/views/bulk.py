"""Bulk edit: the list posts the selected products and the change here; this page shows what
would change (the confirmation) and applies it once, then goes back to the list (post, redirect,
get: a refresh of the list posts nothing). A second post of the same confirmation finds the
products changed since its preview and is refused (``catalog.bulk``)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sasom.core.audit import Actor
from sasom.core.errors import Conflict, DomainError
from sasom.core.permissions import require_perm
from sasom.organizations.http import StaffRequest

from ..bulk import MAX_PRODUCTS, products_bulk_apply, products_bulk_preview
from ..forms import BulkForm
from .common import LIST_KEYS, form_error


def _ids(request: StaffRequest) -> list[int]:
    found: list[int] = []
    for value in request.POST.getlist("ids")[: MAX_PRODUCTS + 1]:
        if value.isdigit() and len(value) < 19 and int(value) not in found:
            found.append(int(value))
    return found


def _back(request: StaffRequest) -> str:
    """The list as it was (its filters and page), from the form's ``back``: only known keys."""
    query = [(k, v) for k, v in parse_qsl(request.POST.get("back", "")[:500]) if k in LIST_KEYS]
    return reverse("catalog:products") + (f"?{urlencode(query)}" if query else "")


def _summary(form: BulkForm) -> list[tuple[str, str]]:
    """The change in words: each field given, with the label of the choice made."""
    out = []
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        if value in (None, "") or name == "price_amount":
            continue
        shown = dict(getattr(field, "choices", [])).get(value, value)
        if name == "price_mode":
            shown = f"{shown}: {form.cleaned_data['price_amount']}"
        out.append((str(field.label), str(shown)))
    return out


@require_POST
@require_perm("catalog.manage")
def product_bulk(request: StaffRequest) -> HttpResponse:
    org = request.organization.pk
    ids = _ids(request)
    form = BulkForm(request.POST, organization_id=org)
    context = {"form": form, "ids": ids, "back": request.POST.get("back", "")[:500], "back_url": _back(request),
               "plan": None}
    if not form.is_valid():
        return render(request, "catalog/bulk.html", context, status=400)
    change = form.change()
    if request.POST.get("step") == "apply":
        try:
            done = products_bulk_apply(organization_id=org, actor=Actor.from_request(request), ids=ids, change=change,
                                       fingerprint=request.POST.get("fingerprint", "")[:64])
        except Conflict as e:
            messages.error(request, str(e.message))
            return redirect(_back(request))
        except DomainError as e:
            form_error(request, form, e)
            return render(request, "catalog/bulk.html", context, status=400)
        messages.success(request, _("%(n)s products changed.") % {"n": done})
        return redirect(_back(request))
    try:
        context["plan"] = products_bulk_preview(organization_id=org, ids=ids, change=change)
        context["summary"] = _summary(form)
    except DomainError as e:
        form_error(request, form, e)
        return render(request, "catalog/bulk.html", context, status=400)
    return render(request, "catalog/bulk.html", context)
