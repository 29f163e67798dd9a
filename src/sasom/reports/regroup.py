"""Reports whose rows group groups: members by their visits (in the period, or in each month).

The members' visits are one ``GROUP BY member`` over the sales (set-based: one pass, no subquery
per member or per sale), and the bands one more ``GROUP BY`` over that result, in the same SQL
statement: ``SELECT band, COUNT(*), SUM(n) FROM (<the ORM's per-member query>) GROUP BY band``.
Such a report has a few hundred rows at most (bands × periods), computed once per screen
(``Scope.cache``) and shared by its page, its totals and its chart: :class:`ListRows` pages, sorts
and streams them like a ``values()`` queryset.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.db import connections
from django.db.models import QuerySet

from sasom.core.money import money

Bands = tuple[tuple[int, int | None, str], ...]


class ListRows:
    """Rows already computed, with the parts of a ``values()`` queryset the framework uses."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self._rows = rows

    def order_by(self, *fields: str) -> ListRows:
        rows = list(self._rows)
        for name in reversed(fields):  # stable sorts, the last key first
            key = name.lstrip("-")
            rows.sort(key=lambda r: (r.get(key) is not None, r.get(key)), reverse=name.startswith("-"))
        return ListRows(rows)

    def count(self) -> int:
        return len(self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter([dict(r) for r in self._rows])

    def __getitem__(self, item: Any) -> Any:
        if isinstance(item, slice):
            return [dict(r) for r in self._rows[item]]
        return dict(self._rows[item])

    def iterator(self, chunk_size: int | None = None) -> Iterator[dict[str, Any]]:
        return iter(self)


def band_sql(column: str, bands: Bands) -> str:
    """The index of the band ``column`` (a number of visits) falls in, NULL below the first."""
    whens = " ".join(f"WHEN {column} >= {int(low)}" + (f" AND {column} <= {int(high)}" if high else "") + f" THEN {i}"
                     for i, (low, high, _label) in enumerate(bands))
    return f"CASE {whens} END"


def _date(value: Any) -> Any:
    """A truncated period as a date: SQLite gives text, PostgreSQL a timestamp (its local midnight)."""
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    return value.date() if isinstance(value, dt.datetime) else value


def _amount(value: Any) -> Decimal:
    return money(Decimal(str(value))) if value is not None else Decimal("0.00")


def regroup(inner: QuerySet[Any, Any], *, keys: dict[str, str], dates: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Members, visits and amount per ``keys`` (alias: SQL over the inner query's columns) of an
    inner query with one row per member (and period) and its ``n`` (visits) and ``spent``."""
    sql, params = inner.order_by().query.sql_with_params()
    select = [f"{expr} AS {alias}" for alias, expr in keys.items()]
    select += ["COUNT(*) AS members", "SUM(n) AS visits", "SUM(spent) AS amount"]
    group = ", ".join(str(i + 1) for i in range(len(keys)))
    with connections[inner.db].cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(select)} FROM ({sql}) AS per_member GROUP BY {group}", params)
        names = [c[0] for c in cursor.description]
        rows = [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]
    for row in rows:
        row["visits"] = int(row["visits"] or 0)
        row["amount"] = _amount(row["amount"])
        for name in dates:
            row[name] = _date(row[name])
    return rows
