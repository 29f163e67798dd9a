"""The member points summary read from the accounts' balances (docs/decisions/0011).

The raw way (``REPORTS_POINTS_BALANCES = False``) groups *every* entry up to the period's end by
member: a member's whole history for each of its opening and closing balances, however short
the period. But the ledger keeps each account's balance (spendable + pending - debt) equal to the
sum of its entries in the same transaction as every entry (``ledger.testing`` proves it after
every scenario), so for a period ``[start, end)``:

    closing = balance now - the entries from ``end`` on
    opening = closing     - the entries in the period

Only the entries from the period's start on are read: one ``GROUP BY account`` over them (the
period's earned, bought, spent, expired, returned and adjusted, and the net after its end), joined
to every account of the scope (a member without movement still shows a balance). A page in member
code order walks the members in that order and stops at its 50th row.

A branch's entries cannot use the account's balance (a balance is not per branch): a scope limited
to branches reads the raw entries, as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Count, F, IntegerField, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from sasom.ledger.models import Entry, PointAccount
from sasom.reports.framework import Scope, tier_filter

SIGNED = F("sign") * F("amount")
SPENT_KINDS = (Entry.Kind.REDEEM, Entry.Kind.PURCHASE)
RETURN_KINDS = (Entry.Kind.RETURN, Entry.Kind.VOID)
ADJUST_KINDS = (Entry.Kind.ADJUST, Entry.Kind.REVERSE)
MEASURES = ("opening", "earned", "bought", "spent", "expired", "returned", "adjusted", "closing")
# the member's fields under the names the raw (values() over entries) rows use
MEMBER_FIELDS = {"account__member__code": ("m_code", "member__code"),
                 "account__member__first_name": ("m_first", "member__first_name"),
                 "account__member__last_name": ("m_last", "member__last_name"),
                 "account__member__member_type__name": ("m_type", "member__member_type__name")}


def sum_of(expression: Any, condition: Q | None = None) -> Coalesce:
    return Coalesce(Sum(expression, filter=condition, output_field=IntegerField()), 0)


def balances_on() -> bool:
    """Whether the member points summary reads the accounts' balances (on by default); off, it
    groups every entry as it did: the tests compare both."""
    return bool(getattr(settings, "REPORTS_POINTS_BALANCES", True))


def balances_apply(scope: Scope) -> bool:
    """The accounts' balances answer this scope: every branch counts (a balance is not per branch)."""
    return balances_on() and scope.branch_ids is None


def _quote(name: str) -> str:
    return str(connection.ops.quote_name(name))



def _accounts(scope: Scope, *, members: bool = True) -> QuerySet[PointAccount, dict[str, Any]]:
    """The scope's accounts with their balance (and, with ``members``, the member's fields)."""
    accounts = PointAccount.objects.filter(organization_id=scope.organization.pk)
    if scope.member_type is not None:
        accounts = accounts.filter(member__member_type_id=scope.member_type.pk)
    if scope.data.get("code"):
        accounts = accounts.filter(member__code=scope.data["code"].strip())
    accounts = accounts.filter(tier_filter(scope, "member_id"))
    fields = {alias: F(field) for alias, field in MEMBER_FIELDS.values()} if members else {}
    if members:  # the member's organization too: its (organization, code) index gives the page's order
        accounts = accounts.filter(member__organization_id=scope.organization.pk)
    return (accounts.annotate(balance=F("spendable") + F("pending") - F("debt"), **fields)
            .values("id", "balance", *fields).order_by())


def _entries(scope: Scope) -> QuerySet[Entry]:
    """The scope's entries from the period's start on."""
    entries = Entry.objects.filter(organization_id=scope.organization.pk, occurred_at__gte=scope.start_at)
    if scope.member_type is not None:
        entries = entries.filter(account__member__member_type_id=scope.member_type.pk)
    if scope.data.get("code"):
        entries = entries.filter(account__member__code=scope.data["code"].strip())
    return entries.filter(tier_filter(scope, "account__member_id"))


def _measures(scope: Scope) -> dict[str, Any]:
    inside = Q(occurred_at__lt=scope.end_at)
    return {"after": sum_of(SIGNED, Q(occurred_at__gte=scope.end_at)), "inside": sum_of(SIGNED, inside),
            "earned": sum_of("amount", inside & Q(kind=Entry.Kind.EARN)),
            "bought": sum_of("amount", inside & Q(kind=Entry.Kind.BUY)),
            "spent": sum_of("amount", inside & Q(kind__in=SPENT_KINDS)),
            "expired": sum_of("amount", inside & Q(kind=Entry.Kind.EXPIRE)),
            "returned": sum_of(SIGNED, inside & Q(kind__in=RETURN_KINDS)),
            "adjusted": sum_of(SIGNED, inside & Q(kind__in=ADJUST_KINDS))}


