"""Statements prepared once per database connection (PostgreSQL ``PREPARE``/``EXECUTE``).

The hot paths (a sale's member look-up, its pricing, its posting) run a handful of fixed
statements per request; their parse and plan are paid once per connection instead of once per
call (docs/performance.md, "The fast path"). PostgreSQL only: callers keep a portable query for
SQLite.
"""

from __future__ import annotations

import weakref
from typing import Any

from django.db import connection

_prepared: weakref.WeakKeyDictionary[Any, set[str]] = weakref.WeakKeyDictionary()


def prepared_rows(name: str, types: str, body: str, params: list[Any]) -> list[tuple[Any, ...]]:
    """Every row of ``body`` (parameters ``$1``..``$n`` of ``types``) run as the prepared
    statement ``name`` on this thread's connection, preparing it first if this connection has
    not yet. A changed ``body`` needs a new ``name`` (a version suffix)."""
    connection.ensure_connection()
    done = _prepared.setdefault(connection.connection, set())
    with connection.cursor() as cursor:
        if name not in done:
            cursor.execute(f"PREPARE {name} ({types}) AS {body}")
            done.add(name)
        cursor.execute(f"EXECUTE {name} ({', '.join(['%s'] * len(params))})", params)
        return list(cursor.fetchall())


def prepared_row(name: str, types: str, body: str, params: list[Any]) -> tuple[Any, ...] | None:
    """The first row of :func:`prepared_rows`, or None."""
    rows = prepared_rows(name, types, body, params)
    return rows[0] if rows else None
