"""Writes the checked rows of an import in chunks of plain statements (no query per row).

New products: one multi-row ``INSERT`` per chunk (``executemany``), their ids read back in one
query, then their barcodes. Changed products: grouped by the fields that changed, one
``UPDATE ... SET <those fields>, updated_at WHERE id = %s`` run for the group's rows (so a POS
syncing by ``updated_at`` sees them); removed barcodes are deleted by id, new ones inserted. Each
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


COLUMNS = {f.attname: f.column for f in Product._meta.concrete_fields}


def _column(name: str) -> str:
    return connection.ops.quote_name(COLUMNS[name])


def _insert(model: type[Product] | type[Barcode], known: list[str], params: list[tuple[Any, ...]]) -> None:
    """``INSERT`` rows of ``known`` columns (attnames), 1,000 a statement; any other column of the
    model gets its field's default."""
    ops = connection.ops
    others = [f for f in model._meta.concrete_fields if not f.primary_key and f.attname not in known]
    defaults = tuple(f.get_db_prep_save(f.get_default(), connection) for f in others)
    columns = {f.attname: f.column for f in model._meta.concrete_fields}
    names = [ops.quote_name(columns[n]) for n in [*known, *(f.attname for f in others)]]
    sql = f"INSERT INTO {ops.quote_name(model._meta.db_table)} ({', '.join(names)}) VALUES ({', '.join(['%s'] * len(names))})"
    with connection.cursor() as cursor:
        for start in range(0, len(params), BATCH):
            cursor.executemany(sql, [(*p, *defaults) for p in params[start : start + BATCH]])


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
    table = connection.ops.quote_name(Product._meta.db_table)
    stamp = _db(now)
    with connection.cursor() as cursor:
        for fields, rows in groups.items():
            sets = ", ".join(f"{_column(f)} = %s" for f in [*fields, "updated_at"])
            sql = f"UPDATE {table} SET {sets} WHERE {_column('id')} = %s"
            params = [(*(_db(r.values[f]) for f in fields), stamp, r.product_id) for r in rows]
            for start in range(0, len(params), BATCH):
                cursor.executemany(sql, params[start : start + BATCH])


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
