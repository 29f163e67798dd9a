"""Categories (a tree) and brands: lists, and their forms (the code is fixed once created)."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib import messages
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from sasom.core.audit import Actor
from sasom.core.errors import DomainError
from sasom.core.permissions import require_perm, staff_has
from sasom.organizations.http import StaffRequest

from .. import services
from ..forms import BrandForm, CategoryForm
from ..models import Brand, Category
from .common import form_error


def _tree(categories: Sequence[Category]) -> list[tuple[Category, int]]:
    """Categories depth first under their parents, each with its depth (no query: one list)."""
    children: dict[int | None, list[Category]] = {}
    for c in categories:
        children.setdefault(c.parent_id, []).append(c)
    out: list[tuple[Category, int]] = []
    todo = [(c, 0) for c in reversed(children.get(None, []))]
    seen: set[int] = set()
    while todo:
        node, depth = todo.pop()
        if node.pk in seen:
            continue
        seen.add(node.pk)
        out.append((node, depth))
        todo.extend((c, depth + 1) for c in reversed(children.get(node.pk, [])))
    return out


@require_perm("catalog.view")
def category_list(request: StaffRequest) -> HttpResponse:
    categories = list(Category.objects.filter(organization_id=request.organization.pk)
                      .annotate(product_count=Count("products")).order_by("code"))
    return render(request, "catalog/categories.html", {
        "rows": _tree(categories), "may_manage": staff_has(request.staff, "catalog.manage")})


@require_perm("catalog.manage")
def category_edit(request: StaffRequest, pk: int | None = None) -> HttpResponse:
    org = request.organization.pk
    category = get_object_or_404(Category.objects.select_related("parent"), organization_id=org, pk=pk) if pk else None
    initial = ({"code": category.code, "name_th": category.name_th, "name_en": category.name_en,
                "parent": category.parent.code if category.parent else ""} if category else {})
    form = CategoryForm(request.POST or None, organization_id=org, category=category, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        actor = Actor.from_request(request)
        try:
            if category is None:
                saved = services.category_create(organization_id=org, actor=actor, code=d["code"], name_th=d["name_th"],
                                                 name_en=d["name_en"], parent=d["parent"] or None)
            else:
                saved = services.category_update(category=category, actor=actor, data={
                    "name_th": d["name_th"], "name_en": d["name_en"], "parent": d["parent"] or None})
        except DomainError as e:
            form_error(request, form, e)
        else:
            messages.success(request, _("Category %(code)s saved.") % {"code": saved.code})
            return redirect("catalog:categories")
    return render(request, "catalog/setup_form.html", {
        "form": form, "title": category.code if category else _("New category"), "back": "catalog:categories",
    }, status=400 if form.errors else 200)


@require_perm("catalog.view")
def brand_list(request: StaffRequest) -> HttpResponse:
    brands = Brand.objects.filter(organization_id=request.organization.pk).annotate(
        product_count=Count("products")).order_by("code")
    return render(request, "catalog/brands.html", {"brands": brands, "may_manage": staff_has(request.staff, "catalog.manage")})


@require_perm("catalog.manage")
def brand_edit(request: StaffRequest, pk: int | None = None) -> HttpResponse:
    org = request.organization.pk
    brand = get_object_or_404(Brand, organization_id=org, pk=pk) if pk else None
    initial = {"code": brand.code, "name": brand.name} if brand else {}
    form = BrandForm(request.POST or None, brand=brand, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        actor = Actor.from_request(request)
        try:
            if brand is None:
                saved = services.brand_create(organization_id=org, actor=actor, code=d["code"], name=d["name"])
            else:
                saved = services.brand_update(brand=brand, actor=actor, name=d["name"])
        except DomainError as e:
            form_error(request, form, e)
        else:
            messages.success(request, _("Brand %(code)s saved.") % {"code": saved.code})
            return redirect("catalog:brands")
    return render(request, "catalog/setup_form.html", {
        "form": form, "title": brand.code if brand else _("New brand"), "back": "catalog:brands",
    }, status=400 if form.errors else 200)