def _moved_sql(scope: Scope, names: tuple[str, ...]) -> tuple[str, list[Any]]:
    """Per account: the named measures of its entries from the period's start on, and whether it
    moved in the period; one ``GROUP BY account``."""
    measures = _measures(scope)
    grouped = (Entry.objects.filter(organization_id=scope.organization.pk, occurred_at__gte=scope.start_at)
               .values("account_id").order_by()
               .annotate(moved=Count("id", filter=Q(occurred_at__lt=scope.end_at)),
                         **{k: measures[k] for k in names}))
    sql, params = grouped.query.sql_with_params()
    return sql, list(params)


CLOSING = "a.balance - COALESCE(m.after, 0)"
ROW_FILTER = f"COALESCE(m.moved, 0) > 0 OR {CLOSING} <> 0"


def _member_columns() -> list[str]:
    return [f"a.id AS {_quote('account_id')}",
            *(f"a.{inner} AS {_quote(alias)}" for alias, (inner, _field) in MEMBER_FIELDS.items())]


def summary_sql(scope: Scope) -> tuple[str, list[Any]]:
    """One row per account of the scope that moved in the period or holds points at its end,
    with the raw rows' keys: the scope's accounts joined to their grouped entries."""
    accounts, a_params = _accounts(scope).query.sql_with_params()
    moves, m_params = _moved_sql(scope, tuple(_measures(scope)))
    parts = [*_member_columns(), f"CAST({CLOSING} - COALESCE(m.inside, 0) AS BIGINT) AS opening",
             f"CAST({CLOSING} AS BIGINT) AS closing",
             *(f"CAST(COALESCE(m.{k}, 0) AS BIGINT) AS {k}"
               for k in ("earned", "bought", "spent", "expired", "returned", "adjusted"))]
    sql = (f"SELECT {', '.join(parts)} FROM ({accounts}) a LEFT JOIN ({moves}) m ON m.account_id = a.id "  # noqa: S608
           f"WHERE {ROW_FILTER}")
    return sql, [*a_params, *m_params]


def _probe(scope: Scope, expression: str, *, since: Any, until: Any = None) -> tuple[str, list[Any]]:
    """One account's (``a.id``) entries summed from ``since`` (to ``until``): an index range."""
    until_sql = " AND e.occurred_at < %s" if until is not None else ""
    params = [scope.organization.pk, since] + ([until] if until is not None else [])
    return (f"CAST(COALESCE((SELECT SUM({expression}) FROM {Entry._meta.db_table} e WHERE e.account_id = a.id "  # noqa: S608
            f"AND e.organization_id = %s AND e.occurred_at >= %s{until_sql}), 0) AS BIGINT)", params)


def _when(kinds: tuple[str, ...], value: str) -> str:
    listed = ", ".join(f"'{k}'" for k in kinds)  # Entry.Kind values, not input
    return f"CASE WHEN e.kind IN ({listed}) THEN {value} ELSE 0 END"


def page_sql(scope: Scope) -> tuple[str, list[Any]]:
    """The rows of :func:`summary_sql`, each account's measures probed in its own (account, time)
    index range: a page in a member's order reads its own accounts' entries only."""
    accounts, a_params = _accounts(scope).query.sql_with_params()
    signed, amount = "e.sign * e.amount", "e.amount"
    after, after_p = _probe(scope, signed, since=scope.end_at)
    inside, inside_p = _probe(scope, signed, since=scope.start_at, until=scope.end_at)
    moved, moved_p = _probe(scope, "1", since=scope.start_at, until=scope.end_at)
    closing = f"a.balance - {after}"
    select = [*_member_columns(), f"{closing} - {inside} AS opening", f"{closing} AS closing"]
    params: list[Any] = [*after_p, *inside_p, *after_p]
    for key, kinds, value in (("earned", (Entry.Kind.EARN,), amount), ("bought", (Entry.Kind.BUY,), amount),
                              ("spent", SPENT_KINDS, amount), ("expired", (Entry.Kind.EXPIRE,), amount),
                              ("returned", RETURN_KINDS, signed), ("adjusted", ADJUST_KINDS, signed)):
        probe, probe_p = _probe(scope, _when(tuple(kinds), value), since=scope.start_at, until=scope.end_at)
        select.append(f"{probe} AS {key}")
        params += probe_p
    sql = f"SELECT {', '.join(select)} FROM ({accounts}) a WHERE {moved} > 0 OR {closing} <> 0"  # noqa: S608
    return sql, [*params, *a_params, *moved_p, *after_p]


