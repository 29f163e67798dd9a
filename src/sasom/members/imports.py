"""CSV import of members: every row checked like a registration, then all rows or none.

A file with a bad row imports nothing (the report names row, column and problem) unless the user
asks for the valid rows only; then exactly the valid rows go in, in one transaction.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_stubs_ext import StrOrPromise

from sasom.core.audit import Actor, audit_record
from sasom.core.errors import DomainError
from sasom.organizations.models import Organization

from .exports import EXPORT_COLUMNS
from .exports import export_rows as member_rows
from .forms import MemberForm
from .models import Consent, CustomField, Member, MemberType
from .services import member_codes_reserve, member_register, member_update
from .validation import member_check

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000  # about two minutes of checking and inserting on the reference machine
COLUMNS = [
    "code", "member_type", "phone", "title", "first_name", "last_name", "gender", "birth_on", "marital_status",
    "occupation", "email", "line_id", "address_line", "moo", "soi", "road", "subdistrict", "district", "province",
    "postcode", "tags", "erp_debtor_code", "referred_by", "home_branch", "joined_on", "expires_on",
    "marketing_consent", "language", "card_number",
]
# The export's columns are all taken back; ``status`` is read for nobody: a status changes through
# its own audited actions (suspend, close, renew), never through a file.
IGNORED_COLUMNS = ["status"]
REQUIRED_COLUMNS = ["phone", "first_name"]
UPDATE_REQUIRED_COLUMNS = ["code"]
# Thai headings that shops' old systems and spreadsheets use.
HEADER_ALIASES = {
    "รหัสสมาชิก": "code", "ประเภทสมาชิก": "member_type", "เบอร์โทร": "phone", "เบอร์โทรศัพท์": "phone",
    "โทรศัพท์": "phone", "มือถือ": "phone", "คำนำหน้า": "title", "ชื่อ": "first_name", "นามสกุล": "last_name",
    "เพศ": "gender", "วันเกิด": "birth_on", "สถานภาพ": "marital_status", "อาชีพ": "occupation", "อีเมล": "email",
    "ไลน์": "line_id", "ที่อยู่": "address_line", "หมู่": "moo", "ซอย": "soi", "ถนน": "road", "ตำบล": "subdistrict",
    "แขวง": "subdistrict", "อำเภอ": "district", "เขต": "district", "จังหวัด": "province", "รหัสไปรษณีย์": "postcode",
    "ความสนใจ": "tags", "รหัสลูกหนี้": "erp_debtor_code", "ผู้แนะนำ": "referred_by", "สาขา": "home_branch",
    "วันที่สมัคร": "joined_on", "วันหมดอายุ": "expires_on", "ยินยอมการตลาด": "marketing_consent",
    "เลขบัตร": "card_number", "หมายเลขบัตร": "card_number", "ภาษา": "language",
}
_TRUE = {"1", "y", "yes", "true", "t", "ใช่", "ยินยอม", "on", "x"}
_GENDER = {"หญิง": "female", "ชาย": "male", "f": "female", "m": "male", "อื่นๆ": "other"}
_LANGUAGE = {"ไทย": "th", "thai": "th", "อังกฤษ": "en", "english": "en", "เปอร์เซีย": "fa", "persian": "fa", "فارسی": "fa"}
_MARITAL = {"โสด": "single", "สมรส": "married", "หย่า": "divorced", "หย่าร้าง": "divorced", "หม้าย": "widowed"}


@dataclass
class RowError:
    row: int
    field: str
    message: StrOrPromise


@dataclass
class ImportReport:
    encoding: str = ""
    rows: int = 0
    valid_rows: int = 0
    imported: int = 0
    errors: list[RowError] = field(default_factory=list)
    file_error: StrOrPromise = ""

    @property
    def bad_rows(self) -> int:
        return len({e.row for e in self.errors if e.row})

    @property
    def ok(self) -> bool:
        return not self.errors and not self.file_error


def decode_csv(raw: bytes) -> tuple[str, str]:
    """Text and the encoding found: UTF-8 (with or without BOM), else Thai TIS-620/CP874."""
    if raw.startswith(codecs.BOM_UTF8):
        return raw[len(codecs.BOM_UTF8):].decode("utf-8"), "UTF-8 (BOM)"
    try:
        return raw.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp874"), "TIS-620"
    except UnicodeDecodeError:
        raise DomainError("import.encoding", _("The file is neither UTF-8 nor TIS-620 text."), field="file") from None


_FORMULA_GUARDED = ("'=", "'+", "'-", "'@")


def _normalize_row(row: dict[str, Any]) -> dict[str, Any]:
    out = {k: (v or "").strip() for k, v in row.items() if k and k not in IGNORED_COLUMNS}
    for k, v in out.items():
        if v.startswith(_FORMULA_GUARDED):
            out[k] = v[1:]  # the export's guard against spreadsheet formulas, taken off
    if out.get("marketing_consent", "").lower() in _TRUE:
        out["marketing_consent"] = "on"
    else:
        out.pop("marketing_consent", None)
    if "gender" in out:
        out["gender"] = _GENDER.get(out["gender"].lower(), out["gender"].lower())
    if "marital_status" in out:
        out["marital_status"] = _MARITAL.get(out["marital_status"], out["marital_status"].lower())
    if "language" in out:
        out["language"] = _LANGUAGE.get(out["language"].lower(), out["language"].lower())
    out["consent_channel"] = Consent.Channel.IMPORT
    return out


def _header_problems(header: list[str], custom_keys: set[str], update: bool = False) -> list[RowError]:
    known = set(COLUMNS) | set(IGNORED_COLUMNS) | {f"custom_{k}" for k in custom_keys}
    problems = []
    unknown = [h for h in header if h not in known]
    if unknown:
        problems.append(RowError(1, ", ".join(unknown), _("Unknown column(s): %(cols)s.") % {"cols": ", ".join(unknown)}))
    missing = [c for c in (UPDATE_REQUIRED_COLUMNS if update else REQUIRED_COLUMNS) if c not in header]
    if missing:
        problems.append(RowError(1, ", ".join(missing), _("Missing column(s): %(cols)s.") % {"cols": ", ".join(missing)}))
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        problems.append(RowError(1, ", ".join(dupes), _("Column(s) given twice: %(cols)s.") % {"cols": ", ".join(dupes)}))
    return problems


def members_import(
    *, organization: Organization, actor: Actor, raw: bytes, valid_only: bool = False, check_only: bool = False,
    filename: str = "", update: bool = False, progress: Callable[[int, int], None] | None = None,
    before_commit: Callable[[ImportReport], None] | None = None,
) -> ImportReport:
    """Check every row of a members CSV and import all of them, the valid ones, or none.

    ``update``: each row names an existing member by ``code`` and changes the columns the file
    has (the others keep their values); a code no member has is a row error. The members export
    is a file this takes back. ``progress(rows, errors)`` is called after each row checked;
    ``before_commit(report)`` inside the transaction that writes (a background import records its
    result there, so the result and the rows commit together)."""
    report = ImportReport()
    if len(raw) > MAX_BYTES:
        report.file_error = _("The file is larger than %(mb)s MB; split it.") % {"mb": MAX_BYTES // (1024 * 1024)}
        return report
    try:
        text, report.encoding = decode_csv(raw)
    except DomainError as e:
        report.file_error = e.message
        return report
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
        header = [HEADER_ALIASES.get(h, h.lower()) for h in header]
    except (StopIteration, csv.Error):
        report.file_error = _("The file is empty or not a CSV file.")
        return report
    definitions = list(CustomField.objects.filter(organization=organization))
    custom_keys = {d.key for d in definitions}
    problems = _header_problems(header, custom_keys, update)
    if problems:
        report.errors = problems
        report.file_error = _("Fix the header row; the columns are: %(cols)s.") % {"cols": ", ".join(COLUMNS)}
        return report

    valid: list[tuple[int, dict[str, Any], str, str]] = []
    seen: dict[tuple[str, str], int] = {}
    try:
        for index, cells in enumerate(reader):
            rownum = index + 2
            if not any(c.strip() for c in cells):
                continue
            report.rows += 1
            if report.rows > MAX_ROWS:
                report.file_error = _("More than %(n)s rows; split the file.") % {"n": MAX_ROWS}
                return report
            if len(cells) != len(header):
                report.errors.append(RowError(rownum, "", _("Expected %(n)s cells, found %(m)s.") % {"n": len(header), "m": len(cells)}))
                continue
            row = dict(zip(header, cells, strict=True))
            row_errors = (_check_update(organization, rownum, row, definitions, seen, valid) if update
                          else _check_row(organization, rownum, row, definitions, seen, valid))
            report.errors.extend(row_errors)
            if progress is not None:
                progress(report.rows, len(report.errors))
    except csv.Error as e:
        report.file_error = _("The CSV is malformed near row %(row)s: %(err)s") % {"row": reader.line_num, "err": e}
        return report
    report.valid_rows = len(valid)
    if check_only or (report.errors and not valid_only) or not valid:
        return report
    try:
        with transaction.atomic():
            if update:
                for _rownum, data, _card, channel in valid:
                    member_update(member=data.pop("_member"), actor=actor, data=data, consent_channel=channel)
            else:
                _prepare(organization, valid)
                for _rownum, data, card_number, channel in valid:
                    member_register(organization=organization, actor=actor, data=data, card_number=card_number,
                                    consent_channel=channel)
            audit_record(
                organization_id=organization.pk, actor=actor,
                action="members.import_update" if update else "members.import", object_type="members.member",
                object_repr=filename[:200],
                changes={"imported": [None, len(valid)], "skipped_rows": [None, report.bad_rows], "encoding": [None, report.encoding]},
            )
            report.imported = len(valid)
            if before_commit is not None:
                before_commit(report)
    except DomainError as e:
        report.imported = 0
        report.file_error = _("Nothing was imported: %(err)s (another change happened meanwhile; try again).") % {"err": e.message}
        return report
    report.imported = len(valid)
    return report


def _prepare(organization: Organization, valid: list[tuple[int, dict[str, Any], str, str]]) -> None:
    """Fill what registration would look up row by row: the default type and generated codes."""
    default_type = (
        MemberType.objects.filter(organization=organization, is_active=True).order_by("-is_default", "sort_order", "code").first()
    )
    today = timezone.localdate()
    needing = []
    for _rownum, data, _card, _channel in valid:
        if data.get("member_type") is None and default_type is not None:
            data["member_type"] = default_type
        data["joined_on"] = data.get("joined_on") or today
        if not data.get("code"):
            needing.append(data)
    typed = {d["code"] for _r, d, _c, _ch in valid if d.get("code")}
    codes = member_codes_reserve(
        organization=organization, wanted=[(d["joined_on"], d.get("home_branch")) for d in needing], also_taken=typed
    )
    for data, code in zip(needing, codes, strict=True):
        data["code"] = code


def _check_row(
    organization: Organization, rownum: int, row: dict[str, str], definitions: list[CustomField],
    seen: dict[tuple[str, str], int], valid: list[tuple[int, dict[str, Any], str, str]],
) -> list[RowError]:
    data = _normalize_row(row)
    form = MemberForm(data=data, organization=organization, creating=True, by_code=True, custom_definitions=definitions)
    if not form.is_valid():
        return [RowError(rownum, f or "", str(m)) for f, msgs in form.errors.items() for m in msgs]
    values = form.member_data()
    card_number = form.cleaned_data.get("card_number") or ""
    errors = [RowError(rownum, e.field or "", e.message)
              for e in member_check(organization_id=organization.pk, data=values, card_number=card_number)]
    for key, value in (("phone", values.get("phone")), ("code", values.get("code")), ("card_number", card_number)):
        if not value:
            continue
        first = seen.get((key, value))
        if first:
            errors.append(RowError(rownum, key, _("Same as row %(row)s.") % {"row": first}))
        else:
            seen[(key, value)] = rownum
    if not errors:
        valid.append((rownum, values, card_number, form.consent_channel_value))
    return errors


def _check_update(
    organization: Organization, rownum: int, row: dict[str, str], definitions: list[CustomField],
    seen: dict[tuple[str, str], int], valid: list[tuple[int, dict[str, Any], str, str]],
) -> list[RowError]:
    """A row of an update: the member by code, the file's columns over the member's own values
    (as the export writes them), checked like an edit of the member file."""
    code = (row.get("code") or "").strip()
    member = Member.objects.filter(organization=organization, code=code).first() if code else None
    if member is None:
        return [RowError(rownum, "code", _("No member has this code."))]
    first = seen.get(("code", code))
    if first:
        return [RowError(rownum, "code", _("Same as row %(row)s.") % {"row": first})]
    seen[("code", code)] = rownum
    current = next(member_rows(Member.objects.filter(pk=member.pk)))
    base = dict(zip(EXPORT_COLUMNS, (str(v) for v in current), strict=True))
    base.update({f"custom_{k}": "" if v is None else str(v) for k, v in (member.custom or {}).items()})
    data = _normalize_row({**base, **row})
    form = MemberForm(data=data, organization=organization, instance=member, creating=False, by_code=True,
                      custom_definitions=definitions)
    if not form.is_valid():
        return [RowError(rownum, f or "", str(m)) for f, msgs in form.errors.items() for m in msgs]
    values = form.member_data()
    errors = [RowError(rownum, e.field or "", e.message)
              for e in member_check(organization_id=organization.pk, data=values, member=member)]
    if not errors:
        valid.append((rownum, {**values, "_member": member}, "", form.consent_channel_value))
    return errors


def import_template_csv() -> str:
    """A header row and one example row, for the import page's download link."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(COLUMNS)
    example = {"phone": "081-234-5678", "title": "นาย", "first_name": "สมชาย", "last_name": "ใจดี", "gender": "male",
               "birth_on": "15/08/2530", "province": "กรุงเทพมหานคร", "tags": "กาแฟ, ขนม", "marketing_consent": "1"}
    w.writerow([example.get(c, "") for c in COLUMNS])
    return buf.getvalue()


