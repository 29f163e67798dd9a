"""The reports' pages: who may open them, branch scope, bad filters, query counts and exports."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from openpyxl import load_workbook

from sasom.organizations.models import Role
from sasom.reports.framework import REPORTS

pytestmark = pytest.mark.django_db


def test_the_index_lists_every_report_for_those_who_may_see_reports(shop, staff_client):
    response = staff_client(Role.MARKETING).get("/reports/")
    assert response.status_code == 200
    for slug in REPORTS:
        assert f"/reports/{slug}/".encode() in response.content
    assert b"/reports/statement/" in response.content


@pytest.mark.parametrize("role", [Role.CASHIER, Role.SERVICE_COUNTER])
def test_roles_without_reports_view_are_refused(shop, staff_client, role):
    client = staff_client(role)
    assert client.get("/reports/").status_code == 403
    assert client.get("/reports/points-movement/").status_code == 403
    assert client.get("/reports/points-movement/?format=csv").status_code == 403
    assert client.get("/reports/statement/?code=M0000001&format=pdf").status_code == 403


def test_an_unknown_report_is_not_found(shop, staff_client):
    assert staff_client(Role.OWNER).get("/reports/nothing-here/").status_code == 404


@pytest.mark.parametrize("query", [
    "date_from=2026-11-10&date_to=2026-11-01", "date_from=yesterday", "branch=abc", "member_type=999999999999",
    "date_from=2020-01-01&date_to=2026-11-15", "period=year", "sort=password", "page=-4", "code=" + "9" * 60,
])
def test_a_bad_filter_is_a_message_not_an_error(shop, staff_client, query):
    response = staff_client(Role.OWNER).get(f"/reports/member-points/?{query}")
    assert response.status_code == 200


def test_a_period_that_ends_before_it_starts_says_so(shop, staff_client):
    response = staff_client(Role.OWNER).get("/reports/points-movement/?date_from=2026-11-10&date_to=2026-11-01")
    assert "rows" not in response.context
    assert response.context["form"].errors


def test_a_branch_manager_sees_their_branch_only(shop, staff_client):
    # given a branch manager of B1
    client = staff_client(Role.BRANCH_MANAGER, branches=[shop.b1])
    # when they open the redemptions without a branch: B1's only
    response = client.get("/reports/redemption-detail/?date_from=2026-11-01&date_to=2026-11-15")
    assert response.status_code == 200
    assert [row[2][0] for row in response.context["rows"]] == ["B1"]
    # and asking for B2 is refused as a filter, showing nothing of it
    response = client.get(f"/reports/redemption-detail/?date_from=2026-11-01&branch={shop.b2.pk}")
    assert response.context["form"].errors and "rows" not in response.context
    response = client.get(f"/reports/redemption-detail/?date_from=2026-11-01&branch={shop.b2.pk}&format=csv")
    assert response["Content-Type"].startswith("text/html")
    # the CSV export is scoped the same way
    text = b"".join(client.get("/reports/points-movement/?date_from=2026-11-01&format=csv").streaming_content).decode("utf-8-sig")
    body = list(csv.reader(io.StringIO(text)))
    assert body[-1][-1] == str(600 - 300 - 100)  # B1: earned, returned, redeemed


FROM_SUMMARY = {"sales-by-month", "top-spenders", "sales-month-columns", "card-usage-by-branch", "visit-frequency",
                "card-usage-by-card", "card-usage-overall", "monthly-frequency", "frequency-per-period",
                "purchases-by-segment"}


@pytest.mark.parametrize("slug", sorted(set(REPORTS) - {"promotion-usage", "promotion-usage-bills"}))  # (1)
def test_a_report_page_costs_a_fixed_number_of_queries(shop, staff_client, slug, django_assert_num_queries):
    client = staff_client(Role.OWNER)
    url = f"/reports/{slug}/?date_from=2025-01-01&date_to=2026-11-30&birth_month=11"
    client.get(url)  # session and caches warm
    # 5 for the login (session, user, staff, organization, authenticator), 2 for the filters' choices
    # (3 with the tiers, where a member is involved), the page's count, its rows and the totals; a
    # chart adds one, the liability its point values, the donation fund its campaigns' names; the
    # banded reports compute their rows once for page and chart (visit frequency its totals too); so
    # do sales by month, card usage overall and purchases by segment (page, count and chart) and the
    # month columns (page and count); top spenders, card usage by card and the monthly frequency
    # count by their totals and read their page's members in one query (the monthly frequency its
    # page's month columns in one more);
    # the points movement groups once for page, count, totals and chart, the liability once for page,
    # count and totals and reads its member types' names apart (on PostgreSQL first the open lots'
    # expiry span, its months' edges); the member points summary counts, reads its page and sums balances and entries
    # purchases by segment first reads its period's summary days (what the screen costs: reports.deferred)
    expected = {"donation-fund": 11, "points-liability": 10 + (connection.vendor == "postgresql"), "points-movement": 8, "member-points": 11,
                "redemptions-by-reward": 11,
                "visit-frequency": 8, "sales-by-month": 9, "sales-month-columns": 9, "card-usage-overall": 9,
                "frequency-per-period": 9, "purchases-by-segment": 10, "monthly-frequency": 11}.get(slug, 10) + REPORTS[slug].uses_member_type
    # a report on the daily summary first checks it is exact: its days, and the sales, returns and
    # voids written since they were built (reports.summary)
    expected += 4 * (slug in FROM_SUMMARY)
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert response.status_code == 200 and response.context["rows"]
    # (1) the shop sold nothing under a promotion: test_promotion_usage.py pins those pages


@pytest.mark.parametrize("slug", sorted(REPORTS))
def test_every_report_is_declared_whole(slug):
    report = REPORTS[slug]
    keys = [c.key for c in report.columns]
    assert len(keys) == len(set(keys))
    assert report.default_sort.lstrip("-") in keys
    assert report.title and report.description and report.group
    assert all(c.kind in ("text", "int", "money", "date", "month", "datetime") for c in report.columns)


def test_sorting_by_a_column_both_ways(shop, staff_client):
    client = staff_client(Role.OWNER)
    up = client.get("/reports/member-points/?sort=closing").context["rows"]
    down = client.get("/reports/member-points/?sort=-closing").context["rows"]
    assert [r[0][0] for r in up] == [r[0][0] for r in reversed(down)]
    assert up[0][-1][0] <= up[-1][-1][0] or len(up) == 1


def test_csv_is_utf8_with_bom_thai_headers_and_a_totals_row(shop, staff_client):
    client = staff_client(Role.OWNER)
    response = client.get("/reports/member-points/?date_from=2026-11-01&date_to=2026-11-15&format=csv",
                          HTTP_ACCEPT_LANGUAGE="th")
    assert response["Content-Disposition"] == 'attachment; filename="member-points-20261101-20261115.csv"'
    raw = b"".join(response.streaming_content)
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][0] == "รหัสสมาชิก"
    assert rows[1][:2] == ["M0000001", "สมชาย ใจดี"]
    assert rows[-1][0] == "รวม"
    assert rows[-1][-1] == str(sum(int(r[-1]) for r in rows[1:-1]))


def test_xlsx_has_typed_cells_and_a_totals_row(shop, staff_client):
    client = staff_client(Role.OWNER)
    response = client.get("/reports/redemption-detail/?date_from=2026-11-01&date_to=2026-11-15&status=all&format=xlsx",
                          HTTP_ACCEPT_LANGUAGE="en")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Redeemed at"
    assert [r[8] for r in rows[1:-1]] == [100, 200, 100]  # points: by time descending, then slip number
    assert rows[-1][0] == "Total" and rows[-1][8] == 400
    copay = sheet.cell(row=2, column=10)
    assert copay.number_format == "#,##0.00"
    assert sheet.cell(row=2, column=1).is_date
