"""One import row checked against the catalog as it was read up front (:class:`Catalog`).

No query runs per row: :meth:`Catalog.load` reads the file's products, their barcodes, every
barcode or SKU the file names, the categories and the brands in a few chunked queries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django_stubs_ext import StrOrPromise

from sasom.core.errors import DomainError

from . import columns as C
from .errors import SKU_INVALID
from .models import Barcode, Brand, Category, Product
from .validation import (
    clean_active_dates,
    clean_barcode,
    clean_code,
    clean_name,
    clean_pack_size,
    clean_price,
)

CHUNK = 5000
FIELDS = [
    "name_th", "name_en", "category_id", "brand_id", "unit", "pack_size", "base_price", "vat_included",
    "active_from", "active_to", "excluded_from_points", "is_active",
]
DEFAULTS: dict[str, Any] = {
    "name_th": None, "name_en": "", "category_id": None, "brand_id": None, "unit": "", "pack_size": Decimal("1"),
    "base_price": None, "vat_included": True, "active_from": None, "active_to": None,
    "excluded_from_points": False, "is_active": True,
}


def _chunks(values: Iterable[Any]) -> Iterable[list[Any]]:
    items = list(values)
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


@dataclass
class Catalog:
    """What the rows are checked against, and what the rows seen so far claimed."""

    organization_id: int
    header: list[str]
    products: dict[str, dict[str, Any]] = field(default_factory=dict)  # sku -> FIELDS + id
    barcodes_of: dict[int, list[tuple[int, str]]] = field(default_factory=dict)  # product id -> (id, code)
    code_owner: dict[str, tuple[int, str]] = field(default_factory=dict)  # barcode -> (product id, sku)
    sku_owner: dict[str, int] = field(default_factory=dict)  # a SKU the file names as a barcode -> product id
    categories: dict[str, int] = field(default_factory=dict)
    brands: dict[str, int] = field(default_factory=dict)
    file_skus: dict[str, int] = field(default_factory=dict)  # sku -> first row that has it
    seen_codes: dict[str, tuple[int, str]] = field(default_factory=dict)  # barcode -> (row, sku) of good rows
    readers: dict[str, Callable[[Any], Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, organization_id: int, header: list[str], rows: list[tuple[int, dict[str, Any]]]) -> Catalog:
        cat = cls(organization_id, header)
        for rownum, cells in rows:
            cat.file_skus.setdefault(C.read_text(cells.get("sku")), rownum)
        codes: set[str] = set()
        if "barcodes" in header:
            for _rownum, cells in rows:
                codes.update(C.read_barcodes(cells.get("barcodes")))
        org = organization_id
        whole = len(cat.file_skus) * 4 >= Product.objects.filter(organization_id=org).count()
        (cat._load_whole if whole else cat._load_chunked)(codes)
        cat.categories = dict(Category.objects.filter(organization_id=org).values_list("code", "id"))
        cat.brands = dict(Brand.objects.filter(organization_id=org).values_list("code", "id"))
        cat.readers = _readers(cat)
        return cat


    def _load_chunked(self, codes: set[str]) -> None:
        """A file small beside the catalog: its products, and the barcodes and SKUs it names."""
        org = self.organization_id
        for chunk in _chunks(self.file_skus):
            for values in Product.objects.filter(organization_id=org, sku__in=chunk).values("id", "sku", *FIELDS):
                self.products[values["sku"]] = values
        for chunk in _chunks(p["id"] for p in self.products.values()):
            for pk, product_id, code in Barcode.objects.filter(product_id__in=chunk).order_by("id").values_list(
                    "id", "product_id", "code"):
                self.barcodes_of.setdefault(product_id, []).append((pk, code))
        for chunk in _chunks(codes | set(self.file_skus)):
            for code, product_id, sku in Barcode.objects.filter(organization_id=org, code__in=chunk).values_list(
                    "code", "product_id", "product__sku"):
                self.code_owner[code] = (product_id, sku)
        for chunk in _chunks(codes):
            self.sku_owner.update(Product.objects.filter(organization_id=org, sku__in=chunk).values_list("sku", "id"))

    def _load_whole(self, codes: set[str]) -> None:
        """A file as large as a good part of the catalog: the whole catalog in two queries
        (long ``IN`` lists cost more than reading every row)."""
        org = self.organization_id
        for values in Product.objects.filter(organization_id=org).values("id", "sku", *FIELDS).iterator(chunk_size=CHUNK):
            self.sku_owner[values["sku"]] = values["id"]
            if values["sku"] in self.file_skus:
                self.products[values["sku"]] = values
        wanted = {p["id"] for p in self.products.values()}
        for pk, product_id, code, sku in Barcode.objects.filter(organization_id=org).order_by("id").values_list(
                "id", "product_id", "code", "product__sku").iterator(chunk_size=CHUNK):
            self.code_owner[code] = (product_id, sku)
            if product_id in wanted:
                self.barcodes_of.setdefault(product_id, []).append((pk, code))


@dataclass
class Checked:
    rownum: int
    sku: str
    product_id: int | None = None
    values: dict[str, Any] = field(default_factory=dict)
    before: dict[str, Any] = field(default_factory=dict)
    changed: list[str] = field(default_factory=list)
    barcodes: list[str] | None = None
    old_barcodes: list[tuple[int, str]] = field(default_factory=list)
    errors: list[tuple[str, StrOrPromise]] = field(default_factory=list)


def _cell(checked: Checked, column: str, read: Callable[..., Any], *args: Any) -> Any:
    try:
        return read(*args)
    except DomainError as e:
        checked.errors.append((column, e.message))
    except C.CellError as e:
        checked.errors.append((column, str(e)))
    except ArithmeticError:  # decimal.InvalidOperation: a number too large to round to cents
        checked.errors.append((column, _("Give a decimal number.")))
    return None


def _by_code(table: dict[str, int], text: str, message: Callable[[], str]) -> int | None:
    if not text:
        return None
    if text not in table:
        raise C.CellError(message() % {"code": text[:40]})
    return table[text]


def _readers(cat: Catalog) -> dict[str, Callable[[Any], Any]]:
    """Column -> reader of its cell; ``None`` from a reader means "the cell is empty"."""

    def text_or_none(value: Any) -> str | None:
        return C.read_text(value) or None

    def price(value: Any) -> Decimal | None:
        text = C.read_decimal(value)
        return None if text is None else clean_price(text)

    def pack(value: Any) -> Decimal | None:
        text = C.read_decimal(value)
        return None if text is None else clean_pack_size(text, field="pack_size")

    return {
        "name_th": lambda v: (t := text_or_none(v)) and clean_name(t, field="name_th", max_length=200),
        "name_en": lambda v: clean_name(C.read_text(v), field="name_en", max_length=200, required=False),
        "unit": lambda v: clean_name(C.read_text(v), field="unit", max_length=20, required=False),
        "category": lambda v: _by_code(cat.categories, C.read_text(v), lambda: _("No category with the code %(code)s.")),
        "brand": lambda v: _by_code(cat.brands, C.read_text(v), lambda: _("No brand with the code %(code)s.")),
        "pack_size": pack,
        "base_price": price,
        "vat_included": C.read_bool,
        "excluded_from_points": C.read_bool,
        "is_active": C.read_bool,
        "active_from": C.read_date,
        "active_to": C.read_date,
    }


# Columns whose empty cell keeps the product's value (a new product takes the default);
# for the others an empty cell is the value (no English name, no category, open-ended).
KEEP_WHEN_EMPTY = frozenset({"name_th", "pack_size", "base_price", "vat_included", "excluded_from_points", "is_active"})
ATTNAME = {"category": "category_id", "brand": "brand_id"}


def check_row(cat: Catalog, rownum: int, cells: dict[str, Any], *, mode: str) -> Checked:
    sku_text = C.read_text(cells.get("sku"))
    checked = Checked(rownum, sku_text[:64])
    sku = _cell(checked, "sku", lambda: clean_code(sku_text, field="sku", code=SKU_INVALID, max_length=64))
    if sku is None:
        return checked
    checked.sku = sku
    first = cat.file_skus.get(sku)
    if first is not None and first != rownum:
        checked.errors.append(("sku", _("The same SKU is in row %(row)s.") % {"row": first}))
        return checked
    existing = cat.products.get(sku)
    if existing is not None and mode == "create":
        checked.errors.append(("sku", _("A product with this SKU exists (the mode is: new products only).")))
        return checked
    if existing is None and mode == "update":
        checked.errors.append(("sku", _("No product with this SKU (the mode is: update only).")))
        return checked
    checked.product_id = existing["id"] if existing else None
    values = {f: existing[f] for f in FIELDS} if existing else dict(DEFAULTS)
    readers = cat.readers
    for column in cat.header:
        if column not in readers:
            continue
        failed = len(checked.errors)
        value = _cell(checked, column, readers[column], cells.get(column))
        if len(checked.errors) > failed or (value is None and column in KEEP_WHEN_EMPTY):
            continue
        values[ATTNAME.get(column, column)] = value
    if values["name_th"] is None:
        checked.errors.append(("name_th", _("Give a name.")))
    if values["base_price"] is None:
        checked.errors.append(("base_price", _("Give the price of a new product.")))
    _cell(checked, "active_to", lambda: clean_active_dates(values["active_from"], values["active_to"]))
    if "barcodes" in cat.header:
        checked.barcodes = _barcodes(cat, checked, cells.get("barcodes"))
    owner = cat.code_owner.get(sku)
    if owner is not None and owner[0] != checked.product_id:
        checked.errors.append(("sku", _("This SKU is a barcode of the product %(sku)s.") % {"sku": owner[1]}))
    if checked.errors:
        return checked
    checked.values = values
    if existing is not None:
        checked.before = {f: existing[f] for f in FIELDS}
        checked.changed = [f for f in FIELDS if values[f] != existing[f]]
        checked.old_barcodes = cat.barcodes_of.get(existing["id"], [])
        if checked.barcodes is not None and sorted(checked.barcodes) == sorted(c for _pk, c in checked.old_barcodes):
            checked.barcodes = None  # the same codes: nothing to write
    for code in checked.barcodes or ():
        cat.seen_codes[code] = (rownum, sku)
    return checked


def _barcodes(cat: Catalog, checked: Checked, cell: Any) -> list[str] | None:
    codes: list[str] = []
    for raw in C.read_barcodes(cell):
        code = _cell(checked, "barcodes", clean_barcode, raw)
        if code is None or code in codes:
            continue
        codes.append(code)
        owner = cat.code_owner.get(code)
        if owner is not None and owner[0] != checked.product_id:
            checked.errors.append(("barcodes", _("The barcode %(code)s belongs to the product %(sku)s.")
                                   % {"code": code, "sku": owner[1]}))
        elif code in cat.sku_owner and cat.sku_owner[code] != checked.product_id:
            checked.errors.append(("barcodes", _("The barcode %(code)s is the SKU of another product.") % {"code": code}))
        elif code != checked.sku and code in cat.file_skus:
            checked.errors.append(("barcodes", _("The barcode %(code)s is the SKU in row %(row)s.")
                                   % {"code": code, "row": cat.file_skus[code]}))
        elif code in cat.seen_codes and cat.seen_codes[code][1] != checked.sku:
            checked.errors.append(("barcodes", _("The barcode %(code)s is also in row %(row)s.")
                                   % {"code": code, "row": cat.seen_codes[code][0]}))
    return codes
