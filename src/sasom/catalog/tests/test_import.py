"""Product import: a dry run writes nothing; good rows go in, bad rows are reported and change
nothing; known SKUs are updated; XLSX reads like CSV; no query per row."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from sasom.catalog import services
from sasom.catalog.imports import products_import
from sasom.catalog.models import Barcode, Product
from sasom.core.models import AuditEvent

pytestmark = pytest.mark.django_db

HEADER = "sku,name_th,name_en,category,brand,unit,pack_size,base_price,vat_included,barcodes"


@pytest.fixture
def shelf(org, actor):
    services.category_create(organization_id=org.id, actor=actor, code="DRINK", name_th="เครื่องดื่ม")
    services.brand_create(organization_id=org.id, actor=actor, code="FOREMOST", name="โฟร์โมสต์")
    return services.product_create(organization_id=org.id, actor=actor, sku="MILK-1", name_th="นมจืด 225 มล.",
                                   base_price="12", category="DRINK", barcodes=["8851111000011"])


def run(org, actor, text: str, **kwargs):
    return products_import(organization_id=org.id, actor=actor, raw=text.encode("utf-8"), filename="p.csv", **kwargs)


def outcomes(report):
    return [(r.row, r.sku, r.outcome, r.column) for r in report.results]


def test_a_dry_run_reports_every_row_and_writes_nothing(org, actor, shelf):
    # given a file with a new product, a price change and a row with a bad price
    text = "\n".join([HEADER,
                      "MILK-6,นมจืด แพ็ค 6,Milk 6-pack,DRINK,FOREMOST,box,6,72.00,1,8851111000066 SHELF-17",
                      "MILK-1,นมจืด 225 มล.,,DRINK,,,1,13.00,1,8851111000011",
                      "SODA,โซดา,,DRINK,,,1,-5,1,"])
    audits = AuditEvent.objects.count()

    # when it is checked only
    report = run(org, actor, text, dry_run=True)

    # then each row has its outcome, the bad one names its column, and nothing changed
    assert outcomes(report) == [(2, "MILK-6", "created", ""), (3, "MILK-1", "updated", ""), (4, "SODA", "error", "base_price")]
    assert str(report.results[2].reason).startswith("base_price: ")
    assert not report.written
    assert Product.objects.filter(organization=org).count() == 1
    assert Product.objects.get(sku="MILK-1").base_price == Decimal("12.00")
    assert AuditEvent.objects.count() == audits


def test_good_rows_go_in_and_a_bad_row_changes_nothing(org, actor, shelf):
    # given the same file, imported for real
    text = "\n".join([HEADER,
                      "MILK-6,นมจืด แพ็ค 6,Milk 6-pack,DRINK,FOREMOST,box,6,72.00,1,8851111000066 SHELF-17",
                      "MILK-1,นมจืด 225 มล.,,DRINK,,,1,13.00,1,8851111000011",
                      "SODA,โซดา,,NOPE,,,1,15,1,"])

    # when it is imported
    report = run(org, actor, text, dry_run=False)

    # then the new product and the new price are stored, the bad row is not
    assert report.written and report.counts == {"created": 1, "updated": 1, "unchanged": 0, "error": 1}
    assert report.results[2].column == "category" and "NOPE" in str(report.results[2].reason)
    six = Product.objects.select_related("category", "brand").get(organization=org, sku="MILK-6")
    assert (six.pack_size, six.base_price, six.category.code, six.brand.code) == (Decimal("6"), Decimal("72.00"), "DRINK", "FOREMOST")
    assert sorted(six.barcodes.values_list("code", flat=True)) == ["8851111000066", "SHELF-17"]
    assert Product.objects.get(sku="MILK-1").base_price == Decimal("13.00")
    assert not Product.objects.filter(sku="SODA").exists()
    # and the price change is audited on the product, the import as a whole once
    change = AuditEvent.objects.get(action="product.update", object_id=str(shelf.pk))
    assert change.changes["base_price"] == ["12.00", "13.00"]
    assert AuditEvent.objects.filter(action="products.import").count() == 1


def test_importing_the_same_file_again_changes_nothing(org, actor, shelf):
    text = "\n".join([HEADER, "MILK-6,นมจืด แพ็ค 6,,DRINK,FOREMOST,box,6,72.00,1,8851111000066"])
    run(org, actor, text, dry_run=False)
    before = Product.objects.get(sku="MILK-6").updated_at

    # when the same file is imported again (a refresh, a double click)
    report = run(org, actor, text, dry_run=False)

    # then every row is unchanged and nothing is written
    assert outcomes(report) == [(2, "MILK-6", "unchanged", "")]
    assert Product.objects.get(sku="MILK-6").updated_at == before


def test_update_mode_refuses_new_skus_and_create_mode_known_ones(org, actor, shelf):
    text = "\n".join(["sku,base_price", "MILK-1,14", "NEW-1,10"])

    updated = run(org, actor, text, dry_run=False, mode="update")
    assert outcomes(updated) == [(2, "MILK-1", "updated", ""), (3, "NEW-1", "error", "sku")]
    # a column left out keeps its value: the name, the category and the barcodes stay
    milk = Product.objects.select_related("category").get(sku="MILK-1")
    assert (milk.base_price, milk.name_th, milk.category.code) == (Decimal("14.00"), "นมจืด 225 มล.", "DRINK")
    assert list(milk.barcodes.values_list("code", flat=True)) == ["8851111000011"]

    created = run(org, actor, "\n".join(["sku,name_th,base_price", "MILK-1,นม,14", "NEW-1,ใหม่,10"]), dry_run=False,
                  mode="create")
    assert outcomes(created) == [(2, "MILK-1", "error", "sku"), (3, "NEW-1", "created", "")]


def test_conflicts_within_the_file_and_with_the_catalog_are_reported(org, actor, shelf):
    text = "\n".join([
        "sku,name_th,base_price,barcodes",
        "A-1,หนึ่ง,10,8851111000011",  # the barcode is MILK-1's
        "A-2,สอง,10,X-1",
        "A-3,สาม,10,X-1",  # the barcode is in row 3
        "A-2,สองซ้ำ,11,",  # the SKU is in row 3
        "8851111000011,สี่,10,",  # a SKU that is MILK-1's barcode
        "A-5,ห้า,10,MILK-1",  # a barcode that is a SKU
        ",ไม่มีรหัส,10,",
        "A-7,,10,",  # a new product needs its name
        "A-8,แปด,1e30,",
        "A-9,เก้า,10,bad code",
    ])
    report = run(org, actor, text, dry_run=True)
    assert outcomes(report) == [
        (2, "A-1", "error", "barcodes"), (3, "A-2", "created", ""), (4, "A-3", "error", "barcodes"),
        (5, "A-2", "error", "sku"), (6, "8851111000011", "error", "sku"), (7, "A-5", "error", "barcodes"),
        (8, "", "error", "sku"), (9, "A-7", "error", "name_th"), (10, "A-8", "error", "base_price"),
        (11, "A-9", "created", ""),
    ]
    assert "MILK-1" in str(report.results[0].reason)
    assert " 3" in str(report.results[2].reason) and " 3" in str(report.results[3].reason)  # the other row


def test_all_or_nothing_imports_nothing_when_a_row_is_bad(org, actor, shelf):
    text = "\n".join(["sku,name_th,base_price", "NEW-1,ใหม่,10", "NEW-2,ใหม่,abc"])
    report = run(org, actor, text, dry_run=False, all_or_nothing=True)
    assert report.counts["error"] == 1 and not report.written
    assert not Product.objects.filter(sku="NEW-1").exists()


@pytest.mark.parametrize("header, problem", [
    ("sku,name_th,price", "price"),
    ("name_th,base_price", "sku"),
    ("sku,sku", "sku"),
])
def test_a_bad_header_stops_the_file(org, actor, header, problem):
    report = run(org, actor, header + "\nA,B,C\n", dry_run=False)
    assert problem in str(report.file_error) and report.rows == 0


def test_thai_headings_tis620_and_an_unreadable_file(org, actor):
    text = "รหัสสินค้า,ชื่อสินค้า,ราคา\nTEA,ชาเขียว,\"1,250.50\"\n"
    report = products_import(organization_id=org.id, actor=actor, raw=text.encode("cp874"), dry_run=False)
    assert report.encoding == "TIS-620" and report.counts["created"] == 1
    assert Product.objects.get(sku="TEA").base_price == Decimal("1250.50")

    broken = products_import(organization_id=org.id, actor=actor, raw=b"PK\x03\x04garbage", filename="x.xlsx")
    assert broken.file_error and not broken.results


def xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_xlsx_with_typed_cells_imports_like_a_csv(org, actor, shelf):
    import datetime as dt

    raw = xlsx([
        ["SKU", "name_th", "base_price", "pack_size", "is_active", "active_from", "barcodes"],
        [12345, "สินค้าตัวเลข", 19.5, 1, True, dt.datetime(2026, 12, 1), 8850000000011],
        ["MILK-1", None, 12, None, False, None, "8851111000011"],
    ])
    report = products_import(organization_id=org.id, actor=actor, raw=raw, filename="p.xlsx", dry_run=False)
    assert report.format == "XLSX"
    assert outcomes(report) == [(2, "12345", "created", ""), (3, "MILK-1", "updated", "")]
    typed = Product.objects.get(sku="12345")
    assert (typed.base_price, typed.active_from) == (Decimal("19.50"), dt.date(2026, 12, 1))
    assert list(typed.barcodes.values_list("code", flat=True)) == ["8850000000011"]
    assert Product.objects.get(sku="MILK-1").is_active is False


def test_the_queries_do_not_grow_with_the_rows(org, actor, shelf, django_assert_max_num_queries):
    def file(n: int) -> str:
        return "\n".join([HEADER] + [f"P-{i},สินค้า {i},,DRINK,FOREMOST,,1,{10 + i},1,B-{i} C-{i}" for i in range(n)])

    run(org, actor, file(5), dry_run=False)
    # when 300 rows are imported (5 of them updates, 295 new)
    with django_assert_max_num_queries(25):
        report = run(org, actor, file(300).replace(",1,10,1,", ",1,99,1,"), dry_run=False)
    assert report.counts["created"] == 295 and Barcode.objects.filter(organization=org).count() == 601


def test_empty_cells_clear_the_category_the_dates_and_the_barcodes(org, actor, shelf):
    import datetime as dt

    # given milk with a category, an end date and a barcode
    services.product_update(product=shelf, actor=actor, data={"active_to": dt.date(2026, 12, 31), "unit": "box"})

    # when a file clears them (and keeps the name and price, whose cells are empty)
    report = run(org, actor, "sku,name_th,base_price,category,active_to,unit,barcodes\nMILK-1,,,,,,\n", dry_run=False)

    # then they are cleared and the rest is kept
    assert outcomes(report) == [(2, "MILK-1", "updated", "")]
    milk = Product.objects.get(sku="MILK-1")
    assert (milk.category_id, milk.active_to, milk.unit, milk.name_th, milk.base_price) == (
        None, None, "", "นมจืด 225 มล.", Decimal("12.00"))
    assert not milk.barcodes.exists() and milk.updated_at > shelf.updated_at
