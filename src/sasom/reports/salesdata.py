"""Members' sales as every sales report counts them: net of returns and voids.

A voided sale is out, and so is a sale returned in full (it left nothing: no amount, no points).
A partly returned sale counts once, its amount lowered by what was returned
(``ledger.SaleReturn.returned_net``) and its points by the points the returns reversed
(``SaleReturn.points_reversed``). A return lowers the sale it belongs to, in the sale's own period
(by the sale's date, not the return's): a month's figures are what that month's bills finally came
to. Both deductions are correlated subqueries on the sale (``SaleReturn.sale`` is indexed), so the
reports still aggregate in the database in one query; they run only for a partly returned sale (a
line only when part of it came back): ``ledger.sale_return`` is the one writer of returns, and it
marks the sale ``partly_returned`` (or ``returned``, which does not count) and raises the line's
``returned_quantity``. Every other sale's amount is its ``net``, with no subquery (issue 17, speed).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    When,
)
from django.db.models.functions import Coalesce

from sasom.core.money import money
from sasom.ledger.models import Sale, SaleReturn, SaleReturnLine
from sasom.reports.framework import Scope, branch_filter, tier_filter

AMOUNT: DecimalField[Decimal, Decimal] = DecimalField(max_digits=16, decimal_places=2)
COUNTED_OUT = (Sale.Status.VOIDED, Sale.Status.RETURNED)


def _returned(field: str, output: Any) -> Any:
    """Σ ``field`` of the sale's returns, 0 without returns."""
    per_sale = (SaleReturn.objects.filter(sale_id=OuterRef("pk")).order_by().values("sale_id")
                .annotate(s=Sum(field)).values("s")[:1])
    zero = Decimal("0") if isinstance(output, DecimalField) else 0
    return Coalesce(Subquery(per_sale, output_field=output), zero, output_field=output)


def net_after_returns() -> Any:
    """The sale's net less what its returns gave back (an expression over a Sale row)."""
    return Case(When(status=Sale.Status.PARTLY_RETURNED, then=F("net") - _returned("returned_net", AMOUNT)),
                default=F("net"), output_field=AMOUNT)


def points_after_returns() -> Any:
    return Case(When(status=Sale.Status.PARTLY_RETURNED,
                     then=F("points_earned") - _returned("points_reversed", IntegerField())),
                default=F("points_earned"), output_field=IntegerField())


def line_net_after_returns() -> Any:
    """A sale line's net less what its return lines gave back (an expression over a SaleLine row)."""
    per_line = (SaleReturnLine.objects.filter(sale_line_id=OuterRef("pk")).order_by().values("sale_line_id")
                .annotate(s=Sum("net")).values("s")[:1])
    returned = Coalesce(Subquery(per_line, output_field=AMOUNT), Decimal("0"), output_field=AMOUNT)
    return Case(When(returned_quantity__gt=0, then=F("net") - returned), default=F("net"), output_field=AMOUNT)


def counted_sales(scope: Scope) -> QuerySet[Sale]:
    """Every sale of the period and branches that still counts (not voided, not wholly returned)."""
    return (Sale.objects.filter(organization_id=scope.organization.pk, occurred_at__gte=scope.start_at,
                                occurred_at__lt=scope.end_at, **branch_filter(scope, "branch_id"))
            .exclude(status__in=COUNTED_OUT))


def member_sales(scope: Scope) -> QuerySet[Sale]:
    """The members' sales that count, for the scope's member type and tier."""
    sales = counted_sales(scope).filter(member__isnull=False)
    if scope.member_type is not None:
        sales = sales.filter(member__member_type_id=scope.member_type.pk)
    return sales.filter(tier_filter(scope, "member_id"))


def measures() -> dict[str, Any]:
    """Members, bills (visits), amount and points of a group of sales, net of returns."""
    return {
        "members": Count("member_id", distinct=True),
        "visits": Count("id"),
        "amount": Coalesce(Sum(net_after_returns(), output_field=AMOUNT), Decimal("0"), output_field=AMOUNT),
        "points": Coalesce(Sum(points_after_returns(), output_field=IntegerField()), 0, output_field=IntegerField()),
    }


def with_average(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for row in rows:
        row["average"] = money(row["amount"] / row["visits"]) if row["visits"] else None
    return rows
