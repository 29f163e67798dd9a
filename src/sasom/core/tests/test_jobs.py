"""The scheduler: jobs registered by the apps, run once per (job, organization, date), logged,
caught up after downtime in date order, each organization on its own calendar."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from sasom.core import jobs
from sasom.core.models import JobRun
from sasom.testing.factories import OrganizationFactory

UTC = dt.UTC
BKK = zoneinfo.ZoneInfo("Asia/Bangkok")


@pytest.fixture
def recorder():
    """A job ``test_job`` that records each (organization, date) it ran for."""
    ran: list[tuple[int, dt.date]] = []

    def fn(*, organization_id: int, on_date: dt.date) -> dict[str, int]:
        ran.append((organization_id, on_date))
        return {"things": len(ran)}

    jobs.job_register("test_job", fn, order=150)
    yield ran
    jobs.job_forget("test_job")


def test_apps_register_their_jobs_in_order():
    assert [j.name for j in jobs.jobs_registered()] == [
        "members_expire", "points_release", "points_expire", "tiers_cutoff", "tiers_expiry", "members_retention", "login_codes_purge",
        "event_messages", "reports_sales_summary", "events_purge", "form_tokens_purge", "report_exports_purge", "report_schedules_send",
    ]
    assert not jobs.job_get("events_purge").per_organization
    assert jobs.job_get("points_expire").per_organization


def test_a_run_is_logged_once_per_organization_job_and_date(org, recorder):
    # when the job runs twice for the same date
    first = jobs.job_run("test_job", on_date=dt.date(2026, 3, 1), organization_id=org.pk)
    second = jobs.job_run("test_job", on_date=dt.date(2026, 3, 1), organization_id=org.pk)
    # then it ran once; the second call is a no-op returning the first run
    assert recorder == [(org.pk, dt.date(2026, 3, 1))]
    assert (first.outcome, second.outcome) == ("done", "skipped")
    run = JobRun.objects.get()
    assert (run.status, run.counts, run.attempts, run.organization_id) == ("done", {"things": 1}, 1, org.pk)
    assert run.finished_at >= run.started_at and run.duration_ms is not None
    # a forced rerun of a job safe to rerun runs again, on the same row
    assert jobs.job_run("test_job", on_date=dt.date(2026, 3, 1), organization_id=org.pk, force=True).outcome == "done"
    assert len(recorder) == 2 and JobRun.objects.get().attempts == 2


def test_a_job_not_safe_to_rerun_is_not_forced(org, recorder):
    jobs.job_register("test_job", jobs.job_get("test_job").run, order=150, rerun_safe=False)
    jobs.job_run("test_job", on_date=dt.date(2026, 3, 1), organization_id=org.pk)
    assert jobs.job_run("test_job", on_date=dt.date(2026, 3, 1), organization_id=org.pk, force=True).outcome == "skipped"
    assert len(recorder) == 1


def test_a_failure_is_logged_and_retried_up_to_three_times(org):
    calls = []

    def broken(*, organization_id, on_date):
        calls.append(on_date)
        raise RuntimeError("disk full")

    jobs.job_register("test_broken", broken, order=1)
    try:
        result = jobs.job_run("test_broken", on_date=dt.date(2026, 3, 1), organization_id=org.pk)
        assert result.outcome == "failed"
        run = JobRun.objects.get()
        assert run.status == "failed" and run.error == "RuntimeError: disk full"
        now = dt.datetime(2026, 3, 1, 3, 0, tzinfo=BKK)
        # the scheduler owes it again while attempts remain
        for _ in range(3):
            jobs.jobs_run_due(now=now, jobs=[jobs.job_get("test_broken")])
        assert JobRun.objects.get().attempts == 3
        assert jobs.jobs_due(now=now, jobs=[jobs.job_get("test_broken")]) == []
    finally:
        jobs.job_forget("test_broken")


def test_catch_up_runs_the_missed_dates_in_order_within_the_window(org, recorder, settings):
    settings.JOBS_CATCH_UP_DAYS = 7
    # given the job last ran for 1 March
    jobs.job_run("test_job", on_date=dt.date(2026, 3, 1), organization_id=org.pk)
    # when the worker comes back on 5 March, 00:10 Bangkok
    results = jobs.jobs_run_due(now=dt.datetime(2026, 3, 5, 0, 10, tzinfo=BKK), jobs=[jobs.job_get("test_job")])
    # then 2, 3, 4 and 5 March ran, in that order
    assert [r.on_date.day for r in results] == [2, 3, 4, 5]
    assert [d.day for _o, d in recorder] == [1, 2, 3, 4, 5]
    # and after three weeks down only the last 7 days are owed, oldest first
    due = jobs.jobs_due(now=dt.datetime(2026, 3, 26, 1, 0, tzinfo=BKK), jobs=[jobs.job_get("test_job")])
    assert [d.on_date for d in due] == [dt.date(2026, 3, day) for day in range(20, 27)]


def test_a_job_that_never_ran_starts_today_not_in_the_past(org, recorder):
    due = jobs.jobs_due(now=dt.datetime(2026, 3, 5, 0, 10, tzinfo=BKK), jobs=[jobs.job_get("test_job")])
    assert [(d.organization_id, d.on_date) for d in due] == [(org.pk, dt.date(2026, 3, 5))]


def test_today_is_the_organizations_own_calendar_day(db, recorder):
    # given a shop in Bangkok and one in London
    bangkok = OrganizationFactory(code="bkk", time_zone="Asia/Bangkok")
    london = OrganizationFactory(code="ldn", time_zone="Europe/London")
    # when the scheduler looks at 31 March 17:30 UTC (1 April 00:30 in Bangkok)
    due = jobs.jobs_due(now=dt.datetime(2026, 3, 31, 17, 30, tzinfo=UTC), jobs=[jobs.job_get("test_job")])
    # then Bangkok owes 1 April and London still 31 March
    assert {(d.organization_id, d.on_date) for d in due} == {
        (bangkok.pk, dt.date(2026, 4, 1)), (london.pk, dt.date(2026, 3, 31))}


def test_a_month_end_job_is_due_on_the_last_day_only(org):
    ran = []
    jobs.job_register("test_month", lambda *, organization_id, on_date: ran.append(on_date) or {},
                      order=5, schedule=jobs.MONTH_END)
    try:
        jobs.job_run("test_month", on_date=dt.date(2028, 1, 31), organization_id=org.pk)
        # the worker was down from 28 February to 2 March 2028 (a leap year)
        due = jobs.jobs_due(now=dt.datetime(2028, 3, 2, 1, 0, tzinfo=BKK), jobs=[jobs.job_get("test_month")],
                            days=7)
        assert [d.on_date for d in due] == [dt.date(2028, 2, 29)]
        assert jobs.jobs_run_for_date(on_date=dt.date(2028, 3, 1), jobs=[jobs.job_get("test_month")]) == []
    finally:
        jobs.job_forget("test_month")


def test_whole_database_jobs_are_logged_without_an_organization(db):
    first = jobs.job_run("events_purge", on_date=dt.date(2026, 3, 1))
    second = jobs.job_run("events_purge", on_date=dt.date(2026, 3, 1))
    assert (first.outcome, second.outcome) == ("done", "skipped")
    run = JobRun.objects.get()
    assert run.organization_id is None and run.counts == {"deleted_events": 0}


def test_the_command_runs_a_date_once_and_says_so(org, recorder):
    out = StringIO()
    call_command("run_jobs", "--date", "2026-03-01", "--job", "test_job", stdout=out)
    call_command("run_jobs", "--date", "2026-03-01", "--job", "test_job", "--organization", "minimart", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith(f"test_job 2026-03-01 organization {org.pk}: things 1 (")
    assert lines[1] == f"test_job 2026-03-01 organization {org.pk}: already done (things 1)"
    assert recorder == [(org.pk, dt.date(2026, 3, 1))]


def test_the_command_refuses_bad_input(org):
    with pytest.raises(CommandError, match="unknown job nope"):
        call_command("run_jobs", "--job", "nope", stdout=StringIO())
    with pytest.raises(CommandError, match="not a date"):
        call_command("run_jobs", "--date", "2026-02-30", stdout=StringIO())
    with pytest.raises(CommandError, match="in the future"):
        call_command("run_jobs", "--date", (dt.date.today() + dt.timedelta(days=3)).isoformat(), stdout=StringIO())
    with pytest.raises(CommandError, match="no organization"):
        call_command("run_jobs", "--organization", "nowhere", stdout=StringIO())


def test_the_command_without_a_date_runs_what_is_due(org, recorder):
    out = StringIO()
    call_command("run_jobs", "--job", "test_job", stdout=out)
    call_command("run_jobs", "--job", "test_job", stdout=out)
    assert len(recorder) == 1
    assert out.getvalue().splitlines()[-1] == "nothing due"


def test_the_worker_tick_runs_what_is_due_and_queues_the_next(org, recorder, settings):
    from django_tasks_db.models import DBTaskResult

    from sasom.core.tasks import TICK_PATH, jobs_tick_ensure, jobs_tick_task

    # with the database backend a tick is queued once, however often the worker starts
    assert jobs_tick_ensure() is True
    assert jobs_tick_ensure() is False
    assert DBTaskResult.objects.filter(task_path=TICK_PATH).count() == 1
    # the tick itself (run in place) runs today's jobs
    DBTaskResult.objects.all().delete()
    assert jobs_tick_task.call() >= 1
    assert len(recorder) == 1
    assert DBTaskResult.objects.get(task_path=TICK_PATH).run_after > dt.datetime.now(UTC)
    # an in-place backend (tests, demo) keeps no later ticks
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    assert jobs_tick_ensure() is False


def test_the_purge_jobs_take_the_date_they_run_for(org):
    import uuid

    from sasom.core.models import FormSubmission, OutboxEvent

    # given an outbox event processed, recorded 1 January, and form tokens of 1 and 9 January
    jan1 = dt.datetime(2026, 1, 1, 12, tzinfo=BKK)
    OutboxEvent.objects.create(organization=org, uuid=uuid.uuid4(), kind="x", occurred_at=jan1, recorded_at=jan1,
                               processed_at=jan1)
    for day in (1, 9):
        token = FormSubmission.objects.create(token=f"t{day}", path="/")
        FormSubmission.objects.filter(pk=token.pk).update(created_at=dt.datetime(2026, 1, day, 12, tzinfo=BKK))
    # when the jobs run for 30 January: the event is not yet 30 days old, the first token is
    assert jobs.job_run("events_purge", on_date=dt.date(2026, 1, 30)).counts == {"deleted_events": 0}
    assert jobs.job_run("form_tokens_purge", on_date=dt.date(2026, 1, 10)).counts == {"deleted_tokens": 1}
    # and for 1 February the event goes too
    assert jobs.job_run("events_purge", on_date=dt.date(2026, 2, 1)).counts == {"deleted_events": 1}
    assert list(FormSubmission.objects.values_list("token", flat=True)) == ["t9"]


@pytest.mark.django_db(transaction=True)
def test_two_passes_at_once_run_a_job_once(org):
    import threading
    import time

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("real concurrency needs PostgreSQL")
    ran: list[int] = []

    def slow(*, organization_id, on_date):
        ran.append(organization_id)
        time.sleep(0.3)
        return {"things": 1}

    jobs.job_register("test_slow", slow, order=1)
    outcomes: list[str] = []

    def run():
        try:
            outcomes.append(jobs.job_run("test_slow", on_date=dt.date(2026, 3, 1), organization_id=org.pk).outcome)
        finally:
            connection.close()

    try:
        threads = [threading.Thread(target=run) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        jobs.job_forget("test_slow")
    assert ran == [org.pk]
    assert sorted(outcomes) == ["busy", "done"]
    assert JobRun.objects.get().status == "done"


def test_a_service_returning_its_own_result_registers_as_is():
    from dataclasses import dataclass

    @dataclass
    class CutoffResult:
        evaluated: int
        upgraded: int
        ladder: str

    assert jobs.counts_of(CutoffResult(evaluated=10, upgraded=2, ladder="gold")) == {"evaluated": 10, "upgraded": 2}
    assert jobs.counts_of(7) == {"count": 7}
    assert jobs.counts_of(None) == {}
    assert jobs.counts_of({"a": 1, "b": "x"}) == {"a": 1}
