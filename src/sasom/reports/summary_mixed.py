"""A summary read over a period with some days not exact (issue 17): on a replica, which cannot
rebuild them, a day never built or written to since its build. Those days are read from the raw
sales, grouped by the builder's own query (``summary._grouped``, ``linesummary._grouped``), the
others from the summary, in one derived table with the summary's columns: ``SELECT ... FROM
summary WHERE day NOT IN (stale) UNION ALL SELECT ... FROM (raw rows of the stale days)``. The
report's queryset is the summary model's as usual (its filters, joins to the member, grouping);
only its ``FROM`` names the derived table (:class:`DerivedTable`), so every report reads a mixed
period exactly as it reads a built one, and gives what the raw sales give."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.db.models import Model, Q, QuerySet
from django.db.models.sql.datastructures import BaseTable

from sasom.reports.framework import Scope
from sasom.reports.replica import summary_rebuilds
from sasom.reports.summary import _bounds, _runs, summary_stale
from sasom.reports.summary_catchup import summary_catch_up


class DerivedTable(BaseTable):
    """The ``FROM`` entry of a model's table replaced by a query with the same columns."""

    def __init__(self, table_name: str, alias: str | None, sql: str, params: tuple[Any, ...]) -> None:
        super().__init__(table_name, alias)
        self.sql, self.params = sql, params

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        return f"({self.sql}) {compiler.quote_name_unless_alias(self.table_alias)}", list(self.params)

    def relabeled_clone(self, change_map: dict[str | None, str]) -> DerivedTable:
        alias = change_map.get(self.table_alias) or self.table_alias
        return DerivedTable(self.table_name, alias, self.sql, self.params)

    @property
    def identity(self) -> tuple[Any, ...]:
        return self.__class__, self.table_name, self.table_alias, self.sql, self.params


def stale_days(scope: Scope) -> list[dt.date]:
    """The period's days the summary cannot answer now, read raw (once per screen): the days
    never built, built in another zone or touched since; on the primary, less the few a page
    rebuilds itself (the newest), the others queued for the worker (``summary_catchup``); on a
    replica, which writes nothing, all of them."""
    if "summary-stale" not in scope.cache:
        stale = summary_stale(organization=scope.organization, start_on=scope.start_on, end_on=scope.end_on)
        if stale and summary_rebuilds():
            stale = set(summary_catch_up(organization=scope.organization, stale=stale))
        scope.cache["summary-stale"] = sorted(stale)
    return list(scope.cache["summary-stale"])


def any_fresh(scope: Scope) -> bool:
    """Whether at least one day of the period can be read from the summary."""
    return len(stale_days(scope)) < (scope.end_on - scope.start_on).days + 1


def during(field: str, days: list[dt.date], zone: zoneinfo.ZoneInfo) -> Q:
    """The rows whose time ``field`` falls on one of ``days`` (local), one range per run of days."""
    condition = Q(pk__in=[])
    for first, last in _runs(days):
        condition |= Q(**{f"{field}__gte": _bounds(first, zone)[0], f"{field}__lt": _bounds(last, zone)[1]})
    return condition


def mixed(rows: QuerySet[Any], model: type[Model], organization_id: int, stale: list[dt.date],
          raw: QuerySet[Any], raw_columns: dict[str, str]) -> QuerySet[Any]:
    """``rows`` (a queryset of the summary ``model``) read from its table for every day but
    ``stale``, and from ``raw`` (the raw rows of those days, grouped as the builder groups them)
    for those: ``raw_columns`` names, per summary column, the raw query's column (or an SQL
    constant); the organization and the id are supplied."""
    columns = [f.column for f in model._meta.concrete_fields]
    fresh_sql, fresh_params = (model._default_manager.filter(organization_id=organization_id)
                               .exclude(day__in=stale).order_by().values_list(*columns).query.sql_with_params())
    raw_sql, raw_params = raw.query.sql_with_params()
    select = ", ".join("0" if c == "id" else "%s" if c == "organization_id" else f"r.{raw_columns.get(c, c)}"
                       for c in columns)
    sql = f"{fresh_sql} UNION ALL SELECT {select} FROM ({raw_sql}) r"
    derived = rows.all()
    alias = derived.query.get_initial_alias()
    table = derived.query.alias_map[alias]
    derived.query.alias_map[alias] = DerivedTable(table.table_name, table.table_alias, sql,
                                                  (*fresh_params, organization_id, *raw_params))
    return derived
