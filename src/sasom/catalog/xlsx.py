"""A lean reader of the first sheet of an XLSX file: rows of plain cell values, streamed.

openpyxl (which writes the exports) took about a minute to read 100,000 products of 14 columns;
this reads the sheet's XML with the standard library's C parser in a fraction of that. Values:
text (shared or inline strings), ``int``/``float`` for numbers, ``bool`` for booleans. Dates are
numbers in a spreadsheet (days since 1899-12-30); ``catalog.columns.read_date`` turns them into
dates for the date columns, which is the only place a date is expected.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Iterator
from typing import Any
from xml.etree.ElementTree import Element, iterparse

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_COLUMN = re.compile(r"[A-Z]+")
MAX_COLUMNS = 200
MAX_XML_BYTES = 400 * 1024 * 1024  # what a sheet may unpack to: a zip bomb is refused unread


class XlsxError(ValueError):
    """Not a workbook this reader understands."""


def _text(item: Element) -> str:
    """The text of a shared or inline string: its ``<t>``, or its rich-text runs' ``<t>``s
    (phonetic guides are left out)."""
    parts = []
    for child in item:
        if child.tag == MAIN + "t":
            parts.append(child.text or "")
        elif child.tag == MAIN + "r":
            parts.extend(t.text or "" for t in child.iter(MAIN + "t"))
    return "".join(parts)


def _first_sheet(book: zipfile.ZipFile) -> str:
    try:
        workbook = book.read("xl/workbook.xml")
        rels = book.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        raise XlsxError("no workbook") from None
    sheet = next(_elements(workbook, MAIN + "sheet"), None)
    if sheet is None:
        raise XlsxError("no sheet")
    rel_id = sheet.get(REL + "id")
    for rel in _elements(rels, PKG_REL + "Relationship"):
        if rel.get("Id") == rel_id:
            target = rel.get("Target") or ""
            return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
    raise XlsxError("no sheet")


def _elements(raw: bytes, tag: str) -> Iterator[Element]:
    for _event, element in iterparse(io.BytesIO(raw), events=("end",)):
        if element.tag == tag:
            yield element


def _column_index(ref: str | None, default: int) -> int:
    if not ref:
        return default
    letters = _COLUMN.match(ref)
    if letters is None:
        return default
    index = 0
    for ch in letters.group():
        index = index * 26 + ord(ch) - 64
    return index - 1


def _number(text: str) -> int | float:
    if text.lstrip("-").isdigit():
        return int(text)
    return float(text)


def _value(cell: Element, shared: list[str]) -> Any:
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        inline = cell.find(MAIN + "is")
        return _text(inline) if inline is not None else ""
    v = cell.find(MAIN + "v")
    if v is None or v.text is None:
        return None
    if kind == "s":
        return shared[int(v.text)]
    if kind == "b":
        return v.text == "1"
    if kind in ("str", "e", "d"):
        return v.text
    return _number(v.text)


def read_xlsx(raw: bytes) -> Iterator[list[Any]]:
    """The rows of the workbook's first sheet, each a list of values (``None`` for an empty
    cell). ``XlsxError`` (or a zip/XML error) for a file that is not such a workbook."""
    book = zipfile.ZipFile(io.BytesIO(raw))
    if sum(info.file_size for info in book.infolist()) > MAX_XML_BYTES:
        raise XlsxError("too large once unpacked")
    path = _first_sheet(book)
    shared: list[str] = []
    if "xl/sharedStrings.xml" in book.namelist():
        shared = [_text(si) for si in _elements(book.read("xl/sharedStrings.xml"), MAIN + "si")]
    done = 0  # rows given so far: a row the sheet leaves out comes as an empty one, so numbers hold
    with book.open(path) as sheet:
        for _event, element in iterparse(sheet, events=("end",)):
            if element.tag != MAIN + "row":
                continue
            number = element.get("r", "")
            while number.isdigit() and done < int(number) - 1:
                yield []
                done += 1
            done += 1
            row: list[Any] = []
            for cell in element.iter(MAIN + "c"):
                index = _column_index(cell.get("r"), len(row))
                if index >= MAX_COLUMNS:
                    continue
                row.extend([None] * (index - len(row)))
                row.append(_value(cell, shared))
            element.clear()
            yield row
