"""CSV and XLSX import of products, keyed by SKU, with a dry run and a row report.

Every row is checked with the services' own checks (``catalog.validation``) against the catalog
as it is, read up front in a few set-based queries; then the good rows are written with bulk
statements in one transaction. A bad row is reported (row, SKU, column, reason) and changes
nothing; with ``all_or_nothing`` one bad row stops the whole file. Categories and brands are
named by their codes and must exist (docs/decisions/0003-catalog-import.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django_stubs_ext import StrOrPromise

from sasom.core.audit import Actor, audit_record
from sasom.core.errors import DomainError

from . import columns as C
from .rowcheck import Catalog, Checked, check_row
from .rowwrite import write_rows

MAX_BYTES = 30 * 1024 * 1024
MAX_ROWS = 200_000
MODES = ("upsert", "create", "update")

CREATED, UPDATED, UNCHANGED, ERROR = "created", "updated", "unchanged", "error"


@dataclass(slots=True)
class RowResult:
    row: int
    sku: str
    outcome: str
    column: str = ""
    reason: StrOrPromise = ""


@dataclass
class ImportReport:
    format: str = ""
    encoding: str = ""
    dry_run: bool = True
    written: bool = False
    rows: int = 0
    counts: dict[str, int] = field(default_factory=lambda: {CREATED: 0, UPDATED: 0, UNCHANGED: 0, ERROR: 0})
    results: list[RowResult] = field(default_factory=list)
    file_error: StrOrPromise = ""

    @property
    def problems(self) -> list[RowResult]:
        return [r for r in self.results if r.outcome == ERROR]

    @property
    def changes(self) -> list[RowResult]:
        return [r for r in self.results if r.outcome in (CREATED, UPDATED)]


def _header(cells: list[Any]) -> tuple[list[str], StrOrPromise]:
    header = [C.header_name(c) for c in cells]
    while header and not header[-1]:
        header.pop()  # spreadsheets often carry empty columns at the right
    unknown = [h or "(empty)" for h in header if h not in C.COLUMNS]
    if unknown:
        return header, _("Unknown column(s): %(cols)s. The columns are: %(all)s.") % {
            "cols": ", ".join(unknown), "all": ", ".join(C.COLUMNS)}
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        return header, _("Column(s) given twice: %(cols)s.") % {"cols": ", ".join(dupes)}
    missing = [c for c in C.REQUIRED_COLUMNS if c not in header]
    if missing:
        return header, _("Missing column(s): %(cols)s.") % {"cols": ", ".join(missing)}
    return header, ""


def products_import(
    *, organization_id: int, actor: Actor, raw: bytes, filename: str = "", dry_run: bool = True,
    mode: str = "upsert", all_or_nothing: bool = False, progress: Callable[[int, int], None] | None = None,
    before_commit: Callable[[ImportReport], None] | None = None,
) -> ImportReport:
    """Check every row of a product file and (unless ``dry_run``) write the good ones.

    ``mode``: ``upsert`` creates new SKUs and updates known ones; ``create`` refuses known SKUs;
    ``update`` refuses unknown ones. Columns left out of the file keep their values.
    ``progress(rows, errors)`` is called as rows are checked; ``before_commit(report)`` inside the
    transaction that writes (a background import records its result there).
    """
    report = ImportReport(dry_run=dry_run)
    if mode not in MODES:
        raise DomainError("import.mode", _("Unknown import mode."), field="mode")
    if len(raw) > MAX_BYTES:
        report.file_error = _("The file is larger than %(mb)s MB; split it.") % {"mb": MAX_BYTES // (1024 * 1024)}
        return report
    try:
        report.format, report.encoding, table = C.read_table(raw, filename)
        header, problem = _header(next(table, []))
    except DomainError as e:
        report.file_error = e.message
        return report
    except Exception:  # noqa: BLE001 - a malformed CSV or a damaged sheet: csv.Error, zip and XML errors
        report.file_error = _("The file is empty or cannot be read.")
        return report
    if problem or not header:
        report.file_error = problem or _("The file is empty or cannot be read.")
        return report

    raw_rows: list[tuple[int, dict[str, Any]]] = []
    try:
        for index, cells in enumerate(table):
            if not any(c not in (None, "") and str(c).strip() for c in cells):
                continue
            if len(raw_rows) >= MAX_ROWS:
                report.file_error = _("More than %(n)s rows; split the file.") % {"n": MAX_ROWS}
                return report
            padded = list(cells)[: len(header)] + [None] * (len(header) - len(cells))
            raw_rows.append((index + 2, dict(zip(header, padded, strict=True))))
    except Exception:  # noqa: BLE001 - as above, a file that breaks half-way
        report.file_error = _("The file cannot be read past row %(n)s.") % {"n": len(raw_rows) + 1}
        return report
    report.rows = len(raw_rows)

    catalog = Catalog.load(organization_id, header, raw_rows)
    good: list[Checked] = []
    for rownum, row in raw_rows:
        checked = check_row(catalog, rownum, row, mode=mode)
        if checked.errors:
            cols = ", ".join(dict.fromkeys(col for col, _m in checked.errors))
            reason = "; ".join(f"{col}: {msg}" for col, msg in checked.errors)
            report.results.append(RowResult(rownum, checked.sku, ERROR, cols, reason))
            report.counts[ERROR] += 1
            continue
        outcome = CREATED if checked.product_id is None else (UPDATED if checked.changed else UNCHANGED)
        report.results.append(RowResult(rownum, checked.sku, outcome))
        report.counts[outcome] += 1
        if outcome != UNCHANGED:
            good.append(checked)
        if progress is not None:
            progress(len(report.results), report.counts[ERROR])
    if dry_run or (all_or_nothing and report.counts[ERROR]) or not good:
        return report
    try:
        with transaction.atomic():
            write_rows(catalog, good, actor=actor, reason=filename[:200])
            audit_record(
                organization_id=organization_id, actor=actor, action="products.import", object_type="catalog.product",
                object_repr=filename[:200], changes={k: [None, v] for k, v in report.counts.items()},
            )
            report.written = True
            if before_commit is not None:
                before_commit(report)
    except IntegrityError:
        report.written = False
        report.file_error = _("Nothing was imported: another change happened meanwhile; try again.")
        return report
    report.written = True
    return report


def import_template_csv() -> str:
    """A header row and one example row, for the import page's download link."""
    example = {"sku": "MILK-6", "name_th": "นมจืด แพ็ค 6", "name_en": "Plain milk 6-pack", "unit": "box",
               "pack_size": "6", "base_price": "72.00", "vat_included": "1", "excluded_from_points": "0",
               "is_active": "1", "barcodes": "8851111000066 SHELF-17"}
    return ",".join(C.COLUMNS) + "\r\n" + ",".join(example.get(c, "") for c in C.COLUMNS) + "\r\n"


