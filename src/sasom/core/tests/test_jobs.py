"""Daily jobs: the command runs what each app registered, in order."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from sasom.core import jobs


def test_apps_register_their_daily_jobs_in_order():
    assert [j.name for j in jobs.daily_jobs()] == [
        "members_expire", "points", "tiers", "members_retention", "login_codes_purge", "events_purge",
        "form_tokens_purge",
    ]


def test_the_command_runs_a_registered_job_in_its_place(db):
    # given a job registered between the ledger's and the members'
    ran: list[str] = []

    def job() -> str:
        ran.append("x")
        return "did the test job"

    jobs.daily_job("test_job", job, order=150)
    try:
        # when cron runs the command
        out = StringIO()
        call_command("sasom_daily", stdout=out)
    finally:
        jobs.daily_job_forget("test_job")
    # then it ran once, its line printed after the ledger's and before the members'
    lines = out.getvalue().splitlines()
    assert ran == ["x"]
    assert lines[0].startswith("expired ") and "member cards" in lines[0]
    assert lines[1].startswith("released ") and lines[2].startswith("tiers: ") and lines[3] == "did the test job"
    assert lines[4].startswith("anonymized ")
    assert lines[-2].startswith("deleted ") and "outbox events" in lines[-2]
    assert "form tokens" in lines[-1]
