"""Day-end batches of sale documents from an ERP (CSV or JSON Lines).

The file is read as a stream: memory holds one chunk of documents at a time, staged rows are
written in chunks, and documents seen twice are found by querying the chunk's keys among the rows
already staged (not with a set of every key), so a 200,000-document file needs no more memory
than a 20,000-document one. Parsing stages every document (valid or rejected with a reason);
calculating posts the pending ones a chunk at a time with ``ledger.services.sales_post_bulk`` (the
same rows as the real-time API's ``sale_post``, set-based), each chunk in one transaction that also
marks its staged documents, so a run killed midway resumes where it stopped and never posts a
document twice (the sale's unique receipt key guards even against two runs at once).

CSV: one row per sale line, UTF-8 (with or without BOM) or TIS-620/CP874, header row required.
Rows of one document must follow each other. Columns (see docs/api.md):

    branch, document_type, document_number, occurred_at, sku, quantity, unit_price     (required)
    debtor_code | member_code | phone | card, category, brand, line_discount,
    bill_discount, bag_declined, salesperson, plan                                   (optional)

JSON Lines: one document per line, the body of ``POST /api/v1/sales`` plus ``document_number``
and, in ``member``, optionally ``debtor_code``.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import zoneinfo
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from sasom.earning import engine
from sasom.integrations.batch_copy import documents_write
from sasom.integrations.errors import E_BAD_FILE, E_MISSING_COLUMNS  # noqa: F401  (codes live in errors.py)
from sasom.integrations.models import BatchDocument, SaleBatch
from sasom.organizations.models import Branch, Organization

REQUIRED_COLUMNS = ("branch", "document_type", "document_number", "occurred_at", "sku", "quantity", "unit_price")
OPTIONAL_COLUMNS = (
    "debtor_code", "member_code", "phone", "card", "category", "brand", "line_discount",
    "bill_discount", "bag_declined", "salesperson", "plan",
)
DOCUMENT_TYPES = engine.DOCUMENT_TYPES  # one list for the API, the batches and the rules
STAGE_CHUNK = 1000
MAX_LINES_PER_DOCUMENT = 1000



class BatchFileError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class ParsedDocument:
    row_no: int
    branch_code: str = ""
    document_type: str = ""
    document_number: str = ""
    payload: dict[str, Any] = field(default_factory=dict)
    reason_code: str = ""
    reason: str = ""
    # set on documents that carry a key: the code and reason if the key was staged before
    duplicate: tuple[str, str] | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.branch_code, self.document_type, self.document_number)

    def reject(self, code: str, reason: str) -> None:
        if not self.reason_code:
            self.reason_code, self.reason = code, reason[:300]


def open_text(raw: IO[bytes]) -> IO[str]:
    """Decode UTF-8 (BOM or not); a file whose first 64 KB is not UTF-8 is read as TIS-620/CP874."""
    head = raw.read(65536)
    raw.seek(0)
    if head.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    else:
        try:
            # A multi-byte character may be cut at the end of the sample.
            head.decode("utf-8") if len(head) < 65536 else head[:-4].decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError:
            encoding = "cp874"
    return io.TextIOWrapper(raw, encoding=encoding, errors="strict", newline="")


def _decimal(value: Any, name: str, doc: ParsedDocument, *, minimum: Decimal | None = Decimal("0")) -> str:
    text = str(value if value is not None else "").strip().replace(",", "")
    if text == "":
        text = "0"
    try:
        number = Decimal(text)
    except InvalidOperation:
        doc.reject("invalid_number", f"{name}: '{value}' is not a number")
        return "0"
    if not number.is_finite() or (minimum is not None and number < minimum):
        doc.reject("invalid_number", f"{name}: {value} is out of range")
        return "0"
    exponent = number.as_tuple().exponent  # an int: the number is finite
    if (isinstance(exponent, int) and exponent < -4) or abs(number) >= Decimal("1e11"):
        doc.reject("invalid_number", f"{name}: {value} has too many digits")
        return "0"
    return str(number)


def _when(value: str, tz: zoneinfo.ZoneInfo, doc: ParsedDocument) -> str:
    text = (value or "").strip()
    parsed = None
    try:
        parsed = parse_datetime(text.replace(" ", "T", 1) if "T" not in text else text)
    except ValueError:
        parsed = None
    if parsed is None:
        doc.reject("invalid_datetime", f"occurred_at: '{value}' is not a date and time (YYYY-MM-DD HH:MM)")
        return ""
    if timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=tz)
    return parsed.isoformat()


def _flag(value: Any) -> bool:
    return str(value).strip().lower() in {"1", "true", "yes", "y", "t"}


def _member_ref(source: dict[str, Any]) -> dict[str, str]:
    return {k: str(source[k]).strip() for k in ("debtor_code", "member_code", "code", "phone", "card")
            if source.get(k) not in (None, "")}


def _check_document(doc: ParsedDocument, business_on: dt.date, tz: zoneinfo.ZoneInfo) -> None:
    if not doc.branch_code:
        doc.reject("missing_branch", "branch is empty")
    if not doc.document_number:
        doc.reject("missing_document_number", "document_number is empty")
    if len(doc.document_number) > 50:
        doc.reject("invalid_document_number", "document_number is longer than 50 characters")
    if doc.document_type not in DOCUMENT_TYPES:
        doc.reject("unknown_document_type", f"document_type '{doc.document_type}' is not one of {', '.join(DOCUMENT_TYPES)}")
    lines = doc.payload.get("lines") or []
    if not lines:
        doc.reject("no_lines", "the document has no lines")
    if len(lines) > MAX_LINES_PER_DOCUMENT:
        doc.reject("too_many_lines", f"more than {MAX_LINES_PER_DOCUMENT} lines")
    for line in lines:
        if not line.get("sku"):
            doc.reject("missing_sku", f"line {line.get('line_no')}: sku is empty")
        if Decimal(line["quantity"]) <= 0:
            doc.reject("invalid_quantity", f"line {line.get('line_no')}: quantity must be above 0")
        if Decimal(line["discount"]) > Decimal(line["quantity"]) * Decimal(line["unit_price"]):
            doc.reject("discount_exceeds_amount", f"line {line.get('line_no')}: discount is more than the line amount")
    when = doc.payload.get("occurred_at")
    if when and not doc.reason_code:
        local = dt.datetime.fromisoformat(when).astimezone(tz).date()
        if local != business_on:
            doc.reject("wrong_business_date", f"occurred_at is on {local}, not the batch's business date {business_on}")


def iter_csv_documents(text: IO[str], business_on: dt.date, tz: zoneinfo.ZoneInfo) -> Iterator[ParsedDocument]:
    reader = csv.DictReader(text)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise BatchFileError(E_MISSING_COLUMNS, f"Missing columns: {', '.join(missing)}. The header must name: "
                             f"{', '.join(REQUIRED_COLUMNS)} (optional: {', '.join(OPTIONAL_COLUMNS)}).")
    reader.fieldnames = header
    doc: ParsedDocument | None = None
    key: tuple[str, str, str] | None = None
    try:
        for row_no, row in enumerate(reader, start=2):
            if None in row:
                extra = ParsedDocument(row_no=row_no)
                extra.reject("too_many_fields", f"row {row_no} has more fields than the header")
                yield extra
                continue
            row = {k: (v or "").strip() for k, v in row.items()}
            row_key = (row["branch"], row["document_type"], row["document_number"])
            if row_key != key:
                if doc is not None:
                    _check_document(doc, business_on, tz)
                    yield doc
                key = row_key
                doc = ParsedDocument(row_no=row_no, branch_code=row_key[0][:20], document_type=row_key[1][:32],
                                     document_number=row_key[2][:64])
                doc.duplicate = (NOT_CONTIGUOUS, "rows of this document are not next to each other (or the "
                                 "document appears twice in the file): the whole document is rejected")
                doc.payload = {
                    "occurred_at": _when(row["occurred_at"], tz, doc),
                    "member": _member_ref(row),
                    "bill_discount": _decimal(row.get("bill_discount"), "bill_discount", doc),
                    "bag_declined": _flag(row.get("bag_declined", "")),
                    "salesperson": row.get("salesperson", "")[:64],
                    "plan": row.get("plan", "")[:40],
                    "lines": [],
                }
            assert doc is not None
            lines = doc.payload["lines"]
            lines.append({
                "line_no": len(lines) + 1,
                "sku": row["sku"][:64],
                "category": row.get("category", "")[:64],
                "brand": row.get("brand", "")[:64],
                "quantity": _decimal(row["quantity"], f"line {len(lines) + 1} quantity", doc),
                "unit_price": _decimal(row["unit_price"], f"line {len(lines) + 1} unit_price", doc),
                "discount": _decimal(row.get("line_discount"), f"line {len(lines) + 1} line_discount", doc),
            })
    except UnicodeDecodeError as exc:
        raise BatchFileError(E_BAD_FILE, f"The file is not valid text in its encoding ({exc.reason}).") from None
    except csv.Error as exc:
        raise BatchFileError(E_BAD_FILE, f"The CSV is malformed: {exc}") from None
    if doc is not None:
        _check_document(doc, business_on, tz)
        yield doc


def iter_jsonl_documents(text: IO[str], business_on: dt.date, tz: zoneinfo.ZoneInfo) -> Iterator[ParsedDocument]:
    try:
        for row_no, raw_line in enumerate(text, start=1):
            if not raw_line.strip():
                continue
            doc = ParsedDocument(row_no=row_no)
            try:
                body = json.loads(raw_line)
                if not isinstance(body, dict):
                    raise ValueError("not an object")
            except ValueError as exc:
                doc.reject("invalid_json", f"line {row_no} is not a JSON object: {exc}")
                yield doc
                continue
            doc.branch_code = str(body.get("branch", ""))[:20]
            doc.document_type = str(body.get("document_type", "retail_receipt"))[:32]
            doc.document_number = str(body.get("document_number") or body.get("receipt_id") or "")[:64]
            doc.duplicate = ("duplicate_in_file", "this document appears twice in the file")
            lines_in, member_in = body.get("lines"), body.get("member")
            raw_lines = lines_in if isinstance(lines_in, list) else []
            member = member_in if isinstance(member_in, dict) else {}
            doc.payload = {
                "occurred_at": _when(str(body.get("occurred_at", "")), tz, doc),
                "member": _member_ref(member),
                "bill_discount": _decimal(body.get("bill_discount"), "bill_discount", doc),
                "bag_declined": bool(body.get("bag_declined", False)),
                "salesperson": str(body.get("salesperson", ""))[:64],
                "plan": str(body.get("plan", body.get("campaign_plan", "")))[:40],
                "lines": [
                    {
                        "line_no": i,
                        "sku": str(line.get("sku", ""))[:64],
                        "category": str(line.get("category", ""))[:64],
                        "brand": str(line.get("brand", ""))[:64],
                        "quantity": _decimal(line.get("quantity"), f"line {i} quantity", doc),
                        "unit_price": _decimal(line.get("unit_price"), f"line {i} unit_price", doc),
                        "discount": _decimal(line.get("discount"), f"line {i} discount", doc),
                    }
                    for i, line in enumerate((x for x in raw_lines if isinstance(x, dict)), start=1)
                ],
            }
            _check_document(doc, business_on, tz)
            yield doc
    except UnicodeDecodeError as exc:
        raise BatchFileError(E_BAD_FILE, f"The file is not valid text in its encoding ({exc.reason}).") from None


def _chunks(items: Iterable[ParsedDocument], size: int) -> Iterator[list[ParsedDocument]]:
    chunk: list[ParsedDocument] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


NOT_CONTIGUOUS = "document_not_contiguous"
NOT_CONTIGUOUS_WHOLE = ("rows of this document are not next to each other (row {row}): the whole document is "
                        "rejected, so that none of it is posted without the rest; send its rows together")


def _mark_duplicates(batch: SaleBatch, chunk: list[ParsedDocument]) -> int:
    """Reject the documents of ``chunk`` whose key was staged before in this batch (one indexed
    query per chunk) or comes earlier in the chunk. Memory stays flat whatever the file's size:
    the staged rows remember the keys, not a set in the parser. The duplicate's reason wins over
    any other (it is the first thing said about such a document).

    CSV rows of one document that are not next to each other make two parts of one key: neither
    can be posted without the other, so the earlier part is rejected too (in the chunk, or among
    the rows staged before: the number of those is returned, for the batch's counter). A document
    is posted whole or not at all."""
    keyed = [doc for doc in chunk if doc.duplicate is not None]
    numbers = {doc.document_number for doc in keyed}
    seen = set(
        BatchDocument.objects.filter(batch=batch, document_number__in=numbers)
        .values_list("branch_code", "document_type", "document_number")
    ) if numbers else set()
    first_in_chunk: dict[tuple[str, str, str], ParsedDocument] = {}
    split: dict[tuple[str, str, str], int] = {}  # key -> row of its later part
    for doc in keyed:
        if doc.key in seen and doc.duplicate is not None:  # always set on a keyed document
            doc.reason_code, doc.reason = doc.duplicate
            if doc.duplicate[0] == NOT_CONTIGUOUS:
                split.setdefault(doc.key, doc.row_no)
                earlier = first_in_chunk.get(doc.key)
                if earlier is not None and not earlier.reason_code:
                    earlier.reason_code = NOT_CONTIGUOUS
                    earlier.reason = NOT_CONTIGUOUS_WHOLE.format(row=doc.row_no)[:300]
        else:
            first_in_chunk.setdefault(doc.key, doc)
        seen.add(doc.key)
    rejected_before = 0
    for (branch_code, document_type, number), row_no in sorted(split.items()):
        rejected_before += BatchDocument.objects.filter(
            batch=batch, branch_code=branch_code, document_type=document_type, document_number=number,
            status=BatchDocument.Status.PENDING,
        ).update(
            status=BatchDocument.Status.REJECTED, reason_code=NOT_CONTIGUOUS,
            reason=NOT_CONTIGUOUS_WHOLE.format(row=row_no)[:300],
        )
    return rejected_before


def batch_stage(*, batch: SaleBatch, raw: IO[bytes]) -> SaleBatch:
    """Parse ``raw`` into staged documents. All or nothing: a broken file stages no document."""
    org = Organization.objects.get(pk=batch.organization_id)
    tz = zoneinfo.ZoneInfo(org.time_zone)
    branches = set(Branch.objects.filter(organization_id=org.id, is_active=True).values_list("code", flat=True))
    parse = iter_csv_documents if batch.format == SaleBatch.Format.CSV else iter_jsonl_documents
    total = rejected = 0
    try:
        # Each chunk commits on its own so the progress bar moves; a broken file removes what it
        # staged, so a failed upload leaves nothing behind.
        for chunk in _chunks(parse(open_text(raw), batch.business_on, tz), STAGE_CHUNK):
            rejected += _mark_duplicates(batch, chunk)
            rows = []
            for doc in chunk:
                if doc.branch_code and doc.branch_code not in branches:
                    doc.reject("unknown_branch", f"branch '{doc.branch_code}' is not a branch of this organization")
                rows.append(dict(
                    organization_id=org.id, batch_id=batch.pk, row_no=doc.row_no, branch_code=doc.branch_code,
                    document_type=doc.document_type, document_number=doc.document_number,
                    payload=doc.payload,
                    status=BatchDocument.Status.REJECTED if doc.reason_code else BatchDocument.Status.PENDING,
                    reason_code=doc.reason_code, reason=doc.reason,
                ))
                total += 1
                rejected += bool(doc.reason_code)
            with transaction.atomic():
                documents_write(rows)  # COPY on PostgreSQL
                SaleBatch.objects.filter(pk=batch.pk).update(documents_total=total, documents_rejected=rejected)
        SaleBatch.objects.filter(pk=batch.pk).update(
            status=SaleBatch.Status.PARSED, documents_total=total, documents_rejected=rejected
        )
    except BatchFileError as exc:
        with transaction.atomic():
            BatchDocument.objects.filter(batch=batch).delete()
            SaleBatch.objects.filter(pk=batch.pk).update(
                status=SaleBatch.Status.FAILED, error=f"{exc.code}: {exc.message}",
                documents_total=0, documents_rejected=0,
            )
    batch.refresh_from_db()
    return batch


# Posting lives in ``batch_post`` (this module is the file side); callers import it from here.
from sasom.integrations.batch_post import batch_calculate  # noqa: E402, F401
