"""Reports served from a read-only replica (``REPORTS_DATABASE``, ``reports.replica``): a second
alias on the same test database, wrapped so that any statement through it but a read fails the
test. On it the report pages, the builder's API and the dashboard write nothing (no summary
rebuild), read days not built (or touched since their build) from the raw sales (and the others
from the summary, in the same query), read the summary once the primary or the nightly job has
built the period, and give the same figures as the primary."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connections
from django.test import override_settings

from sasom.organizations.models import Role, Terminal
from sasom.reports.builder_models import SavedReport
from sasom.reports.summary_models import DailyMemberSales, SummaryDay
from sasom.reports.tests.conftest import _sell, at

pytestmark = pytest.mark.django_db
ALIAS = "reports"
PAGE = "/reports/sales-by-month/?date_from=2026-10-01&date_to=2026-11-15"


class ReadOnlyCursor:
    """A cursor that runs reads only: any other statement fails the test."""

    def __init__(self, cursor: Any, log: list[str]) -> None:
        self._cursor, self._log = cursor, log

    def _check(self, sql: str) -> None:
        head = str(sql).lstrip().upper()
        words = set(head.replace("(", " ").split())
        if not head.startswith(("SELECT", "WITH")) or words & {"INSERT", "UPDATE", "DELETE"}:
            raise AssertionError(f"a write through the read-only alias: {str(sql)[:120]}")
        self._log.append(str(sql))

    def execute(self, sql: str, params: Any = None) -> Any:
        self._check(sql)
        return self._cursor.execute(sql, params)

    def executemany(self, sql: str, params: Any) -> Any:
        self._check(sql)
        return self._cursor.executemany(sql, params)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cursor, name)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._cursor)

    def __enter__(self) -> ReadOnlyCursor:
        return self

    def __exit__(self, *exc: Any) -> None:
        self._cursor.close()


class ReadOnlyAlias:
    """The replica: the primary's connection (so it sees the test's rows), reads only."""

    def __init__(self, inner: Any) -> None:
        self._inner, self.log = inner, []

    def cursor(self) -> ReadOnlyCursor:
        return ReadOnlyCursor(self._inner.cursor(), self.log)

    def chunked_cursor(self) -> ReadOnlyCursor:
        return ReadOnlyCursor(self._inner.chunked_cursor(), self.log)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def read(self, table: str) -> bool:
        return any(table in sql.lower() for sql in self.log)


@contextmanager
def replica() -> Iterator[ReadOnlyAlias]:
    alias = ReadOnlyAlias(connections["default"])
    connections[ALIAS] = alias
    try:
        with override_settings(REPORTS_DATABASE=ALIAS, DATABASE_ROUTERS=["sasom.reports.replica.ReportsRouter"]):
            yield alias
    finally:
        del connections[ALIAS]


def csv_of(client: Any, url: str = PAGE) -> str:
    answer = client.get(url + "&format=csv")
    assert answer.status_code == 200
    return b"".join(answer.streaming_content).decode("utf-8-sig")


def built() -> list[tuple]:
    return list(SummaryDay.objects.order_by("day").values_list("day", "built_at"))


def test_the_wrapper_fails_on_a_write_through_the_alias(org):
    with replica() as alias:
        assert SavedReport.objects.using(ALIAS).count() == 0  # a read passes
        with pytest.raises(AssertionError, match="read-only alias"):
            SavedReport.objects.using(ALIAS).filter(pk=0).update(name="x")
        assert alias.log


def test_report_pages_on_the_replica_write_nothing_and_agree_with_the_primary(shop, staff_client):
    owner = staff_client(Role.OWNER)
    # given nothing summarised yet
    assert built() == []

    # when the report is read on the replica: the page, its CSV, the builder's API, the dashboard
    with replica() as alias:
        page = owner.get(PAGE)
        on_replica = csv_of(owner)
        run = owner.post("/api/v1/reports/builder/run", content_type="application/json", data=json.dumps(
            {"dimensions": ["branch"], "measures": ["bills", "amount"], "period": "custom",
             "date_from": "2026-11-01", "date_to": "2026-11-15"}))
        dashboard = owner.get("/")
    # then nothing was built, every read went through the replica, the raw sales were read
    assert (page.status_code, run.status_code, dashboard.status_code) == (200, 200, 200)
    assert built() == [] and not DailyMemberSales.objects.exists()
    assert alias.read("ledger_sale") and not alias.read("dailymembersales")
    assert run.json()["totals"]["amount"] == "70000.00"

    # and the primary (which rebuilds the period first) gives the same file
    on_primary = csv_of(owner)
    assert on_primary == on_replica and "73500.00" in on_primary
    days = built()
    assert len(days) == 46  # 1 October - 15 November, built by the primary's page

    # once the period is built, the replica reads the summary, and writes nothing still
    with replica() as alias:
        assert csv_of(owner) == on_primary
    assert alias.read("dailymembersales") and built() == days

    # a late bill on a built day: the replica does not rebuild it, it reads that day's raw sales and
    # the other days' summary rows (one query: summary_mixed)
    _sell(shop.org, Terminal.objects.get(code="B1-T1"), "R-LATE", "1000.00", shop.somchai, at(2026, 11, 2, 18))
    with replica() as alias:
        late = csv_of(owner)
    assert built() == days and alias.read("dailymembersales") and alias.read("ledger_sale")
    assert late != on_primary and late == csv_of(owner)  # the primary agrees (after its own rebuild)
    assert "74500.00" in late
