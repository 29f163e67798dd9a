"""Product export: the import's columns, typed XLSX cells, and a round trip that changes nothing."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from sasom.catalog import services
from sasom.catalog.columns import COLUMNS
from sasom.catalog.exports import products_export
from sasom.catalog.imports import products_import
from sasom.catalog.models import Product
from sasom.core.errors import DomainError

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog(org, actor):
    services.category_create(organization_id=org.id, actor=actor, code="DRINK", name_th="เครื่องดื่ม")
    services.category_create(organization_id=org.id, actor=actor, code="MILK", name_th="นม", parent="DRINK")
    services.brand_create(organization_id=org.id, actor=actor, code="FOREMOST", name="โฟร์โมสต์")
    services.product_create(organization_id=org.id, actor=actor, sku="MILK-6", name_th="นมจืด แพ็ค 6", name_en="Milk, 6-pack",
                            base_price="72.00", pack_size="6", unit="box", category="MILK", brand="FOREMOST",
                            barcodes=["8851111000066", "SHELF-17"], active_from=dt.date(2026, 1, 1),
                            active_to=dt.date(2026, 12, 31))
    services.product_create(organization_id=org.id, actor=actor, sku="RICE-5", name_th="=ข้าวหอมมะลิ 5 กก.",
                            base_price="9999999999.99", pack_size="1.5", vat_included=False, excluded_from_points=True,
                            is_active=False)
    services.product_create(organization_id=org.id, actor=actor, sku="00123", name_th="-ลดราคา", base_price="0")


def export(org, actor, fmt):
    return products_export(organization_id=org.id, actor=actor, queryset=Product.objects.filter(organization=org),
                           fmt=fmt, filters={})


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_changes_nothing(org, actor, catalog, fmt):
    # given the shop's products exported
    data, filename, _type = export(org, actor, fmt)
    assert filename.endswith(f".{fmt}")
    before = list(Product.objects.filter(organization=org).order_by("sku").values())

    # when the file is imported as it is
    report = products_import(organization_id=org.id, actor=actor, raw=data, filename=filename, dry_run=False)

    # then every row is unchanged and so is every product
    assert [(r.sku, r.outcome) for r in report.results] == [("00123", "unchanged"), ("MILK-6", "unchanged"),
                                                            ("RICE-5", "unchanged")], report.results
    assert list(Product.objects.filter(organization=org).order_by("sku").values()) == before


def test_the_xlsx_cells_are_typed_and_text_is_never_a_formula(org, actor, catalog):
    data, _name, _type = export(org, actor, "xlsx")
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == COLUMNS
    by_sku = {r[0]: dict(zip(COLUMNS, r, strict=True)) for r in rows[1:]}
    milk = by_sku["MILK-6"]
    assert milk["base_price"] == 72 and milk["pack_size"] == 6 and milk["vat_included"] is True
    assert milk["active_from"] == dt.datetime(2026, 1, 1) and milk["category"] == "MILK"
    assert milk["barcodes"] == "8851111000066 SHELF-17"
    assert by_sku["00123"]["sku"] == "00123"  # a SKU of digits stays text
    rice = sheet.cell(row=4, column=2)
    assert rice.value == "=ข้าวหอมมะลิ 5 กก." and rice.data_type == "s"


def test_the_csv_has_a_bom_and_quotes_formula_text(org, actor, catalog):
    data, _name, content_type = export(org, actor, "csv")
    text = data.decode("utf-8")
    assert text.startswith("\ufeff" + ",".join(COLUMNS)) and content_type.startswith("text/csv")
    assert "'=ข้าวหอมมะลิ" in text and "'-ลดราคา" in text
    assert "9999999999.99" in text and ",1.500," in text


def test_an_unknown_format_is_refused(org, actor):
    with pytest.raises(DomainError):
        export(org, actor, "pdf")
