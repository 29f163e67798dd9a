"""The rows a chunk of day-end sales stores, built straight from the posting plans as plain column
values (no model instance per row), and written with one COPY per table on PostgreSQL.

Each row holds what the ORM writer's objects hold (``sales.sale_object``, ``line_objects``,
``earn_objects``): the plan's own fields, the keys the chunk gave it, and every other column at its
field's default, as ``Model.__init__`` would set it. ``ledger/tests/test_bulk.py`` compares the
stored rows with ``sale_post``'s one by one, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection
from django.db.models import JSONField, Model

from sasom.ledger.models import Entry, Lot, Sale, SaleLine
from sasom.ledger.plan import LineRow, SalePlan, SaleRow

Row = dict[str, Any]

__all__ = ["Row", "copy_earns", "copy_lines", "copy_rows", "copy_sales", "earn_rows", "line_rows", "row_of", "sale_row",
           "take_ids"]


@functools.cache
def _defaults(model: type[Model]) -> tuple[Row, tuple[str, ...]]:
    """The model's column defaults (attname -> value, the primary key left out) and the columns
    whose default is computed per row (those must be given)."""
    fixed: Row = {}
    computed: list[str] = []
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        if f.has_default() and callable(f.default):
            computed.append(f.attname)
        else:
            fixed[f.attname] = f.get_default()
    return fixed, tuple(computed)


def _row(model: type[Model], values: Row) -> Row:
    """``values`` with every other column at its field's default (as ``Model.__init__`` sets it)."""
    fixed, computed = _defaults(model)
    missing = [name for name in computed if name not in values]
    assert not missing, f"{model.__name__} needs {missing}"
    return {**fixed, **values}


row_of = _row


def sale_row(plan: SalePlan, account_id: int | None) -> Row:
    row = plan.sale
    return _row(Sale, {**{f: getattr(row, f) for f in row.__slots__}, "account_id": account_id})


def line_rows(plan: SalePlan) -> list[Row]:
    org = plan.sale.organization_id
    return [_row(SaleLine, {"organization_id": org, **{f: getattr(ln, f) for f in ln.__slots__}}) for ln in plan.lines]


@functools.cache
def _line_layout() -> tuple[str, Callable[[LineRow], tuple[Any, ...]], Callable[[tuple[Any, ...]], tuple[Any, ...]]]:
    """How a plan's line becomes a ``COPY ledger_saleline`` row: the column list, a getter of the
    line's own values (its slots, in order) and a picker that puts (organization, sale, the line's
    values, every default) in column order."""
    fixed, computed = _defaults(SaleLine)
    slots = tuple(LineRow.__slots__)
    given = ("organization_id", "sale_id", *slots)
    defaults = tuple(name for name in fixed if name not in given)
    missing = [name for name in computed if name not in given]
    assert not missing, f"SaleLine needs {missing}"
    fields = [f for f in SaleLine._meta.concrete_fields if not f.primary_key]
    assert not any(isinstance(f, JSONField) for f in fields), "a JSON column of lines needs Jsonb"
    where = {name: k for k, name in enumerate((*given, *defaults))}
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in fields)
    pick = operator.itemgetter(*(where[f.attname] for f in fields))
    return columns, operator.attrgetter(*slots), pick


def copy_lines(plans: Iterable[tuple[SalePlan, int]]) -> None:
    """``COPY ledger_saleline`` of the lines of ``plans`` (each with its sale's id), in plan and
    line order, each row's values taken straight from the plan's ``LineRow`` into the COPY buffer
    (no dict per line); the same values ``line_rows`` gives ``SaleLine(**row)`` (PostgreSQL)."""
    columns, values_of, pick = _line_layout()
    fixed, _computed = _defaults(SaleLine)
    given = {"organization_id", "sale_id", *LineRow.__slots__}
    defaults = tuple(value for name, value in fixed.items() if name not in given)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {connection.ops.quote_name(SaleLine._meta.db_table)} ({columns}) FROM STDIN"
                                ) as copy:
            write = copy.write_row
            for plan, sale_id in plans:
                head = (plan.sale.organization_id, sale_id)
                for ln in plan.lines:
                    write(pick((*head, *values_of(ln), *defaults)))


@functools.cache
def _layout(model: type[Model], given: tuple[str, ...]) -> tuple[str, Callable[[tuple[Any, ...]], tuple[Any, ...]],
                                                               tuple[Any, ...]]:
    """How values given in the order ``given`` (attnames; the primary key written when ``id`` is one
    of them) become a ``COPY <table>`` row: the column list, a picker that puts (the given values,
    then every other column's default) in column order, and those defaults."""
    fixed, computed = _defaults(model)
    missing = [name for name in computed if name not in given]
    assert not missing, f"{model.__name__} needs {missing}"
    rest = tuple(name for name in fixed if name not in given)
    fields = [f for f in model._meta.concrete_fields if not (f.primary_key and "id" not in given)]
    assert not any(isinstance(f, JSONField) and f.attname in rest for f in fields), "a JSON default needs Jsonb"
    where = {name: k for k, name in enumerate((*given, *rest))}
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in fields)
    return columns, operator.itemgetter(*(where[f.attname] for f in fields)), tuple(fixed[name] for name in rest)


