"""CSV and XLSX export of products in the columns the import reads (``catalog.columns``).

Exporting then importing the file changes nothing. XLSX cells are typed: prices and pack sizes
are numbers, flags booleans, dates dates, codes and names text (never formulas). CSV is UTF-8
with a BOM so spreadsheets read Thai; text that starts like a formula gets a leading quote.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from sasom.core.audit import Actor, audit_record
from sasom.core.errors import DomainError

from . import columns as C
from .models import Barcode, Product

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
CHUNK = 2000


def _rows(queryset: QuerySet[Product]) -> Iterator[dict[str, Any]]:
    products = queryset.select_related("category", "brand").order_by("sku", "id")
    batch: list[Product] = []

    def flush() -> Iterator[dict[str, Any]]:
        codes: dict[int, list[str]] = {}
        for product_id, code in Barcode.objects.filter(product_id__in=[p.pk for p in batch]).order_by("id").values_list(
                "product_id", "code"):
            codes.setdefault(product_id, []).append(code)
        for p in batch:
            yield {
                "sku": p.sku, "name_th": p.name_th, "name_en": p.name_en,
                "category": p.category.code if p.category else "", "brand": p.brand.code if p.brand else "",
                "unit": p.unit, "pack_size": p.pack_size, "base_price": p.base_price, "vat_included": p.vat_included,
                "active_from": p.active_from, "active_to": p.active_to, "excluded_from_points": p.excluded_from_points,
                "is_active": p.is_active, "barcodes": " ".join(codes.get(p.pk, [])),
            }

    for product in products.iterator(chunk_size=CHUNK):
        batch.append(product)
        if len(batch) == CHUNK:
            yield from flush()
            batch = []
    if batch:
        yield from flush()


def _csv_cell(column: str, value: Any) -> str:
    if value is None:
        return ""
    if column in C.BOOL_COLUMNS:
        return "1" if value else "0"
    if column in C.DECIMAL_COLUMNS:
        return C.decimal_text(value)
    if column in C.DATE_COLUMNS:
        return str(value.isoformat())
    return C.csv_text(str(value))


def _csv(rows: Iterator[dict[str, Any]]) -> tuple[bytes, int]:
    buf = io.StringIO()
    buf.write("\ufeff")
    writer = csv.writer(buf)
    writer.writerow(C.COLUMNS)
    count = 0
    for row in rows:
        writer.writerow([_csv_cell(c, row[c]) for c in C.COLUMNS])
        count += 1
    return buf.getvalue().encode("utf-8"), count


def _xlsx(rows: Iterator[dict[str, Any]]) -> tuple[bytes, int]:
    from openpyxl import Workbook  # openpyxl loads slowly; only an XLSX export needs it
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet("products")
    sheet.append(C.COLUMNS)
    count = 0
    for row in rows:
        cells = []
        for column in C.COLUMNS:
            value = row[column]
            cell = WriteOnlyCell(sheet, value=value)
            if column in C.TEXT_COLUMNS:
                cell.data_type = "s"  # text, even when it starts with "=": never a formula
            elif column == "base_price":
                cell.number_format = "#,##0.00"
            elif column == "pack_size":
                cell.number_format = "0.###"
            elif column in C.DATE_COLUMNS:
                cell.number_format = "yyyy-mm-dd"
            cells.append(cell)
        sheet.append(cells)
        count += 1
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), count


def products_export(
    *, organization_id: int, actor: Actor, queryset: QuerySet[Product], fmt: str, filters: dict[str, Any]
) -> tuple[bytes, str, str]:
    """The file's bytes, its name and its content type; the export is audited with its filters."""
    if fmt not in FORMATS:
        raise DomainError("export.format", "csv or xlsx", field="format")
    data, count = (_csv if fmt == "csv" else _xlsx)(_rows(queryset))
    audit_record(
        organization_id=organization_id, actor=actor, action="products.export", object_type="catalog.product",
        object_repr=fmt, changes={"rows": [None, count], "filters": [None, {k: str(v) for k, v in filters.items() if v}]},
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return data, f"products-{stamp}.{fmt}", FORMATS[fmt]
