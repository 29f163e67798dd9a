"""The report builder's API: its fields, a definition run as sent (the same figures as the page),
bad input refused with the builder's codes naming the field, who may call it (roles, keys, branch
scope), saved reports (owner, shared, private, another organization), a saved report run and
exported in the three formats, and a double submit that saves once."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.test import Client
from openpyxl import load_workbook

from sasom.core.audit import Actor
from sasom.integrations import auth
from sasom.integrations.services import api_key_create
from sasom.organizations.models import Role
from sasom.reports.builder_models import SavedReport
from sasom.testing.factories import TerminalFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/reports/builder"
NOVEMBER = {"dimensions": ["branch"], "measures": ["bills", "amount", "points_redeemed"], "period": "custom",
            "date_from": "2026-11-01", "date_to": "2026-11-15"}


def post(client, path, body, **extra):
    return client.post(API + path, data=json.dumps(body), content_type="application/json", **extra)


def patch(client, path, body):
    return client.patch(API + path, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def key_client(org):
    def make(*, can_manage=True, branch=None):
        auth._cache.clear()
        auth._buckets.clear()
        terminal = TerminalFactory(organization=org, branch=branch, code=f"{branch.code}-API") if branch else None
        issued = api_key_create(organization_id=org.pk, label="erp", actor=Actor.system(), terminal=terminal,
                                can_manage=can_manage)
        return Client(HTTP_AUTHORIZATION=f"Bearer {issued.key}")

    return make


def by_branch(answer) -> dict[str, dict]:
    return {row["dimensions"][0]["value"]: row["measures"] for row in answer["rows"]}


def test_the_fields_list_dimensions_measures_periods_and_the_callers_branches(shop, staff_client):
    # given a marketing manager and a branch manager of B1
    everyone = staff_client(Role.MARKETING).get(API + "/fields").json()
    manager = staff_client(Role.BRANCH_MANAGER, branches=[shop.b1]).get(API + "/fields").json()

    # then the registries are listed, with the fixed values a dimension may keep
    dims = {d["key"]: d for d in everyone["dimensions"]}
    assert {"month", "branch", "gender", "category", "tags"} <= set(dims)
    assert dims["month"]["time"] and dims["category"]["on_lines"]
    assert {"female", "male"} <= {v["key"] for v in dims["gender"]["values"]}
    assert [m["key"] for m in everyone["measures"]][:3] == ["members", "bills", "visits"]
    assert "last_month" in {p["key"] for p in everyone["periods"]}
    assert everyone["limits"] == {"dimensions": 2, "values": 20, "days": 366, "rows": 10000}
    # and each caller's branches only
    assert [b["key"] for b in everyone["branches"]] == [str(shop.b1.pk), str(shop.b2.pk)]
    assert [b["key"] for b in manager["branches"]] == [str(shop.b1.pk)]


def test_a_definition_runs_as_the_page_computes_it(shop, staff_client):
    # given a definition by branch for 1-15 November
    client = staff_client(Role.MARKETING)

    # when it is run through the API and on the page
    answer = post(client, "/run", NOVEMBER)
    page = client.get("/reports/builder/?dimension_1=branch&measures=bills&measures=amount"
                      "&measures=points_redeemed&period=custom&date_from=2026-11-01&date_to=2026-11-15")

    # then the rows (the half-returned 60,000 bill counts 30,000; a cancelled redemption's points were
    # redeemed, then given back by a reversing entry) and totals are the page's
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert by_branch(body) == {"B1": {"bills": 1, "amount": "30000.00", "points_redeemed": 100},
                               "B2": {"bills": 1, "amount": "40000.00", "points_redeemed": 300}}
    assert body["totals"] == {"bills": 2, "amount": "70000.00", "points_redeemed": 400}
    assert body["count"] == 2 and body["date_from"] == "2026-11-01" and body["date_to"] == "2026-11-15"
    assert [c["key"] for c in body["columns"]] == ["d0_label", "bills", "amount", "points_redeemed"]
    assert [row[0][0] for row in page.context["rows"]] == ["B1", "B2"]
    assert [t[0] for t in page.context["totals"][1:]] == ["2", "70,000.00", "400"]


def test_a_month_dimension_gives_each_months_first_day_and_its_label(shop, staff_client):
    body = post(staff_client(Role.OWNER), "/run", {
        "dimensions": ["month"], "measures": ["bills"], "period": "custom", "date_from": "2026-10-01",
        "date_to": "2026-11-30"}).json()
    assert [(r["dimensions"][0]["value"], r["measures"]["bills"]) for r in body["rows"]] == [
        ("2026-10-01", 2), ("2026-11-01", 2)]
    assert body["rows"][0]["dimensions"][0]["label"]


@pytest.mark.parametrize(("change", "field", "code"), [
    ({"dimensions": ["password"]}, "dimensions", "builder.unknown_dimension"),
    ({"dimensions": ["month", "week"]}, "dimensions", "builder.unknown_dimension"),
    ({"measures": []}, "measures", "builder.no_measure"),
    ({"measures": ["profit"]}, "measures", "builder.unknown_measure"),
    ({"dimensions": ["category"], "measures": ["points_earned"]}, "measures", "builder.not_combinable"),
    ({"period": "forever"}, "period", "builder.bad_period"),
    ({"date_from": "yesterday"}, "date_from", "builder.bad_period"),
    ({"date_from": "2024-01-01"}, "date_to", "builder.period_too_long"),
    ({"date_to": "2026-10-01"}, "date_to", "builder.bad_period"),
    ({"sort": "password"}, "sort", "builder.bad_sort"),
    ({"member_type": 999999}, "member_type", "builder.bad_filter"),
    ({"values": {"gender": ["robot"]}}, "values", "builder.bad_values"),
])
def test_bad_input_is_a_400_with_the_builders_code_naming_the_field(shop, staff_client, change, field, code):
    answer = post(staff_client(Role.OWNER), "/run", {**NOVEMBER, **change})
    assert answer.status_code == 400, answer.content
    assert (answer.json()["code"], answer.json()["field"]) == (code, field)


@pytest.mark.parametrize(("body", "field"), [
    ({**NOVEMBER, "dimension": ["branch"]}, "dimension"),
    ({**NOVEMBER, "branch": "1"}, "branch"),
    ({**NOVEMBER, "measures": "bills"}, "measures"),
])
def test_a_body_of_the_wrong_shape_is_a_422_naming_the_field(shop, staff_client, body, field):
    answer = post(staff_client(Role.OWNER), "/run", body)
    assert answer.status_code == 422 and answer.json()["field"] == field


def test_a_branch_manager_and_a_branch_key_see_their_branch_only(shop, staff_client, key_client):
    for client in (staff_client(Role.BRANCH_MANAGER, branches=[shop.b1]), key_client(branch=shop.b1)):
        # when they run the whole organization's definition
        body = post(client, "/run", NOVEMBER).json()
        # then they see B1 only, and its totals
        assert list(by_branch(body)) == ["B1"] and body["totals"]["amount"] == "30000.00"
        # and asking for B2 is refused on the field
        refused = post(client, "/run", {**NOVEMBER, "branch": shop.b2.pk})
        assert refused.status_code == 400 and refused.json()["field"] == "branch"
    # a key of no branch (an ERP) sees every branch
    assert list(by_branch(post(key_client(), "/run", NOVEMBER).json())) == ["B1", "B2"]


def test_callers_without_reports_view_are_refused(shop, staff_client, key_client):
    for client in (staff_client(Role.CASHIER), key_client(can_manage=False)):
        assert client.get(API + "/fields").status_code == 403
        assert post(client, "/run", NOVEMBER).status_code == 403
    assert Client().get(API + "/saved").status_code == 401


def test_saved_reports_belong_to_their_owner_and_shared_ones_are_read_by_all(shop, staff_client, key_client,
                                                                            make_staff, other_org):
    owner, colleague = staff_client(Role.MARKETING), staff_client(Role.ADMIN)
    # given a shared and a private report of the owner
    shared = post(owner, "/saved", {"name": "Branches in November", "shared": True, "definition": NOVEMBER})
    private = post(owner, "/saved", {"name": "Mine", "definition": {**NOVEMBER, "dimensions": ["gender"]}})
    assert shared.status_code == 201 and private.status_code == 201, (shared.content, private.content)
    shared_id, private_id = shared.json()["id"], private.json()["id"]
    assert shared.json()["mine"] and shared.json()["definition"]["dimensions"] == ["branch"]

    # then the name is unique in the organization, and a bad definition names its field in the body
    taken = post(colleague, "/saved", {"name": "Mine", "definition": NOVEMBER})
    assert (taken.status_code, taken.json()["code"], taken.json()["field"]) == (400, "builder.name_taken", "name")
    bad = post(owner, "/saved", {"name": "Bad", "definition": {**NOVEMBER, "sort": "x"}})
    assert (bad.status_code, bad.json()["field"]) == (400, "definition.sort")

    # the colleague lists the shared one, not the private one, and may not change or delete it
    assert [r["name"] for r in colleague.get(API + "/saved").json()["items"]] == ["Branches in November"]
    assert colleague.get(f"{API}/saved/{private_id}").status_code == 404
    refused = patch(colleague, f"/saved/{shared_id}", {"name": "Taken over"})
    assert (refused.status_code, refused.json()["code"]) == (403, "builder.not_owner")
    assert colleague.delete(f"{API}/saved/{shared_id}").status_code == 403

    # the owner changes it (the definition is checked again) and deletes the private one
    changed = patch(owner, f"/saved/{shared_id}", {"shared": False, "definition": {**NOVEMBER, "sort": "-amount"}})
    assert changed.status_code == 200 and not changed.json()["shared"]
    assert changed.json()["definition"]["sort"] == "-amount" and changed.json()["name"] == "Branches in November"
    assert patch(owner, f"/saved/{shared_id}", {"definition": {**NOVEMBER, "measures": []}}).json()["field"] == \
        "definition.measures"
    assert owner.delete(f"{API}/saved/{private_id}").status_code == 204
    assert list(SavedReport.objects.values_list("name", "shared")) == [("Branches in November", False)]

    # another organization's staff does not find it
    stranger = staff_client(Role.OWNER, organization=other_org)
    assert stranger.get(f"{API}/saved/{shared_id}").status_code == 404


def test_a_key_reads_and_runs_shared_reports_and_saves_none(shop, staff_client, key_client):
    owner = staff_client(Role.MARKETING)
    shared = post(owner, "/saved", {"name": "Shared", "shared": True, "definition": NOVEMBER}).json()
    private = post(owner, "/saved", {"name": "Private", "definition": NOVEMBER}).json()
    key = key_client()
    assert [r["name"] for r in key.get(API + "/saved").json()["items"]] == ["Shared"]
    assert key.get(f"{API}/saved/{private['id']}/run").status_code == 404
    assert key.get(f"{API}/saved/{shared['id']}/run").json()["totals"]["amount"] == "70000.00"
    refused = post(key, "/saved", {"name": "By key", "definition": NOVEMBER})
    assert (refused.status_code, refused.json()["code"]) == (403, "builder.staff_only")
    assert patch(key, f"/saved/{shared['id']}", {"name": "x"}).json()["code"] == "builder.staff_only"
    assert SavedReport.objects.count() == 2


def test_a_saved_report_runs_and_exports_in_three_formats(shop, staff_client):
    client = staff_client(Role.OWNER)
    saved = post(client, "/saved", {"name": "Branches", "definition": {**NOVEMBER, "sort": "-amount"}}).json()

    run = client.get(f"{API}/saved/{saved['id']}/run").json()
    assert run["name"] == "Branches" and list(by_branch(run)) == ["B2", "B1"]

    as_csv = client.get(f"{API}/saved/{saved['id']}/export?format=csv")
    assert as_csv.status_code == 200 and as_csv["Content-Type"].startswith("text/csv")
    assert as_csv.content.startswith("\ufeff".encode())
    lines = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert [line[0] for line in lines[1:3]] == ["B2", "B1"] and lines[-1][1:] == ["2", "70000.00", "400"]

    as_xlsx = client.get(f"{API}/saved/{saved['id']}/export?format=xlsx")
    sheet = load_workbook(io.BytesIO(as_xlsx.content)).active
    assert [c.value for c in sheet[4]][1:] == [2, 70000, 400]

    as_pdf = client.get(f"{API}/saved/{saved['id']}/export?format=pdf")
    assert as_pdf.status_code == 200 and as_pdf.content.startswith(b"%PDF")
    assert "attachment" in as_pdf["Content-Disposition"]

    refused = client.get(f"{API}/saved/{saved['id']}/export?format=doc")
    assert refused.status_code == 422 and refused.json()["field"] == "format"
    assert client.get(f"{API}/saved/{saved['id']}/export?fromat=csv").status_code == 422


def test_a_double_submit_saves_once(shop, staff_client):
    client = staff_client(Role.OWNER)
    body = {"name": "Once", "definition": NOVEMBER}
    first = post(client, "/saved", body, HTTP_IDEMPOTENCY_KEY="save-once")
    again = post(client, "/saved", body, HTTP_IDEMPOTENCY_KEY="save-once")
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    # without the header, the second is refused by the unique name, not saved twice
    assert post(client, "/saved", body).json()["code"] == "builder.name_taken"
    assert SavedReport.objects.filter(name="Once").count() == 1