_SALE_SLOTS = tuple(name for name in SaleRow.__slots__ if name != "explanation")
_SALE_GIVEN = ("id", "account_id", *_SALE_SLOTS, "explanation")
_ENTRY_GIVEN = ("id", "organization_id", "account_id", "kind", "sign", "amount", "debt_delta", "occurred_at",
                "recorded_at", "sale_id", "branch_id", "terminal_id", "source_type", "source_id", "staff_user_id",
                "actor_label", "explanation")
_LOT_GIVEN = ("organization_id", "account_id", "entry_id", "amount", "remaining", "earned_at", "expires_on",
              "pending_until", "is_pending")


def _copy(model: type[Model], given: tuple[str, ...], rows: Iterable[tuple[Any, ...]]) -> None:
    """``COPY`` of ``rows``, each the values of ``given`` in that order (PostgreSQL)."""
    columns, pick, defaults = _layout(model, given)
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {qn(model._meta.db_table)} ({columns}) FROM STDIN") as copy:
            write = copy.write_row
            for values in rows:
                write(pick((*values, *defaults)))


def copy_sales(sales: Iterable[tuple[SalePlan, int, int | None]]) -> None:
    """``COPY ledger_sale`` of (plan, the sale's id, its account's id) in order, each row's values
    taken from the plan's ``SaleRow`` into the COPY buffer (no dict per sale): what ``sale_row``
    gives ``Sale(**row)`` (PostgreSQL)."""
    from psycopg.types.json import Jsonb

    values_of = operator.attrgetter(*_SALE_SLOTS)
    _copy(Sale, _SALE_GIVEN, ((sale_id, account_id, *values_of(plan.sale), Jsonb(plan.sale.explanation))
                              for plan, sale_id, account_id in sales))


def copy_earns(earns: Sequence[tuple[SalePlan, int, int, int]]) -> None:
    """``COPY`` of the earn entries and their lots of (plan, the entry's id, the sale's id, the
    account's id), in order: what ``earn_rows`` gives ``Entry(**row)`` and ``Lot(**row)`` (PostgreSQL)."""
    from psycopg.types.json import Jsonb

    earn = Entry.Kind.EARN.value
    entries = []
    for plan, entry_id, sale_id, account_id in earns:
        row, e = plan.sale, plan.earn
        assert e is not None
        entries.append((entry_id, row.organization_id, account_id, earn, 1, e.amount, -e.debt_paid, row.occurred_at,
                        row.recorded_at, sale_id, row.branch_id, row.terminal_id, "sale", row.receipt_id,
                        row.staff_user_id, row.actor_label, Jsonb(e.explanation)))
    lots = [(plan.sale.organization_id, account_id, entry_id, e.lot_amount, e.lot_amount, plan.sale.occurred_at,
             e.expires_on, e.pending_until, e.is_pending)
            for plan, entry_id, _sale_id, account_id in earns if (e := plan.earn) is not None and e.lot_amount]
    for model, given, rows in ((Entry, _ENTRY_GIVEN, entries), (Lot, _LOT_GIVEN, lots)):
        if rows:
            _copy(model, given, rows)


def earn_rows(plan: SalePlan, account_id: int) -> tuple[Row, Row | None]:
    """The plan's earn entry and its lot (none when the account's debt took every point), as
    ``sales.earn_objects`` makes them; the sale's and the entry's ids are filled in later."""
    earn, row = plan.earn, plan.sale
    assert earn is not None
    entry = _row(Entry, dict(
        organization_id=row.organization_id, account_id=account_id, kind=Entry.Kind.EARN, sign=1, amount=earn.amount,
        debt_delta=-earn.debt_paid, occurred_at=row.occurred_at, recorded_at=row.recorded_at, sale_id=None,
        branch_id=row.branch_id, terminal_id=row.terminal_id, source_type="sale", source_id=row.receipt_id,
        staff_user_id=row.staff_user_id, actor_label=row.actor_label, explanation=earn.explanation,
    ))
    lot = None
    if earn.lot_amount:
        lot = _row(Lot, dict(
            organization_id=row.organization_id, account_id=account_id, entry_id=None, amount=earn.lot_amount,
            remaining=earn.lot_amount, earned_at=row.occurred_at, expires_on=earn.expires_on,
            pending_until=earn.pending_until, is_pending=earn.is_pending,
        ))
    return entry, lot


def take_ids(model: type[Model], count: int) -> list[int]:
    """``count`` new ids from the table's sequence (PostgreSQL), one query."""
    if not count:
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                       [model._meta.db_table, count])
        return [pk for (pk,) in cursor.fetchall()]


def copy_rows(model: type[Model], rows: Sequence[Row]) -> None:
    """``COPY <table> (every column; the id when the rows have one) FROM STDIN`` of ``rows``
    (PostgreSQL); JSON as ``Jsonb``."""
    if not rows:
        return
    from psycopg.types.json import Jsonb

    fields = [f for f in model._meta.concrete_fields if not (f.primary_key and "id" not in rows[0])]
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in fields)
    json_at = [i for i, f in enumerate(fields) if isinstance(f, JSONField)]
    names = [f.attname for f in fields]
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {qn(model._meta.db_table)} ({columns}) FROM STDIN") as copy:
            for row in rows:
                values = [row[name] for name in names]
                for i in json_at:
                    values[i] = Jsonb(values[i])
                copy.write_row(values)
