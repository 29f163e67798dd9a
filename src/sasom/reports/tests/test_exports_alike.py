"""A report's files are the same bytes on SQLite and PostgreSQL: this file runs on both (the CI
runs the suite on each) and asserts the exact text. Money is written with the shop currency's
places whatever the database hands back (``40000`` from SQLite's sum, ``40000.00`` from
PostgreSQL's numeric): two in THB, none in IRR, one decimal in toman; counts as integers
(``formatting.export_text``, ``export_value``).

The conftest shop's autumn, 1 October – 15 November 2026, by month and member type (November's
60,000 baht bill was half returned: 30,000)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import translation
from openpyxl import load_workbook

from sasom.organizations.models import Role
from sasom.reports import exports
from sasom.reports.builder import definition_clean
from sasom.reports.builder_report import BuilderReport, builder_file, builder_scope
from sasom.reports.formatting import INT, MONEY, export_text, export_value, money_format
from sasom.reports.framework import REPORTS
from sasom.reports.tests.test_points_reports import scope_of

pytestmark = pytest.mark.django_db

THB = SimpleNamespace(currency="THB", amounts_in_toman=False)
IRR = SimpleNamespace(currency="IRR", amounts_in_toman=False)
TOMAN = SimpleNamespace(currency="IRR", amounts_in_toman=True)


def test_one_text_per_amount_whatever_the_database_returns():
    # SQLite's sums come back as 40000 (or a float), PostgreSQL's as 40000.00
    for returned in (Decimal("40000"), Decimal("40000.00"), 40000, 40000.0, "40000.000"):
        assert export_text(returned, MONEY, THB) == "40000.00"
        assert export_text(returned, MONEY, IRR) == "40000"
        assert export_text(returned, MONEY, TOMAN) == "4000.0"
    assert export_text(Decimal("18375.5"), MONEY, IRR) == "18376"  # half up, core.money's rule
    assert export_text(Decimal("0.1") + Decimal("0.2"), MONEY, THB) == "0.30"
    assert export_text(-Decimal("300"), MONEY, THB) == "-300.00"  # a refund is no formula
    for returned in (735, Decimal("735"), Decimal("735.00"), 735.0):
        assert export_text(returned, INT, THB) == "735"
    assert export_text(None, MONEY, THB) == "" and export_value(None, INT, THB) is None
    assert (money_format(THB), money_format(IRR), money_format(TOMAN)) == ("#,##0.00", "#,##0", "#,##0.0")


def csv_text(owner, slug: str) -> str:
    report = REPORTS[slug]
    scope = scope_of(owner, start=dt.date(2026, 10, 1), end=dt.date(2026, 11, 15))
    with translation.override("en"):
        return exports.as_bytes(exports.csv_chunks(report, scope, "")).decode("utf-8")


SALES_BY_MONTH_THB = """\ufeffMonth,Group,Members,Bills,Amount,Average bill,Points earned\r
2026-10,ทั่วไป,1,1,1500.00,1500.00,15\r
2026-10,วีไอพี,1,1,2000.00,2000.00,20\r
2026-11,ทั่วไป,1,1,30000.00,30000.00,300\r
2026-11,วีไอพี,1,1,40000.00,40000.00,400\r
Total,,,4,73500.00,18375.00,735\r
"""


def test_a_reports_csv_is_the_same_text_on_both_databases(shop, make_staff):
    owner = make_staff(Role.OWNER)
    assert csv_text(owner, "sales-by-month") == SALES_BY_MONTH_THB
    assert csv_text(owner, "card-usage-by-branch") == (
        "\ufeffBranch,Members,Visits,Amount,Average bill,Points earned\r\n"
        "B2 สาขาสีลม,1,2,42000.00,21000.00,420\r\n"
        "B1 สาขาสุขุมวิท,1,2,31500.00,15750.00,315\r\n"
        "Total,2,4,73500.00,18375.00,735\r\n")

    # the same sales read as rial: no decimals; shown in toman: one
    owner.organization.currency = "IRR"
    assert csv_text(owner, "sales-by-month") == SALES_BY_MONTH_THB.replace(".00,", ",")
    owner.organization.amounts_in_toman = True
    assert csv_text(owner, "sales-by-month").splitlines()[-1] == "Total,,,4,7350.0,1837.5,735"


def test_the_builders_csv_and_xlsx_write_amounts_alike(shop, make_staff):
    owner = make_staff(Role.OWNER)
    org = owner.organization
    definition = definition_clean(
        {"dimensions": ["member_type"], "measures": ["bills", "amount", "average", "points_earned"],
         "period": "custom", "date_from": "2026-10-01", "date_to": "2026-11-15", "sort": "-amount"},
        organization_id=org.pk, branch_ids=None, member_type_ids=set(), tier_ids=set())
    report = BuilderReport(definition, "By type")
    with translation.override("en"):
        scope = builder_scope(definition, staff=owner)
        text = builder_file(report, scope, "csv").decode("utf-8")
        assert text == ("\ufeffMember type,Bills,Sales amount,Average bill,Points earned\r\n"
                        "วีไอพี,2,42000.00,21000.00,420\r\n"
                        "ทั่วไป,2,31500.00,15750.00,315\r\n"
                        "Total,4,73500.00,18375.00,735\r\n")
        sheet = load_workbook(io.BytesIO(builder_file(report, scope, "xlsx"))).active
        rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
        assert rows[-1] == ["Total", 4, 73500, 18375, 735]
        assert rows[0][1:] == [2, 42000, 21000, 420]  # typed: numbers, not text
        assert sheet["C2"].number_format == "#,##0.00" and sheet["B2"].number_format == "#,##0"
        org.currency = "IRR"
        scope = builder_scope(definition, staff=owner)
        scope.organization.currency = "IRR"
        sheet = load_workbook(io.BytesIO(builder_file(report, scope, "xlsx"))).active
        assert sheet["C2"].number_format == "#,##0" and sheet["C2"].value == 42000
