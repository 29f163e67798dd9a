"""What the catalog's screens share: showing a service's refusal, reading the list's filters."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import QuerySet

from sasom.core.errors import DomainError
from sasom.organizations.http import StaffRequest

from ..models import Product
from ..selectors import products_search

PAGE_SIZE = 50
# a service's field -> the form field that shows it
FIELD_ALIASES = {"price_percent": "price_amount", "price_value": "price_amount", "parent": "parent"}


def form_error(request: StaffRequest, form: Any, error: DomainError) -> None:
    """Show a service's refusal on its field when the form has it, else on the form."""
    name = FIELD_ALIASES.get(error.field or "", error.field)
    if form is not None and name and name in form.fields:
        form.add_error(name, str(error.message))
    elif form is not None:
        form.add_error(None, str(error.message))
    else:
        messages.error(request, str(error.message))


LIST_KEYS = ("q", "category", "brand", "active", "page")


def list_filters(request: StaffRequest) -> dict[str, Any]:
    active = request.GET.get("active", "")
    return {
        "q": request.GET.get("q", "").strip()[:100],
        "category": request.GET.get("category", "").strip()[:40],
        "brand": request.GET.get("brand", "").strip()[:40],
        "active": active if active in ("1", "0") else "",
    }


def filtered_products(request: StaffRequest) -> tuple[QuerySet[Product], dict[str, Any]]:
    f = list_filters(request)
    active = None if not f["active"] else f["active"] == "1"
    qs = products_search(request.organization.pk, q=f["q"].replace("\x00", ""), category=f["category"],
                         brand=f["brand"], active=active)
    return qs, f
