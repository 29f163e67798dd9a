"""The product catalog over the JSON API: products (read by SKU or barcode, listed, synced by
``updated_since``), categories and brands.

POS keys read (``catalog.view``); management keys and the owner, admin and marketing roles
write (``catalog.manage``). Endpoints parse and call one service; the services' refusals come
back as ``{"code", "message", "field"}``. Another organization's product is simply not found.
"""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from ninja import Query, Router, Status

from sasom.core.audit import Actor
from sasom.core.inputs import query_known
from sasom.integrations.auth import api_auth, api_require

from . import selectors, services
from .api_schemas import (
    BrandIn,
    BrandOut,
    CatalogError,
    CategoryIn,
    CategoryOut,
    ProductIn,
    ProductList,
    ProductOut,
    ProductPatch,
    ProductQuery,
)
from .models import Product

router = Router(tags=["catalog"], auth=api_auth)

ERRORS: dict[int, type[CatalogError]] = {400: CatalogError, 404: CatalogError, 409: CatalogError}


def _with_barcodes(product: Product) -> Product:
    return Product.objects.select_related("category", "brand").prefetch_related("barcodes").get(pk=product.pk)


@router.get("/products", response=ProductList, summary="Products, filtered; updated_since for POS sync")
def product_list(request: HttpRequest, q: Query[ProductQuery]) -> ProductList:
    principal = api_require(request, "catalog.view")
    query_known(request, ProductQuery.model_fields)
    qs = selectors.products_list(
        principal.organization_id, q=q.q.strip(), category=q.category.strip(), updated_since=q.updated_since,
        active=q.active,
    )
    rows = list(qs[q.offset : q.offset + q.limit])
    count = len(rows) + q.offset if len(rows) < q.limit and (rows or q.offset == 0) else qs.count()
    return ProductList(count=count, limit=q.limit, offset=q.offset, items=[ProductOut.of(p) for p in rows])


@router.get("/products/{code}", response={200: ProductOut, 404: CatalogError}, summary="A product by SKU or barcode")
def product_read(request: HttpRequest, code: str) -> ProductOut:
    principal = api_require(request, "catalog.view")
    query_known(request, ())
    return ProductOut.of(_with_barcodes(selectors.product_by_code(principal.organization_id, code)))


@router.post("/products", response={201: ProductOut, **ERRORS}, summary="Add a product")
def product_create(request: HttpRequest, body: ProductIn) -> Status[ProductOut]:
    principal = api_require(request, "catalog.manage")
    product = services.product_create(organization_id=principal.organization_id, actor=Actor.from_request(request),
                                      **body.dict())
    return Status(201, ProductOut.of(_with_barcodes(product)))


# The path names ``{code}`` as the read does (ninja answers 405 when two operations spell one path
# differently); here it is the product's SKU.
@router.patch("/products/{code}", response={200: ProductOut, **ERRORS},
              summary="Change a product (by its SKU; the SKU itself does not change)")
def product_patch(request: HttpRequest, code: str, body: ProductPatch) -> ProductOut:
    principal = api_require(request, "catalog.manage")
    data = body.dict(exclude_unset=True)
    barcodes = data.pop("barcodes", None)
    for key in ("name_th", "pack_size", "base_price", "vat_included", "excluded_from_points", "is_active"):
        if key in data and data[key] is None:
            del data[key]  # null: no change (these always have a value)
    actor = Actor.from_request(request)
    with transaction.atomic():
        product = services.product_for_update(principal.organization_id, code)
        product = services.product_update(product=product, actor=actor, data=data)
        if barcodes is not None:
            product = services.product_barcodes_set(product=product, actor=actor, barcodes=barcodes)
    return ProductOut.of(_with_barcodes(product))


@router.get("/categories", response=list[CategoryOut], summary="Product categories (a tree by parent)")
def category_list(request: HttpRequest) -> list[CategoryOut]:
    principal = api_require(request, "catalog.view")
    query_known(request, ())
    return [CategoryOut.of(c) for c in selectors.categories_list(principal.organization_id)]


@router.post("/categories", response={201: CategoryOut, **ERRORS}, summary="Add a product category")
def category_create(request: HttpRequest, body: CategoryIn) -> Status[CategoryOut]:
    principal = api_require(request, "catalog.manage")
    category = services.category_create(organization_id=principal.organization_id, actor=Actor.from_request(request),
                                        **body.dict())
    return Status(201, CategoryOut.of(category))


@router.get("/brands", response=list[BrandOut], summary="Brands")
def brand_list(request: HttpRequest) -> list[BrandOut]:
    principal = api_require(request, "catalog.view")
    query_known(request, ())
    return [BrandOut.of(b) for b in selectors.brands_list(principal.organization_id)]


@router.post("/brands", response={201: BrandOut, **ERRORS}, summary="Add a brand")
def brand_create(request: HttpRequest, body: BrandIn) -> Status[BrandOut]:
    principal = api_require(request, "catalog.manage")
    brand = services.brand_create(organization_id=principal.organization_id, actor=Actor.from_request(request),
                                  **body.dict())
    return Status(201, BrandOut.of(brand))