__all__ = ["ImportReport", "RowResult", "import_template_csv", "products_import"]


# ------------------------------------------------------------------ in the background (core.background)

BACKGROUND_KIND = "products"
STORED_PROBLEMS = 50_000  # kept for the problems download
STORED_CHANGES = 1000  # the page shows the first rows with a change


@dataclass
class StoredReport:
    """An :class:`ImportReport` as a background import stored it (plain JSON), for the page."""

    format: str = ""
    encoding: str = ""
    dry_run: bool = True
    written: bool = False
    rows: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    file_error: str = ""
    problems: list[RowResult] = field(default_factory=list)
    changes: list[RowResult] = field(default_factory=list)

    @staticmethod
    def of(result: dict[str, Any]) -> StoredReport:
        plain = {k: result[k] for k in ("format", "encoding", "dry_run", "written", "rows", "counts", "file_error")
                 if k in result}
        return StoredReport(**plain, problems=[RowResult(*r) for r in result.get("problems", [])],
                            changes=[RowResult(*r) for r in result.get("changes", [])])


def report_json(report: ImportReport) -> dict[str, Any]:
    def rows(results: list[RowResult], limit: int) -> list[list[Any]]:
        return [[r.row, r.sku, r.outcome, r.column, str(r.reason)] for r in results[:limit]]

    return {
        "format": report.format, "encoding": report.encoding, "dry_run": report.dry_run, "written": report.written,
        "rows": report.rows, "counts": report.counts, "error_count": report.counts.get(ERROR, 0),
        "file_error": str(report.file_error), "problems": rows(report.problems, STORED_PROBLEMS),
        "changes": rows(report.changes, STORED_CHANGES),
    }


def products_import_background(job: Any, progress: Callable[[int, int], None],
                               before_commit: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """The runner of a background product import: the same checks and writes as on the page."""
    options = job.options or {}
    report = products_import(
        organization_id=job.organization_id, actor=Actor(**job.actor), raw=bytes(job.content), filename=job.filename,
        dry_run=bool(options.get("dry_run")), mode=str(options.get("mode", "upsert")),
        all_or_nothing=bool(options.get("all_or_nothing")), progress=progress,
        before_commit=lambda done: before_commit(report_json(done)),
    )
    return report_json(report)
