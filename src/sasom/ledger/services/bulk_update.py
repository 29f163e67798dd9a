"""One UPDATE for many rows of a table (the day-end chunk's account balances and document
statuses), where Django's ``bulk_update`` builds a CASE per field and row."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.db import connection
from django.db.models import Field, Model

BULK_BATCH_SIZE = 1000


# field types whose values psycopg sends as they are, once they are of these Python types: for them
# ``get_db_prep_save`` only hands the value back (an aware datetime included, on PostgreSQL)
_PLAIN_FIELDS = frozenset({
    "AutoField", "BigAutoField", "BigIntegerField", "BooleanField", "CharField", "DateTimeField", "ForeignKey",
    "IntegerField", "PositiveBigIntegerField", "PositiveIntegerField", "PositiveSmallIntegerField", "SmallIntegerField",
    "TextField",
})
_PLAIN_TYPES: dict[str, tuple[type, ...]] = {"CharField": (str,), "TextField": (str,), "BooleanField": (bool,),
                                             "DateTimeField": (dt.datetime,)}


def _column_values(column: Field[Any, Any], values: list[Any]) -> list[Any]:
    """One column's values prepared for PostgreSQL as ``get_db_prep_save`` prepares them; a column
    of plain values (ints for integer and key fields, strings for text, aware datetimes, None)
    goes as it is, without a call per value (a chunk's statuses and balances: about 6,000 values)."""
    kind = column.get_internal_type()
    if kind in _PLAIN_FIELDS:
        want = _PLAIN_TYPES.get(kind, (int,))
        if all(v is None or (type(v) in want and (kind != "DateTimeField" or v.tzinfo is not None))
               for v in values):
            return values
    return [column.get_db_prep_save(v, connection) for v in values]


def update_from_values(model: type[Model], fields: list[str], rows: list[tuple[Any, ...]]) -> None:
    """``UPDATE <table> SET f = v.f, ... FROM (VALUES (id, f, ...), ...) v WHERE id = v.id``: one
    statement per ``BULK_BATCH_SIZE`` rows on SQLite (3.33 or later); on PostgreSQL one statement
    whatever the rows, ``FROM unnest(ids, f, ...)`` with one array parameter per column; where
    Django's ``bulk_update`` builds a CASE per field and row (slow to compile). Each row is
    ``(pk, value of fields[0], ...)``; values are prepared by their fields, cast to their types."""
    if not rows:
        return
    meta = model._meta
    # the primary key and the named concrete fields: each a Field with a column
    columns = cast("list[Field[Any, Any]]", [meta.pk, *(meta.get_field(f) for f in fields)])
    names = [c.column for c in columns]
    casts = ", ".join(
        # Field.cast_db_type is Django's (since 2.0); django-stubs 5.2 declares it on ArrayField only
        f"CAST(%s AS {c.cast_db_type(connection)})"  # type: ignore[attr-defined]
        for c in columns
    )
    qn = connection.ops.quote_name
    table = qn(meta.db_table)
    sets = ", ".join(f"{qn(n)} = v.{qn(n)}" for n in names[1:])
    if connection.vendor == "postgresql":  # one array per column: a few parameters, however many rows
        arrays = ", ".join(f"%s::{c.cast_db_type(connection)}[]" for c in columns)  # type: ignore[attr-defined]
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET {sets} FROM unnest({arrays}) AS v ({', '.join(qn(n) for n in names)}) "
                f"WHERE {table}.{qn(names[0])} = v.{qn(names[0])}",
                [_column_values(column, [row[k] for row in rows]) for k, column in enumerate(columns)],
            )
        return
    for start in range(0, len(rows), BULK_BATCH_SIZE):
        part = rows[start : start + BULK_BATCH_SIZE]
        values = ", ".join([f"({casts})"] * len(part))
        params = [
            column.get_db_prep_save(value, connection) for row in part for column, value in zip(columns, row, strict=True)
        ]
        sql = (
            f"WITH v ({', '.join(qn(n) for n in names)}) AS (VALUES {values}) "
            f"UPDATE {table} SET {sets} FROM v WHERE {table}.{qn(names[0])} = v.{qn(names[0])}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
