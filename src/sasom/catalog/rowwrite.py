"""Writes the checked rows of an import with bulk statements, in chunks (no query per row).

New products: one ``bulk_create`` per chunk, then their barcodes. Changed products: grouped by
the fields that changed, one ``bulk_update`` of just those fields (and ``updated_at``, so a POS
syncing by it sees them) per group and chunk; their removed barcodes are deleted by id, the new
ones inserted. Each updated product gets its audit entry (what changed, old and new), written in
bulk as well; creations are summed up in the import's own entry.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.utils import timezone

from sasom.core.audit import Actor
from sasom.core.models import AuditEvent

from .models import Barcode, Product
from .rowcheck import Catalog, Checked

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


def write_rows(cat: Catalog, rows: list[Checked], *, actor: Actor, reason: str) -> None:
    org = cat.organization_id
    now = timezone.now()
    new_rows = [r for r in rows if r.product_id is None]
    created = [Product(organization_id=org, sku=r.sku, **r.values) for r in new_rows]
    Product.objects.bulk_create(created, batch_size=BATCH)
    missing = [p.sku for p in created if p.pk is None]
    if missing:  # a database that cannot return the new ids
        ids = dict(Product.objects.filter(organization_id=org, sku__in=missing).values_list("sku", "id"))
        for p in created:
            p.pk = p.pk or ids[p.sku]
    barcodes = [Barcode(organization_id=org, product_id=p.pk, code=code)
                for r, p in zip(new_rows, created, strict=True) for code in r.barcodes or ()]

    groups: dict[tuple[str, ...], list[Product]] = defaultdict(list)
    audits: list[tuple[Product, dict[str, list[Any]]]] = []
    dropped: list[int] = []
    for r in rows:
        if r.product_id is None:
            continue
        product = Product(pk=r.product_id, organization_id=org, sku=r.sku, updated_at=now,
                          **{f: r.values[f] for f in r.changed})
        product.name_th = r.values["name_th"]
        groups[tuple(r.changed)].append(product)
        changes = {f: [r.before[f], r.values[f]] for f in r.changed}
        if r.barcodes is not None:
            kept = set(r.barcodes)
            dropped.extend(pk for pk, code in r.old_barcodes if code not in kept)
            old = {code for _pk, code in r.old_barcodes}
            barcodes.extend(Barcode(organization_id=org, product_id=r.product_id, code=c) for c in r.barcodes if c not in old)
            changes["barcodes"] = [[c for _pk, c in r.old_barcodes], r.barcodes]
        audits.append((product, changes))
    for fields, products in groups.items():
        Product.objects.bulk_update(products, [*fields, "updated_at"], batch_size=BATCH)
    for start in range(0, len(dropped), BATCH):
        Barcode.objects.filter(pk__in=dropped[start : start + BATCH]).delete()
    Barcode.objects.bulk_create(barcodes, batch_size=BATCH * 2)
    audit_events(organization_id=org, actor=actor, action="product.update", items=audits, reason=reason)
