"""What ``purchases`` reads of the daily line summary (``linesummary``, decision 0012): the rows of
one kind for the scope's period, branches, member type and tier (the member's attributes reachable
as ``member__...``), the stale days of a replica read raw (``summary_mixed``), and the measures."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import Coalesce

from sasom.reports.framework import Scope, branch_filter, tier_filter
from sasom.reports.linesummary import QUANTITY, RAW_COLUMNS, _grouped
from sasom.reports.salesdata import AMOUNT
from sasom.reports.summary_mixed import during, mixed, stale_days
from sasom.reports.summary_models import DailyLineSales


def line_sales(scope: Scope, kind: str) -> QuerySet[DailyLineSales]:
    """The summary's rows of ``kind`` for the scope's period, branches, member type and tier."""
    rows = DailyLineSales.objects.filter(organization_id=scope.organization.pk, kind=kind, day__gte=scope.start_on,
                                         day__lte=scope.end_on, **branch_filter(scope, "branch_id"))
    if scope.member_type is not None:
        rows = rows.filter(member__member_type_id=scope.member_type.pk)
    rows = rows.filter(tier_filter(scope, "member_id"))
    stale = stale_days(scope)
    if not stale:
        return rows
    raw = _grouped(scope.organization.pk, scope.zone, scope.start_at, scope.end_at, kind).filter(
        during("sale__occurred_at", stale, scope.zone))
    return mixed(rows, DailyLineSales, scope.organization.pk, stale, raw, RAW_COLUMNS)


def line_measures() -> dict[str, Any]:
    """The report's measures over summary rows of one kind (a bill is in one row per kind)."""
    return {
        "members": Count("member_id", distinct=True),
        "bills": Coalesce(Sum("bills"), 0),
        "quantity": Coalesce(Sum("quantity"), Decimal("0"), output_field=QUANTITY),
        "amount": Coalesce(Sum("amount"), Decimal("0"), output_field=AMOUNT),
    }
