"""The scheduler's screen and API: the run log, "run the jobs of date D now" (idempotent, audited,
owner/admin only)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from sasom.core import jobs
from sasom.core.audit import Actor
from sasom.core.models import AuditEvent, JobRun
from sasom.core.tests.test_jobs import recorder  # noqa: F401  (the fixture)
from sasom.integrations import auth
from sasom.integrations.services import api_key_create
from sasom.organizations.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(org, terminal):
    auth._cache.clear()
    auth._buckets.clear()
    issued = api_key_create(organization_id=org.id, label="ops", actor=Actor.system(), terminal=terminal,
                            can_manage=True)
    return Client(HTTP_AUTHORIZATION=f"Bearer {issued.key}")


def _token(page) -> str:
    return page.content.decode().split('name="_form_token" value="')[1].split('"')[0]


def run(client, body):
    return client.post("/api/v1/jobs/run", data=json.dumps(body), content_type="application/json")


def test_the_api_lists_the_jobs(manager):
    body = manager.get("/api/v1/jobs", HTTP_ACCEPT_LANGUAGE="en").json()
    by_name = {job["name"]: job for job in body}
    assert by_name["points_expire"] == {
        "name": "points_expire", "schedule": "daily", "scope": "organization", "rerun_safe": True,
        "description": "Points past their expiry date expire"}
    assert by_name["events_purge"]["scope"] == "database"


def test_the_api_runs_a_date_once_audited_and_lists_the_run(manager, org, recorder, other_org):  # noqa: F811
    # when the jobs of 1 March run twice over the API
    first = run(manager, {"date": "2026-03-01", "job": "test_job"})
    second = run(manager, {"date": "2026-03-01", "job": "test_job"})
    # then the job ran once, for this organization only
    assert first.status_code == 200, first.content
    assert [r["outcome"] for r in first.json()["results"]] == ["done"]
    assert [r["outcome"] for r in second.json()["results"]] == ["skipped"]
    assert first.json()["results"][0]["run"]["counts"] == {"things": 1}
    assert recorder == [(org.pk, dt.date(2026, 3, 1))]
    # and both calls are audited
    assert AuditEvent.objects.filter(organization=org, action="jobs.run").count() == 2
    # and the run log shows it
    runs = manager.get("/api/v1/jobs/runs?job=test_job").json()
    assert runs["count"] == 1 and runs["items"][0]["date"] == "2026-03-01"
    assert runs["items"][0]["trigger"] == "api" and runs["items"][0]["status"] == "done"
    assert manager.get("/api/v1/jobs/runs?date_from=2026-03-02").json()["count"] == 0


def test_the_api_runs_every_per_organization_job_of_a_date(manager, org):
    results = run(manager, {"date": "2026-03-01"}).json()["results"]
    assert [r["run"]["job"] for r in results] == [j.name for j in jobs.jobs_registered() if j.per_organization]
    assert {"members_expire", "points_release", "points_expire", "members_retention"} <= {
        r["run"]["job"] for r in results}
    assert not JobRun.objects.filter(organization__isnull=True).exists()


@pytest.mark.parametrize("body, status, code, field", [
    ({"date": "2999-01-01"}, 400, "date_in_future", "date"),
    ({"date": "2000-01-01"}, 400, "date_too_old", "date"),
    ({"date": "2026-03-01", "job": "events_purge"}, 400, "job_unknown", "job"),
    ({"date": "2026-03-01", "job": "nope"}, 400, "job_unknown", "job"),
    ({"date": "2026-02-30"}, 422, None, None),
    ({"date": "2026-03-01", "extra": 1}, 422, None, None),
    ({"date": "2026-03-01", "force": "yes"}, 422, None, None),
])
def test_the_api_refuses_bad_input_naming_the_field(manager, body, status, code, field):
    response = run(manager, body)
    assert response.status_code == status, response.content
    if code:
        assert (response.json()["code"], response.json()["field"]) == (code, field)


def test_a_key_without_manage_may_not_run_jobs(org, terminal):
    auth._cache.clear()
    issued = api_key_create(organization_id=org.id, label="pos", actor=Actor.system(), terminal=terminal)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {issued.key}")
    assert run(client, {"date": "2026-03-01"}).status_code == 403
    assert client.get("/api/v1/jobs/runs").status_code == 403


def test_the_screen_runs_a_date_and_shows_the_log(staff_client, org, recorder):  # noqa: F811
    client = staff_client(Role.OWNER)
    page = client.get("/jobs/")
    assert page.status_code == 200
    token = _token(page)
    # when the owner runs test_job for 1 March
    response = client.post("/jobs/", {"date": "2026-03-01", "job": "test_job", "_form_token": token})
    assert response.status_code == 302
    assert recorder == [(org.pk, dt.date(2026, 3, 1))]
    assert AuditEvent.objects.filter(organization=org, action="jobs.run").count() == 1
    # then the log lists the run with its counts, and the filter finds it
    listing = client.get("/jobs/?job=test_job&date=2026-03-01", HTTP_HX_REQUEST="true").content.decode()
    assert "test_job" in listing and "things" in listing and "<html" not in listing
    assert "test_job" not in client.get("/jobs/?date=2026-03-02", HTTP_HX_REQUEST="true").content.decode()


def test_the_screen_refuses_a_future_date_on_the_field(staff_client, org):
    client = staff_client(Role.ADMIN)
    token = _token(client.get("/jobs/"))
    response = client.post("/jobs/", {"date": "2999-01-01", "_form_token": token})
    assert response.status_code == 200
    assert response.context["form"].errors["date"]
    assert not JobRun.objects.exists()


@pytest.mark.parametrize("role", [Role.MARKETING, Role.BRANCH_MANAGER, Role.CASHIER, Role.AUDITOR])
def test_only_owner_and_admin_open_the_screen(staff_client, role):
    assert staff_client(role).get("/jobs/").status_code == 403