def summary_count(scope: Scope) -> int:
    """How many rows, without grouping the period's entries: the accounts whose balance less the
    entries after the period is not zero (those after it are few when the period ends today),
    and of the others those with an entry in the period (an index probe each)."""
    accounts, a_params = _accounts(scope, members=False).query.sql_with_params()
    after = (Entry.objects.filter(organization_id=scope.organization.pk, occurred_at__gte=scope.end_at)
             .values("account_id").order_by().annotate(after=sum_of(SIGNED)))
    after_sql, after_params = after.query.sql_with_params()
    moved = (f"EXISTS (SELECT 1 FROM {Entry._meta.db_table} e WHERE e.account_id = a.id "  # noqa: S608
             "AND e.organization_id = %s AND e.occurred_at >= %s AND e.occurred_at < %s)")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({accounts}) a LEFT JOIN ({after_sql}) m "  # noqa: S608
                       f"ON m.account_id = a.id WHERE {CLOSING} <> 0 OR ({CLOSING} = 0 AND {moved})",
                       [*a_params, *after_params, scope.organization.pk, scope.start_at, scope.end_at])
        return int(cursor.fetchone()[0])


def summary_totals(scope: Scope) -> dict[str, Any]:
    """The measures' sums over the rows without grouping by account: the balances' sum and the
    period's entries' sums (an account the rows leave out holds nothing and moved nothing)."""
    balance = _accounts(scope, members=False).aggregate(s=sum_of("balance"))["s"]
    sums = _entries(scope).aggregate(**_measures(scope))
    closing = int(balance) - int(sums.pop("after"))
    return {"opening": closing - int(sums.pop("inside")), **{k: int(v) for k, v in sums.items()}, "closing": closing}


class SqlRows:
    """Rows of one SQL statement with the parts of a ``values()`` queryset the framework uses
    (order, count, a page, a streamed iteration). ``count_of`` gives the count (computed once per
    screen); ``by_member`` is the statement for an order by the member's fields."""

    def __init__(self, sql: str, params: list[Any], *, order: tuple[str, ...] = (), count_of: Any = None,
                 by_member: tuple[str, list[Any]] | None = None) -> None:
        self._sql, self._params, self._order, self._count_of = sql, params, order, count_of
        self._by_member = by_member

    def order_by(self, *fields: str) -> SqlRows:
        return SqlRows(self._sql, self._params, order=fields, count_of=self._count_of, by_member=self._by_member)

    def _ordered(self, *, page: bool = False) -> tuple[str, list[Any]]:
        """The ordered statement; for a page in a member's order, the probing one (every row, as
        an export wants them, is one grouping cheaper than a probe per account)."""
        sql, params = self._sql, self._params
        if page and self._by_member and self._order and all(f.lstrip("-") in MEMBER_FIELDS for f in self._order):
            sql, params = self._by_member
        keys = [f"{_quote(f.lstrip('-'))} {'DESC' if f.startswith('-') else 'ASC'}" for f in self._order]
        keys.append(_quote("account_id"))  # a stable order for pages and chunks
        return f"SELECT * FROM ({sql}) r ORDER BY {', '.join(keys)}", params  # noqa: S608

    def count(self) -> int:
        if self._count_of is not None:
            return int(self._count_of())
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({self._sql}) r", self._params)  # noqa: S608
            return int(cursor.fetchone()[0])

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item: Any) -> Any:
        if not isinstance(item, slice):
            return self[item:item + 1][0]
        start = int(item.start or 0)
        sql, params = self._ordered(page=item.stop is not None)
        limit = "" if item.stop is None else f" LIMIT {int(item.stop) - start}"
        with connection.cursor() as cursor:
            cursor.execute(f"{sql}{limit} OFFSET {start}", params)
            names = [c[0] for c in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return self.iterator()

    def iterator(self, chunk_size: int | None = None) -> Iterator[dict[str, Any]]:
        """Every row, a chunk at a time (a server-side cursor where the database has one)."""
        cursor = connection.chunked_cursor()
        try:
            cursor.execute(*self._ordered())
            names = [c[0] for c in cursor.description]
            while batch := cursor.fetchmany(chunk_size or 2000):
                yield from (dict(zip(names, row, strict=True)) for row in batch)
        finally:
            cursor.close()


def summary_rows(scope: Scope) -> SqlRows:
    """The rows; sorted by a member's field a page probes its own accounts (``page_sql``), sorted
    by a measure every account is grouped once (``summary_sql``)."""

    def count() -> int:
        if "points_summary_count" not in scope.cache:
            scope.cache["points_summary_count"] = summary_count(scope)
        return int(scope.cache["points_summary_count"])

    return SqlRows(*summary_sql(scope), count_of=count, by_member=page_sql(scope))
