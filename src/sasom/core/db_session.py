"""Each new database connection's session settings: PostgreSQL's JIT compiler off (issue 17, speed).

A report's aggregate over a year of sales carries, in its plan, the correlated subqueries that take
returns off a partly returned sale (``salesdata``); they run for a handful of rows, but the planner
costs them for every row, and the total passes ``jit_optimize_above_cost``: PostgreSQL then spends
1.5-2 s compiling a query that runs in 0.1 s (measured on 40,000 sales, B7r in
docs/performance.md). Sasom's other queries are short (a sale posting, a page of a list) and never
gain from JIT either, so every connection turns it off when it opens (one statement per
connection; connections are kept for ``SASOM_CONN_MAX_AGE`` seconds). A ``SET`` rather than the
libpq ``options`` startup parameter, which connection poolers such as PgBouncer refuse.
"""

from __future__ import annotations

from typing import Any


def jit_off(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET jit = off")
