"""A report written as CSV, XLSX or PDF.

- CSV: UTF-8 with a BOM (Excel then reads Thai), ISO dates, plain numbers (``formatting.export_text``:
  money with the shop currency's places, the same on every database); streamed a chunk of rows at
  a time. Text that a spreadsheet would take for a formula gets a leading quote.
- XLSX: openpyxl's write-only workbook (rows go to a temporary file, not memory): typed cells
  (``formatting.export_value``: integers, money in the display unit formatted with its places,
  dates), the headers in the reader's language, a totals row.
- PDF: WeasyPrint from the HTML template ``reports/pdf/report.html`` with Debian's Thai fonts
  (fonts-thai-tlwg): the shop's name and the report's title on every page, the filters used,
  page numbers in the footer.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Callable, Iterator
from typing import IO, Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from sasom.reports.formatting import (
    DATE,
    DATETIME,
    INT,
    MONEY,
    MONTH,
    cell_text,
    export_text,
    export_value,
    money_format,
)
from sasom.reports.framework import Column, Report, Scope
from sasom.reports.periods import is_calendar_month
from sasom.reports.replica import reports_reading

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
PDF_ROW_LIMIT = 2000  # a PDF written during the request; beyond this the task worker writes it
PDF_BACKGROUND_LIMIT = 20000  # WeasyPrint holds the whole document: beyond this, CSV or XLSX


def file_name(report: Report, scope: Scope, extension: str) -> str:
    stamp = f"{scope.start_on:%Y%m%d}-{scope.end_on:%Y%m%d}" if report.uses_dates else f"{scope.today():%Y%m%d}"
    return f"{report.slug}-{stamp}.{extension}"


class _Line:
    """A file-like that hands back what csv.writer wrote, one row at a time."""

    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text

    def take(self) -> bytes:
        out, self.text = self.text, ""
        return out.encode("utf-8")


def csv_chunks(report: Report, scope: Scope, sort: str,
               progress: Callable[[int], None] | None = None) -> Iterator[bytes]:
    with reports_reading():  # streamed after the view returned: its reads go to the replica too
        columns = report.columns_of(scope)
        line = _Line()
        writer = csv.writer(line)
        org = scope.organization
        writer.writerow([str(c.label) for c in columns])
        yield "\ufeff".encode() + line.take()
        for row in report.stream(scope, sort, progress=progress):
            writer.writerow([export_text(row.get(c.key), c.kind, org) for c in columns])
            yield line.take()
        totals = report.totals(scope)
        if report.total_columns():
            writer.writerow(_totals_line(columns, totals, lambda v, c: export_text(v, c.kind, org)))
            yield line.take()


def _totals_line(columns: tuple[Column, ...], totals: dict[str, Any], show: Any) -> list[Any]:
    out: list[Any] = []
    for i, column in enumerate(columns):
        if column.total:
            out.append(show(totals.get(column.key), column))
        else:
            out.append(str(_("Total")) if i == 0 else None)
    return out


NUMBER_FORMATS = {INT: "#,##0", MONEY: "#,##0.00", DATE: "dd/mm/yyyy", MONTH: "mm/yyyy", DATETIME: "dd/mm/yyyy hh:mm"}


def xlsx_write(report: Report, scope: Scope, sort: str, out: IO[bytes],
               progress: Callable[[int], None] | None = None) -> int:
    """Write the workbook to ``out``; the number of data rows written."""
    from openpyxl import Workbook  # noqa: PLC0415 - openpyxl loads slowly; only an XLSX export needs it
    from openpyxl.cell import WriteOnlyCell  # noqa: PLC0415
    from openpyxl.styles import Font  # noqa: PLC0415

    columns = report.columns_of(scope)
    org = scope.organization
    book = Workbook(write_only=True)
    sheet = book.create_sheet(str(report.title)[:31])
    bold = Font(bold=True)
    for i, column in enumerate(columns):
        letter = _letter(i)
        sheet.column_dimensions[letter].width = 14 if column.kind != "text" else 24
    sheet.freeze_panes = "A2"

    def cell(value: Any, column: Column, *, strong: bool = False) -> Any:
        typed = export_value(value, column.kind, org)
        c = WriteOnlyCell(sheet, value=typed)
        if column.kind in NUMBER_FORMATS and typed is not None:
            month = column.kind == MONTH and not is_calendar_month(typed, org)
            c.number_format = (money_format(org) if column.kind == MONEY
                               else NUMBER_FORMATS[column.kind if month or column.kind != MONTH else DATE])
        elif isinstance(typed, str):
            c.data_type = "s"  # text, even when it starts with "=": never a formula
        if strong:
            c.font = bold
        return c

    header = []
    for column in columns:
        h = WriteOnlyCell(sheet, value=str(column.label))
        h.font = bold
        header.append(h)
    sheet.append(header)
    count = 0
    for row in report.stream(scope, sort, progress=progress):
        sheet.append([cell(row.get(c.key), c) for c in columns])
        count += 1
    if report.total_columns():
        totals = report.totals(scope)
        line = []
        for i, column in enumerate(columns):
            if column.total:
                line.append(cell(totals.get(column.key), column, strong=True))
            else:
                label = WriteOnlyCell(sheet, value=str(_("Total")) if i == 0 else None)
                label.font = bold
                line.append(label)
        sheet.append(line)
    book.save(out)
    return count


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter  # noqa: PLC0415

    return str(get_column_letter(index + 1))


def xlsx_file(report: Report, scope: Scope, sort: str) -> IO[bytes]:
    """The workbook in a temporary file, rewound (the caller streams it and closes it)."""
    spool = tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024)  # noqa: SIM115 - the response closes it
    xlsx_write(report, scope, sort, spool)
    spool.seek(0)
    return spool


def pdf_html(*, template: str, context: dict[str, Any]) -> bytes:
    from weasyprint import HTML  # noqa: PLC0415 - WeasyPrint loads pango; only a PDF needs it

    html = render_to_string(template, context)
    return bytes(HTML(string=html).render().write_pdf())


def report_pdf(report: Report, scope: Scope, sort: str, *, filters: list[tuple[str, str]],
               chart: Any, limit: int = PDF_ROW_LIMIT, progress: Callable[[int], None] | None = None) -> bytes:
    """The report as a PDF of at most ``limit`` rows (and the totals of all rows)."""
    columns = report.columns_of(scope)
    org = scope.organization
    rows = []
    truncated = False
    for i, row in enumerate(report.stream(scope, sort, progress=progress)):
        if i >= limit:
            truncated = True
            break
        rows.append([(cell_text(row.get(c.key), c.kind, org), c.numeric) for c in columns])
    if progress:  # the rows read; WeasyPrint's layout follows
        progress(len(rows))
    totals = report.totals(scope) if report.total_columns() else None
    total_cells = (_totals_line(columns, totals, lambda v, c: cell_text(v, c.kind, org))
                   if totals is not None else None)
    return pdf_html(template="reports/pdf/report.html", context={
        "organization": org, "report": report, "columns": columns, "rows": rows, "filters": filters,
        "totals": [(t or "", c.numeric) for t, c in zip(total_cells, columns, strict=True)] if total_cells else None,
        "truncated": truncated, "limit": limit, "chart": chart,
        "printed_at": timezone.now(), "landscape": len(columns) > 7,
    })


def as_bytes(chunks: Iterator[bytes]) -> bytes:
    out = io.BytesIO()
    for chunk in chunks:
        out.write(chunk)
    return out.getvalue()
