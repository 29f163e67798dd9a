"""The columns a product file has, shared by the import (reading cells) and the export (writing them).

What the export writes, the import reads back as the same value, so exporting then importing
changes nothing. Cells are text (CSV) or typed (XLSX: numbers, booleans, dates); both are read.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from sasom.core.errors import DomainError
from sasom.members.imports import decode_csv
from sasom.members.validation import parse_date

from .xlsx import read_xlsx

COLUMNS = [
    "sku", "name_th", "name_en", "category", "brand", "unit", "pack_size", "base_price", "vat_included",
    "active_from", "active_to", "excluded_from_points", "is_active", "barcodes",
]
TEXT_COLUMNS = frozenset({"sku", "name_th", "name_en", "category", "brand", "unit", "barcodes"})
DECIMAL_COLUMNS = frozenset({"pack_size", "base_price"})
BOOL_COLUMNS = frozenset({"vat_included", "excluded_from_points", "is_active"})
DATE_COLUMNS = frozenset({"active_from", "active_to"})
REQUIRED_COLUMNS = ["sku"]
# Thai headings that shops' spreadsheets and old POS exports use.
HEADER_ALIASES = {
    "รหัสสินค้า": "sku", "ชื่อสินค้า": "name_th", "ชื่อภาษาไทย": "name_th", "ชื่อภาษาอังกฤษ": "name_en",
    "หมวดหมู่": "category", "หมวด": "category", "ยี่ห้อ": "brand", "แบรนด์": "brand", "หน่วย": "unit",
    "ขนาดบรรจุ": "pack_size", "ราคา": "base_price", "ราคาขาย": "base_price", "รวมภาษี": "vat_included",
    "เริ่มขาย": "active_from", "หยุดขาย": "active_to", "ไม่ให้แต้ม": "excluded_from_points",
    "ใช้งาน": "is_active", "บาร์โค้ด": "barcodes",
}
_TRUE = {"1", "y", "yes", "true", "t", "ใช่", "on", "x"}
_FALSE = {"0", "n", "no", "false", "f", "ไม่", "ไม่ใช่", "off"}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_BARCODE_SPLIT = re.compile(r"[\s,;]+")
EXCEL_EPOCH = dt.date(1899, 12, 30)


class CellError(ValueError):
    """A cell that cannot be read as its column's type; the message says what was expected."""


def header_name(cell: Any) -> str:
    text = str(cell if cell is not None else "").strip().lstrip("\ufeff")
    return HEADER_ALIASES.get(text, text.lower())


def read_text(value: Any) -> str:
    """Text of a cell: a whole number typed as a number (a SKU in Excel) reads as its digits; a
    quote the export put before a formula character is taken off."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@":
        text = text[1:]
    return text


def read_decimal(value: Any) -> str | None:
    """A number as text for the services' checks (``None`` for an empty cell); thousands
    separators (``1,250.00``) are accepted."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or isinstance(value, dt.date):
        raise CellError(_("Give a number."))
    if isinstance(value, float):
        return repr(value)
    return str(value).strip().replace(",", "")


def read_bool(value: Any) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if not text:
        return None
    raise CellError(_("Give 1 or 0 (yes or no)."))


def read_date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not 1 <= value < 2958466:  # a spreadsheet's date: days since 1899-12-30, up to 9999-12-31
            raise CellError(_("Enter a real date (YYYY-MM-DD or DD/MM/YYYY)."))
        return EXCEL_EPOCH + dt.timedelta(days=int(value))
    text = str(value).strip()
    if not text:
        return None
    try:
        return parse_date(text)
    except ValueError:
        raise CellError(_("Enter a real date (YYYY-MM-DD or DD/MM/YYYY).")) from None


def read_barcodes(value: Any) -> list[str]:
    """Barcodes in one cell, separated by spaces, commas, semicolons or line breaks."""
    return [c for c in _BARCODE_SPLIT.split(read_text(value)) if c]


def csv_text(value: str) -> str:
    """Typed text must not run as a spreadsheet formula: a quote goes before a formula character
    (:func:`read_text` takes it off again)."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def decimal_text(value: Decimal) -> str:
    """A stored decimal without trailing zeros past the cents (``6``, ``1.5``, ``72.00``)."""
    return format(value, "f")


def read_table(raw: bytes, filename: str = "") -> tuple[str, str, Iterator[list[Any]]]:
    """(format, encoding, rows) of an uploaded file: XLSX (its first sheet) or CSV
    (UTF-8 with or without BOM, or TIS-620). The first row is the header. ``DomainError`` when
    the file cannot be read at all."""
    if raw[:4] == b"PK\x03\x04" or filename.lower().endswith(".xlsx"):
        try:
            rows = read_xlsx(raw)
            first = next(rows, [])
        except Exception:  # noqa: BLE001 - a damaged file raises zip, XML or our own errors
            raise DomainError("import.file", _("This is not an Excel (XLSX) file we can read."), field="file") from None
        return "XLSX", "", itertools.chain([first], rows)
    text, encoding = decode_csv(raw)
    return "CSV", encoding, iter(csv.reader(io.StringIO(text, newline="")))
