"""What a member earned (points) or spent (baht) in a window, net of returns and voids: the
measure every tier decision reads (``tiering``: on a sale, at cut-offs and expiry, in a
re-evaluation; ``tier_card``). Grouped queries, whatever the number of members; and the same
measure of one member as SQL a sale's statements embed (:func:`earned_sql`, :func:`spent_sql`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Sum

from sasom.ledger.models import Entry, Sale, SaleReturn
from sasom.tiers import engine

__all__ = ["earned_sql", "measure_of", "measures", "spent_sql"]


def measures(
    *, organization_id: int, ladder: engine.Ladder, member_ids: Iterable[int], start: dt.datetime,
    end: dt.datetime, end_inclusive: bool = False, exclude_sale_id: int | None = None, where: Any = None,
) -> dict[int, int]:
    """What each member earned (points) or spent (whole baht) in ``[start, end)`` (``end]`` when
    ``end_inclusive``), net of returns and voids: two grouped queries whatever the member count (points: earned, taken back).
    ``where``: a query of the same members' ids to filter on instead of the list (a chunk of a
    cut-off: a subquery costs nothing to send, 2,000 parameters do)."""
    ids = list(member_ids)
    out: dict[int, int] = dict.fromkeys(ids, 0)
    if not ids:
        return out
    members = ids if where is None else where
    before = "lte" if end_inclusive else "lt"
    if ladder.basis == "spend":
        sales = Sale.objects.filter(organization_id=organization_id, member_id__in=members, occurred_at__gte=start,
                                    **{f"occurred_at__{before}": end}).exclude(status=Sale.Status.VOIDED)
        if exclude_sale_id is not None:
            sales = sales.exclude(pk=exclude_sale_id)
        for member_id, net in sales.values_list("member_id").annotate(s=Sum("net")).values_list("member_id", "s"):
            out[member_id] += int(net or 0)
        back = SaleReturn.objects.filter(
            organization_id=organization_id, sale__member_id__in=members, sale__occurred_at__gte=start,
            **{f"sale__occurred_at__{before}": end}).exclude(sale__status=Sale.Status.VOIDED)
        for member_id, net in back.values_list("sale__member_id").annotate(s=Sum("returned_net")).values_list(
                "sale__member_id", "s"):
            out[member_id] = int(Decimal(out[member_id]) - (net or 0))
        return out
    # the earn entries of the window, then the debits that took some of them back: two queries,
    # each driven by the members' accounts (one with an OR joined every entry to its reversed one)
    earned = Entry.objects.filter(organization_id=organization_id, account__member_id__in=members,
                                  kind=Entry.Kind.EARN, occurred_at__gte=start, **{f"occurred_at__{before}": end})
    if exclude_sale_id is not None:
        earned = earned.exclude(sale_id=exclude_sale_id)
    taken = Entry.objects.filter(organization_id=organization_id, account__member_id__in=members, sign=-1,
                                 reverses__kind=Entry.Kind.EARN, reverses__occurred_at__gte=start,
                                 **{f"reverses__occurred_at__{before}": end})
    for rows, sign in ((earned, 1), (taken, -1)):
        for member_id, points in rows.values_list("account__member_id").annotate(s=Sum("amount")).values_list(
                "account__member_id", "s"):
            out[member_id] += sign * int(points or 0)
    return out


def measure_of(*, organization_id: int, ladder: engine.Ladder, member_id: int, start: dt.datetime,
               end: dt.datetime, end_inclusive: bool = False) -> int:
    return measures(organization_id=organization_id, ladder=ladder, member_ids=[member_id], start=start, end=end,
                    end_inclusive=end_inclusive)[member_id]


# ---------------------------------------------------------------- one member, in a sale's statement


def earned_sql(*, organization: str, account: str, start: str, end: str) -> str:
    """A scalar subquery: the points the account earned in ``[start, end]`` net of what its
    returns, voids and reversals took back (:func:`measures` on points, ``end_inclusive``), 0 for
    none or no account. The arguments are SQL expressions (parameters, outer columns); its own
    aliases start with ``w``."""
    e = Entry._meta.db_table
    return (
        f"(SELECT COALESCE(SUM(we.amount * we.sign), 0) FROM {e} we LEFT JOIN {e} wr ON wr.id = we.reverses_id"
        f" WHERE we.organization_id = {organization} AND we.account_id = {account} AND ("
        f"(we.kind = '{Entry.Kind.EARN.value}' AND we.occurred_at >= {start} AND we.occurred_at <= {end})"
        f" OR (we.sign = -1 AND wr.kind = '{Entry.Kind.EARN.value}' AND wr.occurred_at >= {start}"
        f" AND wr.occurred_at <= {end})))"
    )


def spent_sql(*, organization: str, member: str, start: str, end: str) -> str:
    """A scalar subquery: the whole baht the member spent in ``[start, end]`` (:func:`measures` on
    spend, ``end_inclusive``): the net of the sales not voided, truncated, minus what was returned
    of them, truncated again (toward zero, as ``int()`` of the Decimals there)."""
    s, x = Sale._meta.db_table, SaleReturn._meta.db_table
    return (
        f"(SELECT trunc(trunc(COALESCE(SUM(ws.net), 0)) - COALESCE(SUM((SELECT SUM(wx.returned_net) FROM {x} wx"
        f" WHERE wx.sale_id = ws.id AND wx.organization_id = {organization})), 0))::bigint FROM {s} ws"
        f" WHERE ws.organization_id = {organization} AND ws.member_id = {member} AND ws.occurred_at >= {start}"
        f" AND ws.occurred_at <= {end} AND ws.status <> '{Sale.Status.VOIDED.value}')"
    )
