"""A saved report's e-mail schedule over the API: list, create, read, change, delete; the page's
checks and codes naming the field; the owner only (a colleague, a key, another organization);
one schedule per report (409) and a create sent twice with one Idempotency-Key runs once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from sasom.core.models import AuditEvent
from sasom.organizations.models import Role
from sasom.reports.builder_models import ReportSchedule, ReportScheduleRun
from sasom.reports.tests.test_builder_api import API, NOVEMBER, key_client, patch, post  # noqa: F401

pytestmark = pytest.mark.django_db

WEEKLY = {"frequency": "weekly", "format": "xlsx", "recipients": ["Owner@Example.com", "acc@example.com"]}


def schedules(report_id: int) -> str:
    return f"/saved/{report_id}/schedules"


@pytest.fixture
def saved(org, staff_client):
    owner = staff_client(Role.MARKETING)
    answer = post(owner, "/saved", {"name": "Branches", "shared": True, "definition": NOVEMBER})
    assert answer.status_code == 201, answer.content
    return owner, answer.json()["id"]


def test_the_owner_schedules_changes_and_deletes_a_saved_report(saved):
    owner, report_id = saved
    # given no schedule
    assert owner.get(API + schedules(report_id)).json() == {"count": 0, "items": []}

    # when the owner schedules it weekly
    created = post(owner, schedules(report_id), WEEKLY)

    # then it is stored as the page stores it (addresses trimmed, lower case) and listed
    assert created.status_code == 201, created.content
    body = created.json()
    assert {k: body[k] for k in ("report_id", "frequency", "format", "recipients", "active", "last_sent_on")} == {
        "report_id": report_id, "frequency": "weekly", "format": "xlsx",
        "recipients": ["owner@example.com", "acc@example.com"], "active": True, "last_sent_on": None}
    schedule = ReportSchedule.objects.get()
    assert (schedule.pk, schedule.recipients) == (body["id"], ["owner@example.com", "acc@example.com"])
    assert owner.get(API + schedules(report_id)).json()["items"] == [body]
    assert owner.get(API + schedules(report_id) + f"/{body['id']}").json() == body
    assert owner.get(API + "/saved").json()["items"][0]["scheduled"] is True

    # a sending is reported as the last date sent
    ReportScheduleRun.objects.create(organization_id=schedule.organization_id, schedule=schedule,
                                     run_on=dt.date(2026, 11, 16), recipients=schedule.recipients)
    assert owner.get(API + schedules(report_id) + f"/{body['id']}").json()["last_sent_on"] == "2026-11-16"

    # when it is changed: only what is sent changes
    changed = patch(owner, schedules(report_id) + f"/{body['id']}", {"frequency": "monthly", "active": False})
    assert changed.status_code == 200, changed.content
    assert {k: changed.json()[k] for k in ("frequency", "format", "recipients", "active")} == {
        "frequency": "monthly", "format": "xlsx", "recipients": ["owner@example.com", "acc@example.com"],
        "active": False}
    assert ReportSchedule.objects.get().frequency == "monthly"

    # and deleted
    assert owner.delete(API + schedules(report_id) + f"/{body['id']}").status_code == 204
    assert not ReportSchedule.objects.exists()
    assert owner.get(API + schedules(report_id) + f"/{body['id']}").json()["code"] == "builder.not_found"
    actions = list(AuditEvent.objects.filter(action__startswith="report_schedule").values_list("action", flat=True)
                   .order_by("pk"))
    assert actions == ["report_schedule.set", "report_schedule.set", "report_schedule.deleted"]


@pytest.mark.parametrize(("change", "code", "field"), [
    ({"frequency": "hourly"}, "builder.bad_frequency", "frequency"),
    ({"format": "doc"}, "builder.bad_format", "format"),
    ({"recipients": ["not-an-address"]}, "builder.bad_recipients", "recipients"),
    ({"recipients": []}, "builder.bad_recipients", "recipients"),
    ({"recipients": [f"a{i}@example.com" for i in range(21)]}, "builder.bad_recipients", "recipients"),
])
def test_bad_input_is_refused_with_the_pages_codes(saved, change, code, field):
    owner, report_id = saved
    refused = post(owner, schedules(report_id), {**WEEKLY, **change})
    assert (refused.status_code, refused.json()["code"], refused.json()["field"]) == (400, code, field)
    assert not ReportSchedule.objects.exists()
    # and a change is checked the same way
    made = post(owner, schedules(report_id), WEEKLY).json()
    refused = patch(owner, schedules(report_id) + f"/{made['id']}", change)
    assert (refused.status_code, refused.json()["code"], refused.json()["field"]) == (400, code, field)
    assert ReportSchedule.objects.get().frequency == "weekly"


def test_the_shape_is_the_schemas(saved):
    owner, report_id = saved
    for body in ({**WEEKLY, "hourly": True}, {**WEEKLY, "recipients": "a@example.com"}, {**WEEKLY, "active": "yes"},
                 {"frequency": "daily"}):
        refused = post(owner, schedules(report_id), body)
        assert refused.status_code == 422 and refused.json()["code"] == "invalid_input", body
    assert owner.get(API + schedules(report_id) + "?all=1").status_code == 422
    assert not ReportSchedule.objects.exists()


def test_one_schedule_per_report_and_a_double_submit_creates_once(saved):
    owner, report_id = saved
    first = post(owner, schedules(report_id), WEEKLY, HTTP_IDEMPOTENCY_KEY="schedule-once")
    again = post(owner, schedules(report_id), WEEKLY, HTTP_IDEMPOTENCY_KEY="schedule-once")
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert again["Idempotent-Replayed"] == "true"
    # without the key a second create is refused: change the schedule instead
    second = post(owner, schedules(report_id), {**WEEKLY, "frequency": "daily"})
    assert (second.status_code, second.json()["code"]) == (409, "builder.schedule_exists")
    assert list(ReportSchedule.objects.values_list("frequency", flat=True)) == ["weekly"]


def test_only_the_owner_schedules_and_others_do_not_see_the_schedule(saved, staff_client, key_client,  # noqa: F811
                                                                     make_staff, other_org):
    owner, report_id = saved
    made = post(owner, schedules(report_id), WEEKLY).json()
    one = schedules(report_id) + f"/{made['id']}"
    # a colleague sees the shared report but not its addresses, and changes nothing
    colleague = staff_client(Role.ADMIN)
    for answer in (colleague.get(API + schedules(report_id)), post(colleague, schedules(report_id), WEEKLY),
                   patch(colleague, one, {"active": False}), colleague.delete(API + one)):
        assert (answer.status_code, answer.json()["code"]) == (403, "builder.not_owner")
    # a key owns no saved report
    key = key_client()
    for answer in (key.get(API + schedules(report_id)), post(key, schedules(report_id), WEEKLY)):
        assert (answer.status_code, answer.json()["code"]) == (403, "builder.staff_only")
    # a role without reports.view, no one at all, another organization
    assert staff_client(Role.CASHIER).get(API + schedules(report_id)).status_code == 403
    assert Client().get(API + schedules(report_id)).status_code == 401
    stranger = staff_client(Role.OWNER, organization=other_org)
    assert stranger.get(API + schedules(report_id)).json()["code"] == "builder.not_found"
    # a schedule id of another report is not found under this one
    other = post(owner, "/saved", {"name": "Genders", "definition": {**NOVEMBER, "dimensions": ["gender"]}}).json()
    assert owner.get(API + schedules(other["id"]) + f"/{made['id']}").status_code == 404
    assert ReportSchedule.objects.get().active is True
