"""The report builder's pages: who may use them, bad input as a 400 naming the field, branch scope,
the exports, saving (once per form), sharing, deleting, big exports in the worker, query counts."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from sasom.organizations.models import Role
from sasom.reports import background
from sasom.reports.builder_export import builder_export_run
from sasom.reports.builder_models import SavedReport
from sasom.reports.models import ReportExport

pytestmark = pytest.mark.django_db

QUERY = ("/reports/builder/?dimension_1=branch&measures=bills&measures=amount&measures=points_redeemed"
         "&period=custom&date_from=2026-11-01&date_to=2026-11-15")


def token_of(page) -> str:
    return page.content.decode().split('name="_form_token" value="')[1].split('"')[0]


def test_the_builder_shows_a_table_with_totals_and_a_chart(shop, staff_client):
    client = staff_client(Role.MARKETING)
    assert client.get("/reports/builder/").status_code == 302  # to the default definition
    page = client.get(QUERY)
    assert page.status_code == 200
    assert [row[0][0] for row in page.context["rows"]] == ["B1", "B2"]
    assert page.context["totals"][1][0] == "2" and page.context["totals"][2][0] == "70,000.00"
    assert b"<svg" in page.content and b'name="_form_token"' in page.content
    assert b"/reports/builder/" in client.get("/reports/").content


@pytest.mark.parametrize(("query", "field", "code"), [
    ("dimension_1=password&measures=bills&period=this_month", "dimension_1", "builder.unknown_dimension"),
    ("dimension_1=month&measures=bills&date_from=2024-01-01&date_to=2026-11-15", "date_to", "builder.period_too_long"),
    ("dimension_1=month&measures=bills&period=this_month&sort=password", "sort", "builder.bad_sort"),
    ("dimension_1=month&measures=profit&period=this_month", "measures", None),
    ("dimension_1=month&period=this_month", "measures", "builder.no_measure"),
    # the form reads the day in the shop's calendar: a non-date is its field's error
    ("dimension_1=month&measures=bills&date_from=yesterday&date_to=today", "date_from", None),
    ("dimension_1=month&measures=bills&period=this_month&branch=" + "9" * 40, "branch", None),
])
def test_bad_input_is_a_400_naming_the_field(shop, staff_client, query, field, code):
    page = staff_client(Role.OWNER).get(f"/reports/builder/?{query}")
    assert page.status_code == 400
    assert field in page.context["form"].errors and "rows" not in page.context
    if code:
        assert page.context["form"].error_code == code


@pytest.mark.parametrize("role", [Role.CASHIER, Role.SERVICE_COUNTER])
def test_roles_without_reports_view_are_refused(shop, staff_client, role):
    client = staff_client(role)
    assert client.get(QUERY).status_code == 403
    assert client.get("/reports/builder/saved/").status_code == 403
    assert client.post("/reports/builder/save/", {"name": "x", "query": QUERY.split("?")[1]}).status_code == 403


def test_a_branch_manager_sees_their_branches_only(shop, staff_client):
    client = staff_client(Role.BRANCH_MANAGER, branches=[shop.b1])
    page = client.get(QUERY)
    assert [row[0][0] for row in page.context["rows"]] == ["B1"]
    refused = client.get(QUERY + f"&branch={shop.b2.pk}")
    assert refused.status_code == 400 and "branch" in refused.context["form"].errors


def test_exports_csv_xlsx_pdf(shop, staff_client):
    client = staff_client(Role.OWNER)
    response = client.get(QUERY + "&format=csv")
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[1][:3] == ["B1", "1", "30000.00"] and rows[-1][1:3] == ["2", "70000.00"]
    response = client.get(QUERY + "&format=xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = list(sheet.values)
    assert values[1][1] == 1 and values[1][2] == pytest.approx(30000.0) and isinstance(values[1][2], int | float | Decimal)
    assert sheet.cell(row=2, column=3).number_format == "#,##0.00"
    assert values[-1][2] == pytest.approx(70000.0)  # the totals row
    pdf = client.get(QUERY + "&format=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_a_big_export_runs_in_the_worker(shop, staff_client, monkeypatch, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    monkeypatch.setattr(background, "INLINE_ROWS", 1)
    client = staff_client(Role.OWNER)
    response = client.get(QUERY + "&format=csv")
    export = ReportExport.objects.get(staff=client.staff)
    assert response.status_code == 302 and response["Location"] == f"/reports/exports/{export.pk}/"
    builder_export_run(export_id=export.pk)
    download = client.get(f"/reports/exports/{export.pk}/download/")
    assert b"".join(download.streaming_content).startswith(b"\xef\xbb\xbf")


def test_save_once_share_and_delete(shop, staff_client):
    owner = staff_client(Role.OWNER)
    page = owner.get(QUERY)
    form = {"name": "Branches this month", "shared": "", "query": QUERY.split("?")[1], "_form_token": token_of(page)}
    # when the form is sent twice (a double click)
    first = owner.post("/reports/builder/save/", form)
    second = owner.post("/reports/builder/save/", form)
    # then one report is saved, and both answers lead to it
    saved = SavedReport.objects.get(organization=shop.org)
    assert first.status_code == second.status_code == 302 and f"saved={saved.pk}" in first["Location"]
    assert saved.definition["dimensions"] == ["branch"] and saved.owner == owner.staff and not saved.shared
    # the same name again is refused, naming the field
    again = owner.post("/reports/builder/save/", {**form, "_form_token": token_of(owner.get(QUERY))})
    assert again.status_code == 400 and "name" in again.context["save_form"].errors
    # another staff member sees it only when shared
    other = staff_client(Role.MARKETING)
    assert other.get(f"/reports/builder/saved/{saved.pk}/").status_code == 404
    saved.shared = True
    saved.save()
    opened = other.get(f"/reports/builder/saved/{saved.pk}/", follow=True)
    assert opened.status_code == 200 and opened.context["saved"] == saved and not opened.context["own"]
    # only the owner deletes it
    assert other.post(f"/reports/builder/saved/{saved.pk}/delete/").status_code == 403
    assert owner.post(f"/reports/builder/saved/{saved.pk}/delete/").status_code == 302
    assert not SavedReport.objects.exists()


def test_the_owner_changes_a_saved_report(shop, staff_client):
    owner = staff_client(Role.OWNER)
    form = {"name": "Mine", "query": QUERY.split("?")[1], "_form_token": token_of(owner.get(QUERY))}
    owner.post("/reports/builder/save/", form)
    saved = SavedReport.objects.get()
    query = QUERY.split("?")[1].replace("branch", "member_type") + f"&saved={saved.pk}"
    page = owner.get("/reports/builder/?" + query)
    owner.post("/reports/builder/save/", {"name": "Mine", "shared": "on", "replace": "1", "query": query,
                                          "_form_token": token_of(page)})
    saved.refresh_from_db()
    assert SavedReport.objects.count() == 1 and saved.definition["dimensions"] == ["member_type"] and saved.shared


def test_a_page_costs_a_fixed_number_of_queries(shop, staff_client, django_assert_num_queries):
    client = staff_client(Role.OWNER)
    client.get(QUERY)
    # login 5; branches, member types, tiers, custom fields 4; sales and entries grouped and totalled 4
    with django_assert_num_queries(13):
        client.get(QUERY)
