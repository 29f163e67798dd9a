"""The product list (search, filters, selection for a bulk edit), a product's page and its form."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from sasom.core.audit import Actor
from sasom.core.errors import DomainError
from sasom.core.permissions import require_perm, staff_has
from sasom.organizations.http import StaffRequest

from .. import services
from ..forms import BulkForm, ProductForm
from ..models import Brand, Category, Product
from .common import PAGE_SIZE, filtered_products, form_error


@require_perm("catalog.view")
def product_list(request: StaffRequest) -> HttpResponse:
    products, f = filtered_products(request)
    page = Paginator(products.prefetch_related("barcodes"), PAGE_SIZE).get_page(request.GET.get("page"))
    may_manage = staff_has(request.staff, "catalog.manage")
    context: dict[str, Any] = {"page": page, "f": f, "may_manage": may_manage}
    if request.htmx:
        return render(request, "catalog/_product_rows.html", context)
    org = request.organization.pk
    categories = list(Category.objects.filter(organization_id=org).order_by("code"))
    brands = list(Brand.objects.filter(organization_id=org).order_by("code"))
    context.update(categories=categories, brands=brands, bulk_form=BulkForm(
        organization_id=org, categories=[(c.code, c.name_th) for c in categories],
        brands=[(b.code, b.name) for b in brands]) if may_manage else None)
    return render(request, "catalog/product_list.html", context)


def _initial(product: Product) -> dict[str, Any]:
    return {
        "sku": product.sku, "name_th": product.name_th, "name_en": product.name_en,
        "category": product.category.code if product.category else "", "brand": product.brand.code if product.brand else "",
        "unit": product.unit, "pack_size": product.pack_size.normalize(), "base_price": product.base_price,
        "vat_included": product.vat_included, "active_from": product.active_from, "active_to": product.active_to,
        "excluded_from_points": product.excluded_from_points, "is_active": product.is_active,
        "barcodes": [b.code for b in product.barcodes.all()],
    }


@require_perm("catalog.manage")
def product_create(request: StaffRequest) -> HttpResponse:
    org = request.organization.pk
    form = ProductForm(request.POST or None, request.FILES or None, organization_id=org)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                actor = Actor.from_request(request)
                product = services.product_create(organization_id=org, actor=actor, **form.service_data())
                if form.cleaned_data["image"]:
                    services.product_image_set(product=product, actor=actor, image=form.cleaned_data["image"])
        except DomainError as e:
            form_error(request, form, e)
        else:
            messages.success(request, _("Product %(sku)s added.") % {"sku": product.sku})
            return redirect("catalog:product", pk=product.pk)
    status = 400 if form.errors else 200
    return render(request, "catalog/product_form.html", {"form": form, "product": None, "may_manage": True}, status=status)


@require_perm("catalog.view")
def product_detail(request: StaffRequest, pk: int) -> HttpResponse:
    """The product's form: read-only for who may only see the catalog; a POST saves it."""
    org = request.organization.pk
    product = get_object_or_404(Product.objects.select_related("category", "brand").prefetch_related("barcodes"),
                                organization_id=org, pk=pk)
    may_manage = staff_has(request.staff, "catalog.manage")
    if request.method == "POST" and not may_manage:
        raise PermissionDenied
    form = ProductForm(request.POST or None, request.FILES or None, organization_id=org, editing=True,
                       initial=_initial(product))
    if not may_manage:
        for field in form.fields.values():
            field.disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        for key in ("sku", "barcodes"):
            data.pop(key)
        try:
            with transaction.atomic():
                locked = services.product_for_update(org, product.sku)
                actor = Actor.from_request(request)
                services.product_update(product=locked, actor=actor, data=data)
                services.product_barcodes_set(product=locked, actor=actor, barcodes=form.cleaned_data["barcodes"])
                if form.cleaned_data["image"] or form.cleaned_data["remove_image"]:
                    services.product_image_set(product=locked, actor=actor, image=form.cleaned_data["image"] or None)
        except DomainError as e:
            form_error(request, form, e)
        else:
            messages.success(request, _("Product %(sku)s saved.") % {"sku": product.sku})
            return redirect("catalog:product", pk=product.pk)
    status = 400 if form.errors else 200
    return render(request, "catalog/product_form.html", {"form": form, "product": product, "may_manage": may_manage},
                  status=status)
