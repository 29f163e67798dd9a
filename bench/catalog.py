"""B7: importing products (``catalog.imports.products_import``), against a raw insert of the same rows.

Run by ``bench.tasks catalog_import``. Two organizations of their own: the reference writes the
file's products and barcodes with plain ``INSERT`` statements (``executemany``, no checks) into
one; the import checks and writes the same file into the other, then takes the file again with a
tenth of the prices changed (updates), as a dry run, and as XLSX (the reader's cost).
"""

from __future__ import annotations

import csv
import io
import random
import time
from typing import Any

CATEGORIES, BRANDS = 60, 25


def _org(code: str) -> Any:
    from sasom.organizations.models import Organization

    org, _ = Organization.objects.get_or_create(code=code, defaults={"name": f"bench {code}"})
    return org


def _catalog_rows(rows: int, seed: int = 7) -> list[list[str]]:
    rng = random.Random(seed)
    out = []
    for i in range(rows):
        price = f"{rng.randrange(100, 200000) / 100:.2f}"
        out.append([f"SKU{i:07}", f"สินค้าทดสอบ {i}", f"Bench product {i}", f"C{i % CATEGORIES:02}", f"BR{i % BRANDS:02}",
                    "ชิ้น", str(rng.choice([1, 1, 1, 6, 12])), price, "1", "", "", "0", "1", f"885{i:010}"])
    return out


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def _xlsx(header: list[str], rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("products")
    sheet.append(header)
    for r in rows:
        sheet.append(r)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _reference(org_id: int, category: dict[str, int], brand: dict[str, int], rows: list[list[str]]) -> float:
    """Multi-row INSERTs of the same products and barcodes (as many rows a statement as the
    database takes), one transaction, no checks: the floor of the work."""
    from django.db import connection, transaction
    from django.utils import timezone

    now = timezone.now()
    products = [(org_id, r[0], r[1], r[2], category[r[3]], brand[r[4]], r[5], r[6], r[7], True, False, "", True, now, now)
                for r in rows]
    def insert(cur: Any, head: str, values: list[tuple[Any, ...]]) -> None:
        width = len(values[0])
        step = min(1000, (connection.features.max_query_params or 65535) // width)
        for start in range(0, len(values), step):
            chunk = values[start : start + step]
            cur.execute(head + ", ".join(["(" + ", ".join(["%s"] * width) + ")"] * len(chunk)),
                        [v for row in chunk for v in row])

    t0 = time.monotonic()
    with transaction.atomic(), connection.cursor() as cur:
        insert(cur, "INSERT INTO catalog_product (organization_id, sku, name_th, name_en, category_id, brand_id, unit, "
               "pack_size, base_price, vat_included, excluded_from_points, image, is_active, created_at, updated_at) VALUES ",
               products)
        cur.execute("SELECT sku, id FROM catalog_product WHERE organization_id = %s", [org_id])
        ids = dict(cur.fetchall())
        insert(cur, "INSERT INTO catalog_barcode (organization_id, product_id, code) VALUES ",
               [(org_id, ids[r[0]], r[13]) for r in rows])
    return time.monotonic() - t0


def step_catalog_import(rows: int) -> dict[str, Any]:
    from django.core.management import call_command

    from sasom.catalog.columns import COLUMNS
    from sasom.catalog.imports import products_import
    from sasom.catalog.models import Barcode, Brand, Category, Product
    from sasom.core.audit import Actor

    call_command("migrate", "--no-input", "-v", "0")
    actor = Actor.system("bench")
    orgs = {name: _org(name) for name in ("bench-catalog-ref", "bench-catalog")}
    for org in orgs.values():
        Barcode.objects.filter(organization=org).delete()
        Product.objects.filter(organization=org).delete()
        for i in range(CATEGORIES):
            Category.objects.get_or_create(organization=org, code=f"C{i:02}", defaults={"name_th": f"หมวด {i}"})
        for i in range(BRANDS):
            Brand.objects.get_or_create(organization=org, code=f"BR{i:02}", defaults={"name": f"ยี่ห้อ {i}"})
    data = _catalog_rows(rows)
    ref = orgs["bench-catalog-ref"]
    ref_s = _reference(ref.pk, dict(Category.objects.filter(organization=ref).values_list("code", "id")),
                       dict(Brand.objects.filter(organization=ref).values_list("code", "id")), data)

    org = orgs["bench-catalog"]

    def timed(raw: bytes, name: str, dry_run: bool = False) -> tuple[float, Any]:
        t0 = time.monotonic()
        report = products_import(organization_id=org.pk, actor=actor, raw=raw, filename=name, dry_run=dry_run)
        assert not report.file_error and not report.counts["error"], (report.file_error, report.problems[:3])
        return time.monotonic() - t0, report

    create_s, created = timed(_csv(COLUMNS, data), "bench.csv")
    changed = [r[:7] + [f"{float(r[7]) + 1:.2f}"] + r[8:] if i % 10 == 0 else r for i, r in enumerate(data)]
    update_s, updated = timed(_csv(COLUMNS, changed), "bench-update.csv")
    dry_s, _dry = timed(_csv(COLUMNS, changed), "bench-update.csv", dry_run=True)
    xlsx_raw = _xlsx(COLUMNS, changed)
    xlsx_s, xlsx = timed(xlsx_raw, "bench.xlsx", dry_run=True)
    assert created.counts["created"] == rows and updated.counts["updated"] == len(range(0, rows, 10))
    assert xlsx.counts["unchanged"] == rows
    return {"rows": rows, "reference_s": round(ref_s, 2), "create_s": round(create_s, 2), "update_s": round(update_s, 2),
            "updated": updated.counts["updated"], "dry_run_s": round(dry_s, 2), "xlsx_dry_run_s": round(xlsx_s, 2),
            "products": Product.objects.filter(organization=org).count()}
