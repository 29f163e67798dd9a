"""The daily line summary (docs/decisions/0012): the members' counted sale lines per local day,
branch, member and category (kind "c"), product (kind "p") or bill (kind "t"), built by the daily
sales summary's builder for the same days (``summary.summary_days_build``), so the marks and the
nightly recount of ``SummaryDay`` keep both exact. Three ``INSERT ... SELECT``, one per kind,
grouping the lines with the expressions ``purchases`` reads raw (``salesdata``: a line less its
returned quantity and its return lines' net; a line returned in full, a voided or wholly returned
bill out), so the two cannot drift."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, DecimalField, F, Sum, Value
from django.db.models.functions import TruncDate

from sasom.ledger.models import SaleLine
from sasom.reports.salesdata import AMOUNT, COUNTED_OUT, line_net_after_returns
from sasom.reports.summary_models import DailyLineSales

ITEMS = {DailyLineSales.CATEGORY: "category", DailyLineSales.PRODUCT: "sku", DailyLineSales.BILL: None}
RAW_COLUMNS = {"kind": "kind_of", "branch_id": "branch_of", "member_id": "member_of", "item": "item_of",
               "quantity": "qty", "amount": "net"}
COLUMNS = ("day", "kind", "branch_id", "member_id", "item", "bills", "quantity", "amount")


QUANTITY: DecimalField[Decimal, Decimal] = DecimalField(max_digits=16, decimal_places=3)


def _grouped(organization_id: int, zone: zoneinfo.ZoneInfo, start: dt.datetime, end: dt.datetime,
             kind: str) -> Any:
    """The members' counted lines of the local days in ``start``..``end`` grouped for ``kind``."""
    field = ITEMS[kind]
    return (SaleLine.objects.filter(organization_id=organization_id, sale__occurred_at__gte=start,
                                    sale__occurred_at__lt=end, sale__member_id__isnull=False,
                                    returned_quantity__lt=F("quantity"))
            .exclude(sale__status__in=COUNTED_OUT).order_by()
            .annotate(day=TruncDate("sale__occurred_at", tzinfo=zone), kind_of=Value(kind),
                      branch_of=F("sale__branch_id"), member_of=F("sale__member_id"),
                      item_of=F(field) if field else Value(""))
            .values("day", "kind_of", "branch_of", "member_of", "item_of")
            .annotate(bills=Count("sale_id", distinct=True),
                      qty=Sum(F("quantity") - F("returned_quantity"), output_field=QUANTITY),
                      net=Sum(line_net_after_returns(), output_field=AMOUNT)))


def lines_build(*, organization_id: int, zone: zoneinfo.ZoneInfo, first: dt.date, last: dt.date,
                start: dt.datetime, end: dt.datetime) -> None:
    """Replace the line rows of the days ``first``..``last`` (local bounds ``start``..``end``); the
    caller holds the days' ``SummaryDay`` locks."""
    DailyLineSales.objects.filter(organization_id=organization_id, kind__in=list(ITEMS), day__gte=first,
                                  day__lte=last).delete()
    table = connection.ops.quote_name(DailyLineSales._meta.db_table)
    select = "s.day, s.kind_of, s.branch_of, s.member_of, s.item_of, s.bills, s.qty, s.net"
    with connection.cursor() as cursor:
        for kind in ITEMS:
            inner, params = _grouped(organization_id, zone, start, end, kind).query.sql_with_params()
            cursor.execute(f"INSERT INTO {table} (organization_id, {', '.join(COLUMNS)}) "  # noqa: S608 (ours)
                           f"SELECT %s, {select} FROM ({inner}) s", [organization_id, *params])