# ------------------------------------------------------------------ in the background (core.background)

BACKGROUND_KIND = "members"
STORED_ERRORS = 50_000  # kept for the error download (the page lists the first 500)


@dataclass
class StoredReport:
    """An :class:`ImportReport` as a background import stored it (plain JSON), for the page."""

    encoding: str = ""
    rows: int = 0
    valid_rows: int = 0
    imported: int = 0
    bad_rows: int = 0
    error_count: int = 0
    file_error: str = ""
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.file_error

    @staticmethod
    def of(result: dict[str, Any]) -> StoredReport:
        fields = {k: result[k] for k in ("encoding", "rows", "valid_rows", "imported", "bad_rows", "error_count",
                                         "file_error") if k in result}
        return StoredReport(**fields, errors=[RowError(*e) for e in result.get("errors", [])])


def report_json(report: ImportReport) -> dict[str, Any]:
    return {
        "encoding": report.encoding, "rows": report.rows, "valid_rows": report.valid_rows,
        "imported": report.imported, "bad_rows": report.bad_rows, "error_count": len(report.errors),
        "file_error": str(report.file_error),
        "errors": [[e.row, e.field, str(e.message)] for e in report.errors[:STORED_ERRORS]],
    }


def members_import_background(job: Any, progress: Callable[[int, int], None],
                              before_commit: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """The runner of a background members import: the same checks and writes as on the page."""
    options = job.options or {}
    report = members_import(
        organization=Organization.objects.get(pk=job.organization_id), actor=Actor(**job.actor),
        raw=bytes(job.content), valid_only=bool(options.get("valid_only")), check_only=bool(options.get("check_only")),
        filename=job.filename, update=bool(options.get("update")), progress=progress,
        before_commit=lambda done: before_commit(report_json(done)),
    )
    return report_json(report)
