"""CSV and XLSX export of a filtered member list. Exporting personal data is audited."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from sasom.core.audit import Actor, audit_record
from sasom.core.errors import DomainError

from .models import Card, Member

EXPORT_COLUMNS = [
    "code", "member_type", "status", "phone", "title", "first_name", "last_name", "gender", "birth_on",
    "marital_status", "occupation", "email", "line_id", "address_line", "moo", "soi", "road", "subdistrict",
    "district", "province", "postcode", "tags", "erp_debtor_code", "referred_by", "home_branch", "joined_on",
    "expires_on", "marketing_consent", "language", "card_number",
]
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}


def export_rows(queryset: QuerySet[Member]) -> Iterator[list[Any]]:
    members = (
        queryset.select_related("member_type", "home_branch", "referred_by")
        .prefetch_related(Prefetch("cards", queryset=Card.objects.filter(status=Card.Status.ACTIVE).order_by("id"), to_attr="active_cards"))
        .order_by("id")
    )
    for m in members.iterator(chunk_size=2000):
        values = {
            "member_type": m.member_type.code,
            "referred_by": m.referred_by.code if m.referred_by else "",
            "home_branch": m.home_branch.code if m.home_branch else "",
            "tags": ", ".join(m.tags or []),
            "marketing_consent": "1" if m.marketing_consent else "0",
            "card_number": " ".join(c.number for c in m.active_cards),
        }
        row = []
        for col in EXPORT_COLUMNS:
            value = values[col] if col in values else getattr(m, col)
            if value is None:
                value = ""
            elif hasattr(value, "isoformat"):
                value = value.isoformat()
            elif isinstance(value, str) and col != "phone" and value.startswith(_FORMULA_STARTS):
                value = "'" + value  # typed text must not run as a spreadsheet formula
            row.append(value)
        yield row


def members_export(*, organization_id: int, actor: Actor, queryset: QuerySet[Member], fmt: str, filters: dict[str, Any]) -> tuple[bytes, str, str]:
    """The file's bytes, its name and content type. CSV carries a BOM so spreadsheets read Thai."""
    if fmt not in FORMATS:
        raise DomainError("export.format", "csv or xlsx", field="format")
    content_type, ext = FORMATS[fmt]
    count = 0
    if fmt == "csv":
        buf = io.StringIO()
        buf.write("\ufeff")
        writer = csv.writer(buf)
        writer.writerow(EXPORT_COLUMNS)
        for row in export_rows(queryset):
            writer.writerow(row)
            count += 1
        data = buf.getvalue().encode("utf-8")
    else:
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("members")
        ws.append(EXPORT_COLUMNS)
        for row in export_rows(queryset):
            ws.append(row)
            count += 1
        out = io.BytesIO()
        wb.save(out)
        data = out.getvalue()
    audit_record(
        organization_id=organization_id, actor=actor, action="members.export", object_type="members.member",
        object_repr=fmt, changes={"rows": [None, count], "filters": [None, {k: v for k, v in filters.items() if v}]},
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return data, f"members-{stamp}.{ext}", content_type
