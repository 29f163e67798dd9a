"""Writes the checked rows of an import in chunks of plain statements (no query per row).

New products: multi-row ``INSERT`` statements of up to 1,000 rows, their ids read back in one
query, then their barcodes the same way. Changed products: grouped by the fields that changed,
``UPDATE ... SET <those fields>, updated_at`` for the group's rows (so a POS syncing by
``updated_at`` sees them): from a ``VALUES`` list of up to 1,000 rows on PostgreSQL, row by row
through ``executemany`` on SQLite; removed barcodes are deleted by id, new ones inserted. Each
updated product gets its audit entry (what changed, old and new), written in bulk as well;
creations are summed up in the import's own entry.

Why not ``bulk_create``/``bulk_update``: on 100,000 products the ORM spent most of the import
preparing values field by field, and ``bulk_update``'s ``CASE WHEN id = ...`` grows with the
square of its batch (docs/decisions/0003-catalog-import.md). The statements are built from the
model's own column names, and a column this module does not know gets the field's default, so
a field added to ``Product`` later is filled as the ORM would fill it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils import timezone

from sasom.core.audit import Actor
from sasom.core.models import AuditEvent

from .models import Barcode, Product
from .rowcheck import CHUNK, FIELDS, Catalog, Checked

BATCH = 1000


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal | dt.date) else value


def audit_events(
    *, organization_id: int, actor: Actor, action: str, items: list[tuple[Product, dict[str, list[Any]]]], reason: str = ""
) -> None:
    """One audit entry per product, as ``core.audit.audit_record`` writes it, in bulk."""
    AuditEvent.objects.bulk_create([
        AuditEvent(
            organization_id=organization_id, actor_kind=actor.kind, actor_user_id=actor.user_id,
            actor_label=actor.label[:200], ip=actor.ip, action=action, object_type="catalog.product",
            object_id=str(product.pk), object_repr=f"{product.sku} {product.name_th}"[:200],
            changes={k: [_plain(old), _plain(new)] for k, (old, new) in changes.items()}, reason=reason,
        )
        for product, changes in items
    ], batch_size=BATCH)


def _db(value: Any) -> Any:
    """A value as the database driver takes it (what the fields' ``get_db_prep_save`` would give)."""
    ops = connection.ops
    if isinstance(value, Decimal):
        return ops.adapt_decimalfield_value(value)
    if isinstance(value, dt.datetime):
        return ops.adapt_datetimefield_value(value)
    if isinstance(value, dt.date):
        return ops.adapt_datefield_value(value)
    return value


FIELDS_BY_ATTNAME = {f.attname: f for f in Product._meta.concrete_fields}
COLUMNS = {name: f.column for name, f in FIELDS_BY_ATTNAME.items()}


def _column(name: str) -> str:
    return connection.ops.quote_name(COLUMNS[name])


def _rows_per_statement(columns: int) -> int:
    limit = connection.features.max_query_params or 65535
    return max(1, min(BATCH, limit // columns))


def _insert(model: type[Product] | type[Barcode], known: list[str], params: list[tuple[Any, ...]]) -> None:
    """Multi-row ``INSERT`` of ``known`` columns (attnames), as many rows a statement as the
    database takes parameters (up to 1,000); any other column gets its field's default."""
    ops = connection.ops
    others = [f for f in model._meta.concrete_fields if not f.primary_key and f.attname not in known]
    defaults = tuple(f.get_db_prep_save(f.get_default(), connection) for f in others)
    columns = {f.attname: f.column for f in model._meta.concrete_fields}
    names = [ops.quote_name(columns[n]) for n in [*known, *(f.attname for f in others)]]
    row = f"({', '.join(['%s'] * len(names))})"
    head = f"INSERT INTO {ops.quote_name(model._meta.db_table)} ({', '.join(names)}) VALUES "
    step = _rows_per_statement(len(names))
    with connection.cursor() as cursor:
        for start in range(0, len(params), step):
            chunk = params[start : start + step]
            cursor.execute(head + ", ".join([row] * len(chunk)), [v for p in chunk for v in (*p, *defaults)])


def _insert_products(org: int, rows: list[Checked], now: dt.datetime) -> dict[str, int]:
    """Insert the new products; their ids by SKU."""
    stamp = _db(now)
    _insert(Product, ["organization_id", "sku", *FIELDS, "created_at", "updated_at"],
            [(org, r.sku, *(_db(r.values[f]) for f in FIELDS), stamp, stamp) for r in rows])
    skus = [r.sku for r in rows]
    if len(skus) > CHUNK:
        return dict(Product.objects.filter(organization_id=org).values_list("sku", "id").iterator(chunk_size=CHUNK))
    return dict(Product.objects.filter(organization_id=org, sku__in=skus).values_list("sku", "id"))


def _update_products(groups: dict[tuple[str, ...], list[Checked]], now: dt.datetime) -> None:
    """One statement per group and chunk on PostgreSQL (``UPDATE ... FROM (VALUES ...)``, each
    value cast to its column's type); on SQLite, where a statement costs no round trip, one
    ``UPDATE`` per row through ``executemany``."""
    table = connection.ops.quote_name(Product._meta.db_table)
    stamp = _db(now)
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        for fields, rows in groups.items():
            names = [*fields, "updated_at"]
            params = [(*(_db(r.values[f]) for f in fields), stamp, r.product_id) for r in rows]
            if not postgres:
                sets = ", ".join(f"{_column(f)} = %s" for f in names)
                sql = f"UPDATE {table} SET {sets} WHERE {_column('id')} = %s"
                for start in range(0, len(params), BATCH):
                    cursor.executemany(sql, params[start : start + BATCH])
                continue
            types = [FIELDS_BY_ATTNAME[f].db_type(connection) for f in [*names, "id"]]
            row = "(" + ", ".join(f"CAST(%s AS {t})" for t in types) + ")"
            aliases = ", ".join(f"c{i}" for i in range(len(types)))
            sets = ", ".join(f"{_column(f)} = v.c{i}" for i, f in enumerate(names))
            step = _rows_per_statement(len(types))
            for start in range(0, len(params), step):
                chunk = params[start : start + step]
                cursor.execute(
                    f"UPDATE {table} SET {sets} FROM (VALUES {', '.join([row] * len(chunk))}) AS v({aliases}) "
                    f"WHERE {table}.{_column('id')} = v.c{len(types) - 1}", [v for p in chunk for v in p])


def write_rows(cat: Catalog, rows: list[Checked], *, actor: Actor, reason: str) -> None:
    org = cat.organization_id
    now = timezone.now()
    new_rows = [r for r in rows if r.product_id is None]
    ids = _insert_products(org, new_rows, now) if new_rows else {}
    barcodes = [(org, ids[r.sku], code) for r in new_rows for code in r.barcodes or ()]

    groups: dict[tuple[str, ...], list[Checked]] = defaultdict(list)
    audits: list[tuple[Product, dict[str, list[Any]]]] = []
    dropped: list[int] = []
    for r in rows:
        if r.product_id is None:
            continue
        groups[tuple(r.changed)].append(r)
        changes = {f: [r.before[f], r.values[f]] for f in r.changed}
        if r.barcodes is not None:
            kept = set(r.barcodes)
            dropped.extend(pk for pk, code in r.old_barcodes if code not in kept)
            old = {code for _pk, code in r.old_barcodes}
            barcodes.extend((org, r.product_id, c) for c in r.barcodes if c not in old)
            changes["barcodes"] = [[c for _pk, c in r.old_barcodes], r.barcodes]
        audits.append((Product(pk=r.product_id, sku=r.sku, name_th=r.values["name_th"]), changes))
    _update_products(groups, now)
    for start in range(0, len(dropped), BATCH):
        Barcode.objects.filter(pk__in=dropped[start : start + BATCH]).delete()
    _insert(Barcode, ["organization_id", "product_id", "code"], barcodes)
    audit_events(organization_id=org, actor=actor, action="product.update", items=audits, reason=reason)
