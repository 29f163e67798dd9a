"""Reads: a product by what a till scans (SKU or barcode), lists for the API and POS sync."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When

from sasom.core.errors import NotFound

from .errors import CATEGORY_NOT_FOUND, PRODUCT_NOT_FOUND
from .models import Barcode, Brand, Category, Product


def product_not_found(code: str) -> NotFound:
    return NotFound(PRODUCT_NOT_FOUND, f"No product with the SKU or barcode {code[:64]!r}.", field="code")


def product_by_code(organization_id: int, code: str) -> Product:
    """The product whose SKU or any barcode is ``code``, in one query (category and brand joined).

    A SKU is never another product's barcode (the services refuse it), so at most one product
    matches; were one to match both ways, the SKU wins. ``NotFound`` ``unknown_product`` otherwise.
    """
    code = (code or "").strip()
    if not code or len(code) > 64 or "\x00" in code:
        raise product_not_found(code)
    found = (
        Product.objects.filter(organization_id=organization_id)
        .filter(Q(sku=code) | Q(barcodes__code=code, barcodes__organization_id=organization_id))
        .select_related("category", "brand")
        .order_by(Case(When(sku=code, then=Value(0)), default=Value(1), output_field=IntegerField()), "id")
        .first()
    )
    if found is None:
        raise product_not_found(code)
    return found


def category_subtree_ids(organization_id: int, code: str) -> list[int]:
    """The category with this code and every category below it (one query for the tree)."""
    rows = list(Category.objects.filter(organization_id=organization_id).values_list("id", "parent_id", "code"))
    root = next((pk for pk, _parent, c in rows if c == code), None)
    if root is None:
        raise NotFound(CATEGORY_NOT_FOUND, f"No category with the code {code[:40]!r}.", field="category")
    children: dict[int, list[int]] = {}
    for pk, parent, _code in rows:
        if parent is not None:
            children.setdefault(parent, []).append(pk)
    found, todo = [], [root]
    while todo:
        pk = todo.pop()
        if pk not in found:
            found.append(pk)
            todo.extend(children.get(pk, []))
    return found


def products_list(
    organization_id: int,
    *,
    q: str = "",
    category: str = "",
    updated_since: dt.datetime | None = None,
    active: bool | None = None,
) -> QuerySet[Product]:
    """Products of the organization, barcodes prefetched. ``q`` is contained in the SKU or a name;
    ``category`` includes its subcategories. Ordered by SKU, or, with ``updated_since``, as
    :func:`products_changed_since` orders them."""
    qs = products_changed_since(organization_id, updated_since) if updated_since is not None else (
        Product.objects.filter(organization_id=organization_id).order_by("sku", "id")
    )
    if q:
        qs = qs.filter(Q(sku__icontains=q) | Q(name_th__icontains=q) | Q(name_en__icontains=q))
    if category:
        qs = qs.filter(category_id__in=category_subtree_ids(organization_id, category))
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs.select_related("category", "brand").prefetch_related("barcodes")


def products_search(
    organization_id: int, *, q: str = "", category: str = "", brand: str = "", active: bool | None = None,
) -> QuerySet[Product]:
    """The back office's product list: ``q`` is contained in the SKU or a name, or is one of the
    barcodes exactly; ``category`` (a code) includes its subcategories, ``brand`` is a code. By SKU; category and brand joined
    (the barcodes are left to the caller, who prefetches them for one page)."""
    qs = Product.objects.filter(organization_id=organization_id)
    if q:
        barcode = Barcode.objects.filter(organization_id=organization_id, product_id=OuterRef("pk"), code=q)
        qs = qs.filter(Q(sku__icontains=q) | Q(name_th__icontains=q) | Q(name_en__icontains=q) | Exists(barcode))
    if category:
        try:
            qs = qs.filter(category_id__in=category_subtree_ids(organization_id, category))
        except NotFound:
            qs = qs.none()
    if brand:
        qs = qs.filter(brand__code=brand)
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs.select_related("category", "brand").order_by("sku", "id")


def products_changed_since(organization_id: int, since: dt.datetime | None) -> QuerySet[Product]:
    """Products changed at or after ``since`` (all of them for ``None``), oldest change first, for
    a POS that syncs: page through with ``[offset:offset + limit]`` and keep the last
    ``updated_at`` seen as the next ``since``. Inclusive, so a product changed in the same
    microsecond as the last one seen comes again rather than never (the POS overwrites it).
    Served by the ``(organization, updated_at, id)`` index."""
    qs = Product.objects.filter(organization_id=organization_id)
    if since is not None:
        qs = qs.filter(updated_at__gte=since)
    return qs.order_by("updated_at", "id")


def categories_list(organization_id: int) -> QuerySet[Category]:
    return Category.objects.filter(organization_id=organization_id).select_related("parent").order_by("code")


def brands_list(organization_id: int) -> QuerySet[Brand]:
    return Brand.objects.filter(organization_id=organization_id).order_by("code")
