"""What the ledger tells the ``members`` app about a member, registered from ``LedgerConfig.ready``
(``members.registry``): the data export's points, entries and sales sections, and the purchase
totals the lifecycle tools select on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet, Sum

from sasom.ledger.models import Entry, PointAccount, Sale, SaleLine
from sasom.members.models import Member
from sasom.members.privacy import export_rows, plain
from sasom.members.registry import (
    PurchasesSource,
    Rows,
    register_exporter,
    register_purchases,
)


def export_points(member: Member) -> dict[str, Any]:
    account = PointAccount.objects.filter(member=member).first()
    if account is None:
        return {"spendable": 0, "pending": 0, "debt": 0, "lifetime_earned": 0}
    return {"spendable": account.spendable, "pending": account.pending, "debt": account.debt,
            "lifetime_earned": account.lifetime_earned}


def export_entries(member: Member) -> Rows:
    return export_rows(
        Entry.objects.filter(account__member=member).order_by("occurred_at", "id"),
        ["id", "kind", "sign", "amount", "debt_delta", "reverses_id", "sale__receipt_id", "branch__code",
         "reason", "occurred_at", "recorded_at"],
    )


def export_sales(member: Member) -> Rows:
    sales = list(Sale.objects.filter(member=member).select_related("branch", "terminal").order_by("occurred_at", "id"))
    lines_by_sale: dict[int, Rows] = {}
    line_fields = ["sale_id", "line_no", "sku", "category", "brand", "quantity", "unit_price", "discount", "net",
                   "returned_quantity"]
    for line in export_rows(SaleLine.objects.filter(sale__member=member).order_by("sale_id", "line_no"), line_fields):
        lines_by_sale.setdefault(line.pop("sale_id"), []).append(line)
    return [
        {
            "receipt_id": s.receipt_id, "branch": s.branch.code, "terminal": s.terminal.code if s.terminal else "",
            "document_type": s.document_type, "occurred_at": plain(s.occurred_at), "gross": plain(s.gross),
            "discounts": plain(s.discounts), "net": plain(s.net), "points_earned": s.points_earned,
            "points_used": s.points_used, "status": s.status, "lines": lines_by_sale.get(s.pk, []),
        }
        for s in sales
    ]


def sales_csv_files(sales: Rows) -> dict[str, Rows]:
    """Sales in one file, their lines in another with the receipt number."""
    return {
        "sales": [{k: v for k, v in s.items() if k != "lines"} for s in sales],
        "sale_lines": [{"receipt_id": s["receipt_id"], **line} for s in sales for line in s["lines"]],
    }


def _sales(organization_id: int) -> QuerySet[Sale]:
    return Sale.objects.filter(organization_id=organization_id, voided_at__isnull=True)


def _dates(start: dt.date | None, end: dt.date | None) -> dict[str, dt.date]:
    out: dict[str, dt.date] = {}
    if start:
        out["occurred_at__date__gte"] = start
    if end:
        out["occurred_at__date__lte"] = end
    return out


def purchases_between(
    organization_id: int, member_ids: Iterable[int], start: dt.date | None, end: dt.date | None
) -> dict[int, Decimal]:
    """Net of the member's sales between two dates (inclusive); voided sales excluded, returns not
    subtracted. Members without a sale are absent."""
    ids = list(member_ids)
    totals: dict[int, Decimal] = {}
    for i in range(0, len(ids), 5000):
        rows = (
            _sales(organization_id).filter(member_id__in=ids[i : i + 5000], **_dates(start, end))
            .values("member_id")
            .annotate(total=Sum("net"))
        )
        for row in rows:
            totals[row["member_id"]] = Decimal(row["total"] or 0)
    return totals


def members_bought_since(organization_id: int, since: dt.date) -> QuerySet[Sale, Any]:
    return _sales(organization_id).filter(member__isnull=False, **_dates(since, None)).values("member_id")


def register() -> None:
    register_exporter("points", export_points)
    register_exporter("entries", export_entries)
    register_exporter("sales", export_sales, csv_files=sales_csv_files)
    register_purchases(PurchasesSource(between=purchases_between, buyers_since=members_bought_since))
