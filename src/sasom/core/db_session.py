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

import time
from typing import Any, cast

from django.db import connections


def jit_off(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET jit = off")


# ---------------------------------------------------------------- health checks after idle only
#
# Django's ``CONN_HEALTH_CHECKS`` sends ``SELECT 1`` before the first query of every request on a
# kept connection: a round trip per sale, about 15 % of a promoted sale's profile (B1+ in
# docs/performance.md). Without it, a connection that died while idle (the database restarted, a
# firewall dropped it) fails its next request with a 500. The check earns its cost only after the
# connection sat idle, so a connection used by a request that ended less than ``IDLE_SECONDS``
# ago, without an error, is taken as healthy: under load there is no check at all; after a quiet
# moment there is one, before the first query.

IDLE_SECONDS = 5.0


def connections_used(**kwargs: Any) -> None:
    """``request_finished`` (after Django's own handler): when each open connection was last used."""
    now = time.monotonic()
    for conn in connections.all(initialized_only=True):
        if conn.connection is not None:
            cast(Any, conn).sasom_used_at = now


def skip_check_when_busy(**kwargs: Any) -> None:
    """``request_started``: the check (as settings ask) for a connection that sat idle or whose
    last request saw an error; none for one a request used a moment ago. Through
    ``health_check_enabled``, which Django's own handler of the signal leaves alone, so the order
    of the two handlers does not matter (the test client reconnects Django's after each request)."""
    now = time.monotonic()
    for wrapper in connections.all(initialized_only=True):
        conn = cast(Any, wrapper)  # Django's attributes the stubs do not declare
        used = getattr(conn, "sasom_used_at", None)
        busy = used is not None and now - used < IDLE_SECONDS and not conn.errors_occurred
        conn.health_check_enabled = bool(conn.settings_dict.get("CONN_HEALTH_CHECKS")) and not busy
