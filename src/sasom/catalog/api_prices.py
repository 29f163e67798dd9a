"""Price tables and the pricing settings over the JSON API.

POS keys read (``catalog.view``): the tables, their prices (``updated_since`` for a POS that keeps
its own copy) and the settings. Management keys and the owner, admin and marketing roles write
(``catalog.manage``). Refusals come back as ``{"code", "message", "field"}``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import StrictBool

from sasom.core.audit import Actor
from sasom.core.errors import NotFound
from sasom.core.inputs import query_known
from sasom.core.schemas import StrictIn
from sasom.integrations.auth import api_auth, api_require

from . import price_tables
from .api_schemas import Amount, CatalogError, Code, Day, Moment, Sku
from .errors import PRICE_TABLE_NOT_FOUND
from .models import Price, PriceTable, PricingSettings

router = Router(tags=["catalog"], auth=api_auth)

ERRORS: dict[int, type[CatalogError]] = {400: CatalogError, 404: CatalogError, 409: CatalogError}
TableCode = Annotated[str, Field(min_length=1, max_length=20, pattern=r"^[^\x00]*$")]


TypeCodes = Annotated[list[Annotated[str, Field(min_length=1, max_length=20)]], Field(max_length=50)]


class PriceTableOut(Schema):
    code: str
    name: str
    note: str
    is_active: bool
    member_types: list[str]

    @staticmethod
    def of(table: PriceTable) -> PriceTableOut:
        return PriceTableOut(code=table.code, name=table.name, note=table.note, is_active=table.is_active,
                             member_types=price_tables.member_type_codes(table))


class PriceTableIn(StrictIn):
    code: TableCode
    name: str = Field(..., min_length=1, max_length=100)
    note: str = Field("", max_length=200)
    is_active: StrictBool = True
    member_types: TypeCodes = Field(default_factory=list, description="member types that use this table")


class PriceTablePatch(StrictIn):
    name: str | None = Field(None, min_length=1, max_length=100)
    note: str | None = Field(None, max_length=200)
    is_active: StrictBool | None = None
    member_types: TypeCodes | None = None


class PriceOut(Schema):
    id: int
    sku: str
    branch: str | None
    price: str
    valid_from: dt.date | None
    valid_to: dt.date | None

    @staticmethod
    def of(row: Price) -> PriceOut:
        return PriceOut(id=row.pk, sku=row.product.sku, branch=row.branch.code if row.branch else None,
                        price=f"{row.price:.2f}", valid_from=row.valid_from, valid_to=row.valid_to)


class PriceIn(StrictIn):
    sku: Sku = Field(..., description="a SKU or a barcode")
    price: Amount
    branch: Code | None = Field(None, description="a branch code; empty: every branch")
    valid_from: Day | None = None
    valid_to: Day | None = Field(None, description="inclusive")
    replace: int | None = Field(None, ge=1, description="the id of this table's price to change")


class PriceList(Schema):
    count: int
    items: list[PriceOut]


class PriceQuery(Schema):
    sku: str = Field("", max_length=64)
    updated_since: Moment | None = None
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0, le=10_000_000)


class PricingSettingsOut(Schema):
    authority: str = Field(..., description="pos: the POS's prices win; sasom: Sasom's prices and benefits win")
    open_lines: bool = Field(..., description="a SKU not in the catalog is sold at the POS's price, flagged")
    general_table: str | None
    member_discount_min_bill: str
    member_discount_skips_discounted_lines: bool
    member_discount_excluded_categories: list[str]
    configured: bool = Field(..., description="false until saved once: baskets with prices are taken as sent")

    @staticmethod
    def of(row: PricingSettings) -> PricingSettingsOut:
        return PricingSettingsOut(
            authority=row.authority, open_lines=row.open_lines,
            general_table=row.general_table.code if row.general_table else None,
            member_discount_min_bill=f"{row.member_discount_min_bill:.2f}",
            member_discount_skips_discounted_lines=row.member_discount_skips_discounted_lines,
            member_discount_excluded_categories=list(row.member_discount_excluded_categories or []),
            configured=row.pk is not None,
        )


class PricingSettingsPatch(StrictIn):
    authority: PricingSettings.Authority | None = None
    open_lines: StrictBool | None = None
    general_table: Annotated[str, Field(max_length=20)] | None = Field(None, description='a table code; "" for none')
    member_discount_min_bill: Amount | None = None
    member_discount_skips_discounted_lines: StrictBool | None = None
    member_discount_excluded_categories: Annotated[list[Code], Field(max_length=200)] | None = None


def _table(principal_org: int, code: str) -> PriceTable:
    return price_tables.price_table_get(principal_org, code)


@router.get("/price-tables", response=list[PriceTableOut], summary="Price tables and the member types using them")
def table_list(request: HttpRequest) -> list[PriceTableOut]:
    principal = api_require(request, "catalog.view")
    query_known(request, ())
    return [PriceTableOut.of(t) for t in PriceTable.objects.filter(organization_id=principal.organization_id)]


@router.post("/price-tables", response={201: PriceTableOut, **ERRORS}, summary="Create a price table")
def table_create(request: HttpRequest, body: PriceTableIn) -> Status[PriceTableOut]:
    principal = api_require(request, "catalog.manage")
    table = price_tables.price_table_create(organization_id=principal.organization_id,
                                            actor=Actor.from_request(request), **body.model_dump())
    return Status(201, PriceTableOut.of(table))


@router.get("/price-tables/{code}", response={200: PriceTableOut, 404: CatalogError}, summary="A price table")
def table_read(request: HttpRequest, code: str) -> PriceTableOut:
    principal = api_require(request, "catalog.view")
    return PriceTableOut.of(_table(principal.organization_id, code))


@router.patch("/price-tables/{code}", response={200: PriceTableOut, **ERRORS}, summary="Change a price table")
def table_patch(request: HttpRequest, code: str, body: PriceTablePatch) -> PriceTableOut:
    principal = api_require(request, "catalog.manage")
    table = price_tables.price_table_update(table=_table(principal.organization_id, code),
                                            actor=Actor.from_request(request), data=body.model_dump(exclude_unset=True))
    return PriceTableOut.of(table)


@router.get("/price-tables/{code}/prices", response={200: PriceList, 404: CatalogError},
            summary="A table's prices; updated_since for POS sync")
def price_list(request: HttpRequest, code: str, q: Query[PriceQuery]) -> PriceList:
    principal = api_require(request, "catalog.view")
    query_known(request, PriceQuery.model_fields)
    table = _table(principal.organization_id, code)
    qs = Price.objects.filter(organization_id=principal.organization_id, table=table).select_related(
        "product", "branch")
    if q.sku:
        qs = qs.filter(product__sku=q.sku)
    if q.updated_since is not None:
        qs = qs.filter(updated_at__gte=q.updated_since).order_by("updated_at", "id")
    else:
        qs = qs.order_by("product__sku", "branch_id", "valid_from", "id")
    return PriceList(count=qs.count(), items=[PriceOut.of(p) for p in qs[q.offset:q.offset + q.limit]])


@router.post("/price-tables/{code}/prices", response={201: PriceOut, **ERRORS},
             summary="Set a product's price in the table (overlapping periods refused)")
def price_set(request: HttpRequest, code: str, body: PriceIn) -> Status[PriceOut]:
    principal = api_require(request, "catalog.manage")
    row = price_tables.price_set(
        table=_table(principal.organization_id, code), actor=Actor.from_request(request), product_code=body.sku,
        price=body.price, branch=body.branch, valid_from=body.valid_from, valid_to=body.valid_to,
        replace=body.replace,
    )
    return Status(201, PriceOut.of(row))


@router.delete("/price-tables/{code}/prices/{price_id}", response={204: None, 404: CatalogError},
               summary="Remove a price from the table")
def price_delete(request: HttpRequest, code: str, price_id: int) -> Status[None]:
    principal = api_require(request, "catalog.manage")
    table = _table(principal.organization_id, code)
    row = Price.objects.filter(organization_id=principal.organization_id, table=table, pk=price_id).select_related(
        "table", "product").first()
    if row is None:
        raise NotFound(PRICE_TABLE_NOT_FOUND, "This table has no such price.", field="price_id")
    price_tables.price_delete(price=row, actor=Actor.from_request(request))
    return Status(204, None)


@router.get("/pricing-settings", response=PricingSettingsOut, summary="How the till prices a basket")
def settings_read(request: HttpRequest) -> PricingSettingsOut:
    principal = api_require(request, "catalog.view")
    return PricingSettingsOut.of(price_tables.pricing_settings_of(principal.organization_id))


@router.patch("/pricing-settings", response={200: PricingSettingsOut, **ERRORS},
              summary="Change how the till prices a basket (saving switches pricing on)")
def settings_patch(request: HttpRequest, body: PricingSettingsPatch) -> PricingSettingsOut:
    principal = api_require(request, "catalog.manage")
    row = price_tables.pricing_settings_save(organization_id=principal.organization_id,
                                             actor=Actor.from_request(request),
                                             data=body.model_dump(exclude_unset=True))
    return PricingSettingsOut.of(row)
