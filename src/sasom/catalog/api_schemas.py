"""Schemas of the catalog API (see :mod:`sasom.catalog.api`).

Money and pack sizes travel as decimal strings (never JSON numbers); the pattern admits a sign and
extra decimals so the services answer them with their own codes (``price_invalid``,
``pack_size_invalid``) naming the field. Booleans are JSON booleans, dates ISO 8601.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Field, Schema
from pydantic import AfterValidator, AwareDatetime, BeforeValidator, StrictBool

from sasom.core.inputs import api_local_time, iso_text_only
from sasom.core.money import money_text
from sasom.core.schemas import StrictIn

from .models import Brand, Category, Product

NO_NUL = r"^[^\x00]*$"
DECIMAL_TEXT = r"^-?\d{1,12}(\.\d{1,6})?$"

Code = Annotated[str, Field(min_length=1, max_length=40, pattern=NO_NUL)]
Sku = Annotated[str, Field(min_length=1, max_length=64, pattern=NO_NUL)]  # as long as a sale line's
Amount = Annotated[str, Field(pattern=DECIMAL_TEXT, description='decimal string, e.g. "12.00"', examples=["12.00"])]
Day = Annotated[dt.date, BeforeValidator(iso_text_only)]


def _sane_year(value: dt.datetime) -> dt.datetime:
    if not 1900 <= value.year <= 2999:
        raise ValueError("the year must be between 1900 and 2999")
    return value


Moment = Annotated[AwareDatetime, BeforeValidator(iso_text_only), AfterValidator(_sane_year),
                   Field(examples=["2026-11-28T08:00:00+07:00"])]
Barcodes = Annotated[list[Annotated[str, Field(min_length=1, max_length=64, pattern=NO_NUL)]], Field(max_length=50)]


class ProductOut(Schema):
    sku: str
    name_th: str
    name_en: str
    category: str | None = Field(..., description="category code")
    brand: str | None = Field(..., description="brand code")
    unit: str
    pack_size: str
    base_price: str
    vat_included: bool
    active_from: dt.date | None
    active_to: dt.date | None
    excluded_from_points: bool
    is_active: bool
    barcodes: list[str]
    image: str | None = Field(..., description="the picture's path on this server (served under /media/)")
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def of(p: Product) -> ProductOut:
        return ProductOut(
            sku=p.sku, name_th=p.name_th, name_en=p.name_en,
            category=p.category.code if p.category else None, brand=p.brand.code if p.brand else None,
            unit=p.unit, pack_size=format(p.pack_size.normalize(), "f"), base_price=money_text(p.base_price), vat_included=p.vat_included,
            active_from=p.active_from, active_to=p.active_to, excluded_from_points=p.excluded_from_points,
            is_active=p.is_active, barcodes=[b.code for b in p.barcodes.all()],
            image=p.image.url if p.image else None, created_at=api_local_time(p.created_at), updated_at=api_local_time(p.updated_at),
        )


class ProductIn(StrictIn):
    sku: Sku
    name_th: str = Field(..., min_length=1, max_length=200, pattern=NO_NUL)
    name_en: str = Field("", max_length=200, pattern=NO_NUL)
    category: Code | None = None
    brand: Code | None = None
    unit: str = Field("", max_length=20, pattern=NO_NUL)
    pack_size: Amount = "1"
    base_price: Amount
    vat_included: StrictBool = True
    active_from: Day | None = None
    active_to: Day | None = None
    excluded_from_points: StrictBool = False
    is_active: StrictBool = True
    barcodes: Barcodes = Field(default_factory=list)


class ProductPatch(StrictIn):
    name_th: str | None = Field(None, min_length=1, max_length=200, pattern=NO_NUL)
    name_en: str | None = Field(None, max_length=200, pattern=NO_NUL)
    category: Code | None = Field(None, description="a category code; null: none")
    brand: Code | None = Field(None, description="a brand code; null: none")
    unit: str | None = Field(None, max_length=20, pattern=NO_NUL)
    pack_size: Amount | None = None
    base_price: Amount | None = None
    vat_included: StrictBool | None = None
    active_from: Day | None = None
    active_to: Day | None = None
    excluded_from_points: StrictBool | None = None
    is_active: StrictBool | None = None
    barcodes: Barcodes | None = Field(None, description="replaces every barcode of the product")


class ProductQuery(Schema):
    q: str = Field("", max_length=100, pattern=NO_NUL, description="contained in the SKU or a name")
    category: str = Field("", max_length=40, pattern=NO_NUL, description="a category code (and those below it)")
    updated_since: Moment | None = Field(None, description="changed at or after this moment (POS sync)")
    active: bool | None = None
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=10_000_000)


class ProductList(Schema):
    count: int
    limit: int
    offset: int
    items: list[ProductOut]


class CategoryOut(Schema):
    code: str
    name_th: str
    name_en: str
    parent: str | None = Field(..., description="the parent category's code")

    @staticmethod
    def of(c: Category) -> CategoryOut:
        return CategoryOut(code=c.code, name_th=c.name_th, name_en=c.name_en, parent=c.parent.code if c.parent else None)


class CategoryIn(StrictIn):
    code: Code
    name_th: str = Field(..., min_length=1, max_length=120, pattern=NO_NUL)
    name_en: str = Field("", max_length=120, pattern=NO_NUL)
    parent: Code | None = None


class BrandOut(Schema):
    code: str
    name: str

    @staticmethod
    def of(b: Brand) -> BrandOut:
        return BrandOut(code=b.code, name=b.name)


class BrandIn(StrictIn):
    code: Code
    name: str = Field(..., min_length=1, max_length=120, pattern=NO_NUL)


class CatalogError(Schema):
    code: str
    message: str
    field: str | None = None
