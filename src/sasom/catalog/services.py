"""Writes to the catalog: categories, brands, products and their barcodes. Audited.

Each service checks everything before it stores anything, so a refusal (``DomainError`` with its
code and field) leaves the catalog as it was. A unique clash that slips past the checks (two
writers at once) is answered with the same code as the check.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from sasom.core.audit import Actor, audit_record, diff, snapshot
from sasom.core.currency import amounts_in
from sasom.core.errors import Conflict, DomainError
from sasom.core.uploads import PictureRefused, image_validator, picture_prepared
from sasom.organizations.selectors import organization_places

from .errors import (
    BARCODE_TAKEN,
    BRAND_CODE_TAKEN,
    BRAND_NOT_FOUND,
    CATEGORY_CODE_TAKEN,
    CATEGORY_CYCLE,
    CATEGORY_NOT_FOUND,
    FIELD_UNKNOWN,
    IMAGE_INVALID,
    SKU_INVALID,
    SKU_TAKEN,
)
from .models import Barcode, Brand, Category, Product
from .prices import pricing_forget
from .selectors import product_not_found
from .validation import (
    clean_active_dates,
    clean_barcode,
    clean_code,
    clean_name,
    clean_pack_size,
    clean_price,
)

CATEGORY_FIELDS = ["code", "name_th", "name_en", "parent_id"]
BRAND_FIELDS = ["code", "name"]
PRODUCT_FIELDS = [
    "sku", "name_th", "name_en", "category_id", "brand_id", "unit", "pack_size", "base_price", "vat_included",
    "active_from", "active_to", "excluded_from_points", "is_active",
]
# What product_update takes: the model's fields, with category and brand given by their codes.
PRODUCT_UPDATABLE = frozenset({
    "name_th", "name_en", "category", "brand", "unit", "pack_size", "base_price", "vat_included",
    "active_from", "active_to", "excluded_from_points", "is_active",
})
CATEGORY_UPDATABLE = frozenset({"name_th", "name_en", "parent"})


def _save_unique(obj: Any, *, code: str, message: str, field: str) -> None:
    """Save; a unique clash that slipped past the checks becomes ``Conflict(code)`` on ``field``."""
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        text = str(exc).lower()
        if "unique" not in text and "duplicate" not in text:
            raise
        raise Conflict(code, message, field=field) from None


# --- categories -------------------------------------------------------------------------------


def _category(organization_id: int, code: str | None, *, field: str) -> Category | None:
    if code is None or code == "":
        return None
    found = Category.objects.filter(organization_id=organization_id, code=code.strip()).first()
    if found is None:
        raise DomainError(CATEGORY_NOT_FOUND, _("No category with the code %(code)s.") % {"code": code}, field=field)
    return found


def _refuse_cycle(category: Category, parent: Category | None) -> None:
    """A category cannot sit below itself: walk up from the new parent (one query for the tree)."""
    if parent is None:
        return
    parents = dict(Category.objects.filter(organization_id=category.organization_id).values_list("id", "parent_id"))
    node: int | None = parent.pk
    seen: set[int] = set()
    while node is not None and node not in seen:
        if node == category.pk:
            raise DomainError(CATEGORY_CYCLE, _("A category cannot be placed below itself."), field="parent")
        seen.add(node)
        node = parents.get(node)


@transaction.atomic
def category_create(
    *, organization_id: int, actor: Actor, code: str, name_th: str, name_en: str = "", parent: str | None = None
) -> Category:
    category = Category(
        organization_id=organization_id,
        code=clean_code(code),
        name_th=clean_name(name_th, field="name_th", max_length=120),
        name_en=clean_name(name_en, field="name_en", max_length=120, required=False),
        parent=_category(organization_id, parent, field="parent"),
    )
    if Category.objects.filter(organization_id=organization_id, code=category.code).exists():
        raise Conflict(CATEGORY_CODE_TAKEN, _("Another category has this code."), field="code")
    _save_unique(category, code=CATEGORY_CODE_TAKEN, message=_("Another category has this code."), field="code")
    pricing_forget(organization_id)  # the till's cached category tree
    audit_record(organization_id=organization_id, actor=actor, action="category.create", obj=category,
                 changes=diff({}, snapshot(category, CATEGORY_FIELDS)))
    return category


@transaction.atomic
def category_update(*, category: Category, actor: Actor, data: Mapping[str, Any]) -> Category:
    """Change names or move the category (``parent``: a code, or ``None`` for the top)."""
    unknown = sorted(set(data) - CATEGORY_UPDATABLE)
    if unknown:
        raise DomainError(FIELD_UNKNOWN, _("These fields cannot be changed here."), field=unknown[0])
    before = snapshot(category, CATEGORY_FIELDS)
    if "name_th" in data:
        category.name_th = clean_name(data["name_th"], field="name_th", max_length=120)
    if "name_en" in data:
        category.name_en = clean_name(data["name_en"] or "", field="name_en", max_length=120, required=False)
    if "parent" in data:
        parent = _category(category.organization_id, data["parent"], field="parent")
        _refuse_cycle(category, parent)
        category.parent = parent
    category.save()
    pricing_forget(category.organization_id)  # the till's cached category tree
    changes = diff(before, snapshot(category, CATEGORY_FIELDS))
    if changes:
        audit_record(organization_id=category.organization_id, actor=actor, action="category.update", obj=category,
                     changes=changes)
    return category


# --- brands -----------------------------------------------------------------------------------


def _brand(organization_id: int, code: str | None) -> Brand | None:
    if code is None or code == "":
        return None
    found = Brand.objects.filter(organization_id=organization_id, code=code.strip()).first()
    if found is None:
        raise DomainError(BRAND_NOT_FOUND, _("No brand with the code %(code)s.") % {"code": code}, field="brand")
    return found


@transaction.atomic
def brand_create(*, organization_id: int, actor: Actor, code: str, name: str) -> Brand:
    brand = Brand(organization_id=organization_id, code=clean_code(code),
                  name=clean_name(name, field="name", max_length=120))
    if Brand.objects.filter(organization_id=organization_id, code=brand.code).exists():
        raise Conflict(BRAND_CODE_TAKEN, _("Another brand has this code."), field="code")
    _save_unique(brand, code=BRAND_CODE_TAKEN, message=_("Another brand has this code."), field="code")
    audit_record(organization_id=organization_id, actor=actor, action="brand.create", obj=brand,
                 changes=diff({}, snapshot(brand, BRAND_FIELDS)))
    return brand


@transaction.atomic
def brand_update(*, brand: Brand, actor: Actor, name: str) -> Brand:
    """Rename a brand (its code stays: files and other systems know the brand by it)."""
    before = snapshot(brand, BRAND_FIELDS)
    brand.name = clean_name(name, field="name", max_length=120)
    brand.save()
    changes = diff(before, snapshot(brand, BRAND_FIELDS))
    if changes:
        audit_record(organization_id=brand.organization_id, actor=actor, action="brand.update", obj=brand,
                     changes=changes)
    return brand


# --- products ---------------------------------------------------------------------------------


def _sku_free(organization_id: int, sku: str) -> None:
    """A SKU is no other product's SKU, nor any product's barcode (a scan must find one product)."""
    if Product.objects.filter(organization_id=organization_id, sku=sku).exists() or Barcode.objects.filter(
        organization_id=organization_id, code=sku
    ).exists():
        raise Conflict(SKU_TAKEN, _("Another product has the SKU or barcode %(sku)s.") % {"sku": sku}, field="sku")


def _barcodes_free(product: Product, codes: Sequence[str]) -> None:
    """No barcode belongs to another product, as a barcode or as its SKU; the message names it."""
    taken = (
        Barcode.objects.filter(organization_id=product.organization_id, code__in=codes)
        .exclude(product_id=product.pk).values_list("code", flat=True).first()
    ) or (
        Product.objects.filter(organization_id=product.organization_id, sku__in=codes)
        .exclude(pk=product.pk).values_list("sku", flat=True).first()
    )
    if taken:
        raise Conflict(BARCODE_TAKEN, _("The barcode %(code)s belongs to another product.") % {"code": taken},
                       field="barcodes")


def _clean_barcodes(codes: Sequence[str]) -> list[str]:
    cleaned: list[str] = []
    for raw in codes:
        code = clean_barcode(raw)
        if code not in cleaned:
            cleaned.append(code)
    return cleaned


def _write_barcodes(product: Product, codes: list[str]) -> None:
    product.barcodes.exclude(code__in=codes).delete()
    kept = set(product.barcodes.values_list("code", flat=True))
    new = [Barcode(organization_id=product.organization_id, product=product, code=c) for c in codes if c not in kept]
    try:
        with transaction.atomic():
            Barcode.objects.bulk_create(new)
    except IntegrityError:
        raise Conflict(BARCODE_TAKEN, _("A barcode was just given to another product."), field="barcodes") from None


@transaction.atomic
def product_create(
    *,
    organization_id: int,
    actor: Actor,
    sku: str,
    name_th: str,
    base_price: Decimal | int | str,
    name_en: str = "",
    category: str | None = None,
    brand: str | None = None,
    unit: str = "",
    pack_size: Decimal | int | str = 1,
    vat_included: bool = True,
    active_from: dt.date | None = None,
    active_to: dt.date | None = None,
    excluded_from_points: bool = False,
    is_active: bool = True,
    barcodes: Sequence[str] = (),
) -> Product:
    """Add a product; ``category`` and ``brand`` are codes. Every value is checked first."""
    product = Product(
        organization_id=organization_id,
        sku=clean_code(sku, field="sku", code=SKU_INVALID, max_length=64),
        name_th=clean_name(name_th, field="name_th", max_length=200),
        name_en=clean_name(name_en, field="name_en", max_length=200, required=False),
        base_price=_price_in(organization_id, base_price),
        pack_size=clean_pack_size(pack_size),
        unit=clean_name(unit, field="unit", max_length=20, required=False),
        vat_included=vat_included,
        active_from=active_from,
        active_to=active_to,
        excluded_from_points=excluded_from_points,
        is_active=is_active,
    )
    clean_active_dates(active_from, active_to)
    product.category = _category(organization_id, category, field="category")
    product.brand = _brand(organization_id, brand)
    codes = _clean_barcodes(barcodes)
    _sku_free(organization_id, product.sku)
    _barcodes_free(product, codes)
    _save_unique(product, code=SKU_TAKEN, message=_("Another product has this SKU."), field="sku")
    _write_barcodes(product, codes)
    audit_record(organization_id=organization_id, actor=actor, action="product.create", obj=product,
                 changes={**diff({}, snapshot(product, PRODUCT_FIELDS)), "barcodes": [[], codes]})
    return product


@transaction.atomic
def product_update(*, product: Product, actor: Actor, data: Mapping[str, Any]) -> Product:
    """Change some of a product's fields (``PRODUCT_UPDATABLE``; category and brand by code,
    ``None`` to clear them). The SKU does not change: it is how other systems know the product."""
    unknown = sorted(set(data) - PRODUCT_UPDATABLE)
    if unknown:
        raise DomainError(FIELD_UNKNOWN, _("These fields cannot be changed here."), field=unknown[0])
    before = snapshot(product, PRODUCT_FIELDS)
    org = product.organization_id
    cleaners: dict[str, Any] = {
        "name_th": lambda v: clean_name(v, field="name_th", max_length=200),
        "name_en": lambda v: clean_name(v or "", field="name_en", max_length=200, required=False),
        "unit": lambda v: clean_name(v or "", field="unit", max_length=20, required=False),
        "base_price": lambda v: _price_in(org, v),
        "pack_size": clean_pack_size,
        "category": lambda v: _category(org, v, field="category"),
        "brand": lambda v: _brand(org, v),
    }
    for name, value in data.items():
        setattr(product, name, cleaners[name](value) if name in cleaners else value)
    clean_active_dates(product.active_from, product.active_to)
    product.save()
    changes = diff(before, snapshot(product, PRODUCT_FIELDS))
    if changes:
        audit_record(organization_id=org, actor=actor, action="product.update", obj=product, changes=changes)
    return product


@transaction.atomic
def product_barcodes_set(*, product: Product, actor: Actor, barcodes: Sequence[str]) -> Product:
    """Replace the product's barcodes with ``barcodes`` (kept ones keep their rows). The product's
    ``updated_at`` moves, so a POS syncing by it learns the new codes."""
    codes = _clean_barcodes(barcodes)
    _barcodes_free(product, codes)
    old = sorted(product.barcodes.values_list("code", flat=True))
    _write_barcodes(product, codes)
    if old != sorted(codes):
        product.save(update_fields=["updated_at"])
        audit_record(organization_id=product.organization_id, actor=actor, action="product.barcodes", obj=product,
                     changes={"barcodes": [old, codes]})
    return product


def product_for_update(organization_id: int, sku: str) -> Product:
    """The product to change, locked; ``NotFound`` when this organization has no such SKU."""
    found = Product.objects.select_for_update().filter(organization_id=organization_id, sku=sku).first()
    if found is None:
        raise product_not_found(sku)
    return found


__all__ = [
    "brand_create", "brand_update", "category_create", "category_update", "product_barcodes_set", "product_create",
    "product_for_update", "product_update",
]


IMAGE_MAX_BYTES = 2 * 1024 * 1024


@transaction.atomic
def product_image_set(*, product: Product, actor: Actor, image: Any | None) -> Product:
    """Give the product a picture (JPEG, PNG, GIF or WebP, at most 2 MB), or take it away (``image``
    None). The picture is read as an image and stored again (``core.uploads.picture_prepared``)
    under ``products/`` in the media folder: a file that only looks like a picture is refused."""
    if image is not None:
        try:
            image_validator(image)
        except ValidationError:
            raise DomainError(IMAGE_INVALID, _("A picture is a JPEG, PNG, GIF or WebP file."), field="image") from None
        if image.size > IMAGE_MAX_BYTES:
            raise DomainError(IMAGE_INVALID, _("A picture is at most 2 MB."), field="image")
        try:
            image = picture_prepared(image)
        except PictureRefused as refused:
            raise DomainError(IMAGE_INVALID, str(refused), field="image") from None
    before = product.image.name if product.image else ""
    if image is None:
        product.image = None
    else:
        product.image.save(image.name, image, save=False)
    product.save(update_fields=["image", "updated_at"])
    audit_record(organization_id=product.organization_id, actor=actor, action="product.image", obj=product,
                 changes={"image": [before, product.image.name if product.image else ""]})
    return product


def _price_in(organization_id: int, value: Decimal | int | str) -> Decimal:
    """``clean_price`` in the organization's minor unit (no decimals in IRR)."""
    with amounts_in(organization_places(organization_id)):
        return clean_price(value)
