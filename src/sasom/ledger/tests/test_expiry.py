from __future__ import annotations

import datetime as dt
import threading

import pytest

from sasom.ledger.models import Entry, ExpiryPolicy, Lot, PointAccount
from sasom.ledger.policy import expiry_on, local_date
from sasom.ledger.services import account_for, points_expire_due, points_release_pending
from sasom.ledger.testing import assert_ledger_consistent
from sasom.ledger.tests.conftest import at


@pytest.mark.parametrize(
    "policy, n, earned, expected",
    [
        (ExpiryPolicy.NEVER, 0, dt.date(2026, 3, 15), None),
        (ExpiryPolicy.DAYS, 30, dt.date(2026, 3, 15), dt.date(2026, 4, 14)),
        (ExpiryPolicy.DAYS, 365, dt.date(2028, 2, 29), dt.date(2029, 2, 28)),
        (ExpiryPolicy.END_OF_MONTH, 0, dt.date(2026, 3, 15), dt.date(2026, 3, 31)),
        (ExpiryPolicy.END_OF_MONTH, 11, dt.date(2027, 3, 31), dt.date(2028, 2, 29)),
        (ExpiryPolicy.END_OF_MONTH, 12, dt.date(2028, 2, 29), dt.date(2029, 2, 28)),
        (ExpiryPolicy.END_OF_QUARTER, 0, dt.date(2026, 2, 1), dt.date(2026, 3, 31)),
        (ExpiryPolicy.END_OF_QUARTER, 3, dt.date(2026, 12, 31), dt.date(2027, 3, 31)),
        (ExpiryPolicy.END_OF_YEAR, 12, dt.date(2028, 2, 29), dt.date(2029, 12, 31)),
        (ExpiryPolicy.END_OF_YEAR, 0, dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
    ],
)
def test_expiry_dates_for_each_policy(policy, n, earned, expected):
    assert expiry_on(policy, n, earned) == expected


def test_expiry_date_counts_from_the_bangkok_date_not_utc():
    # 00:30 on 1 April in Bangkok is still 31 March in UTC
    earned_at = at(2026, 4, 1, 0, 30)
    assert local_date(earned_at, "Asia/Bangkok") == dt.date(2026, 4, 1)
    assert expiry_on(ExpiryPolicy.END_OF_MONTH, 0, local_date(earned_at, "Asia/Bangkok")) == dt.date(2026, 4, 30)


def test_points_live_until_midnight_bangkok_of_their_last_day(sell, member, policy, org):
    # given 10 points earned 1 March that expire end of March
    policy(expiry_policy=ExpiryPolicy.END_OF_MONTH, expiry_n=0)
    sell(member, "1000.00", when=at(2026, 3, 1))
    account = account_for(member)
    # when the job runs at 23:59:59 on 31 March (Bangkok) — 16:59:59 UTC
    assert points_expire_due(organization_id=org.pk, now=at(2026, 3, 31, 23, 59, 59)) == 0
    assert PointAccount.objects.get(pk=account.pk).spendable == 10
    # and again at 00:00:00 on 1 April (Bangkok) — still 31 March in UTC
    assert points_expire_due(organization_id=org.pk, now=at(2026, 4, 1, 0, 0, 0)) == 10
    # then they are gone, with one expire entry drawing the lot
    account.refresh_from_db()
    assert account.spendable == 0
    entry = Entry.objects.get(kind="expire")
    assert (entry.sign, entry.amount, entry.draws.get().amount) == (-1, 10, 10)
    assert_ledger_consistent(account)


def test_expiry_runs_are_idempotent(sell, member, policy, org):
    policy(expiry_policy=ExpiryPolicy.DAYS, expiry_n=1)
    sell(member, "1000.00", when=at(2026, 3, 1))
    assert points_expire_due(organization_id=org.pk, today=dt.date(2026, 3, 5)) == 10
    assert points_expire_due(organization_id=org.pk, today=dt.date(2026, 3, 5)) == 0
    assert points_expire_due(organization_id=org.pk, today=dt.date(2026, 3, 6)) == 0
    assert Entry.objects.filter(kind="expire").count() == 1


def test_spent_points_never_expire(sell, member, policy, org, actor):
    from sasom.ledger.services import points_spend

    # given 10 points of which 7 were redeemed
    policy(expiry_policy=ExpiryPolicy.DAYS, expiry_n=10)
    sell(member, "1000.00", when=at(2026, 3, 1))
    points_spend(account=account_for(member), points=7, actor=actor, now=at(2026, 3, 2))
    # when they expire
    expired = points_expire_due(organization_id=org.pk, today=dt.date(2026, 3, 20))
    # then only the 3 left expire
    assert expired == 3
    assert Lot.objects.get().remaining == 0


def test_29_february_earnings_expire_on_28_february_next_year(sell, member, policy, org):
    policy(expiry_policy=ExpiryPolicy.END_OF_MONTH, expiry_n=12)
    sell(member, "500.00", when=at(2028, 2, 29, 18))
    lot = Lot.objects.get()
    assert lot.expires_on == dt.date(2029, 2, 28)
    assert points_expire_due(organization_id=org.pk, today=dt.date(2029, 2, 28)) == 0
    assert points_expire_due(organization_id=org.pk, today=dt.date(2029, 3, 1)) == 5


def test_each_organization_expires_only_its_own_lots(sell, member, policy, org, other_org):
    policy(expiry_policy=ExpiryPolicy.DAYS, expiry_n=1)
    sell(member, "1000.00", when=at(2026, 3, 1))
    assert points_expire_due(organization_id=other_org.pk, today=dt.date(2026, 4, 1)) == 0
    assert points_expire_due(organization_id=org.pk, today=dt.date(2026, 4, 1)) == 10


def test_pending_points_become_spendable_when_the_return_window_closes(sell, member, policy, org):
    # given a 7-day return window
    policy(pending_days=7)
    result = sell(member, "1000.00", when=at(2026, 3, 1, 15))
    assert (result.spendable, result.pending) == (0, 10)
    # when the release job runs a day too early, then on time
    assert points_release_pending(organization_id=org.pk, now=at(2026, 3, 8, 14, 59)) == 0
    assert points_release_pending(organization_id=org.pk, now=at(2026, 3, 8, 15, 0)) == 10
    assert points_release_pending(organization_id=org.pk, now=at(2026, 3, 9)) == 0
    # then the points are spendable
    account = account_for(member)
    assert (account.spendable, account.pending) == (10, 0)
    assert_ledger_consistent(account)


def test_release_moves_only_the_lots_whose_window_has_closed(sell, member, policy, org):
    # given a 7-day return window and two sales: 1 March 15:00 (10 points) and 5 March 15:00 (20)
    policy(pending_days=7)
    sell(member, "1000.00", when=at(2026, 3, 1, 15))
    sell(member, "2000.00", when=at(2026, 3, 5, 15))  # 20 + 10 for a bill of 2,000 = 30
    account = account_for(member)
    assert (account.spendable, account.pending) == (0, 40)
    # when the release job runs on 8 March at 15:00, when only the first window has closed
    released = points_release_pending(organization_id=org.pk, now=at(2026, 3, 8, 15))
    # then only the first sale's 10 points move; the second's 30 stay pending on their lot
    assert released == 10
    account = account_for(member)
    assert (account.spendable, account.pending) == (10, 30)
    assert sorted(Lot.objects.filter(account=account).values_list("amount", "is_pending")) == [(10, False), (30, True)]
    # when it runs again on 12 March at 15:00, then the second follows
    assert points_release_pending(organization_id=org.pk, now=at(2026, 3, 12, 15)) == 30
    account = account_for(member)
    assert (account.spendable, account.pending) == (40, 0)
    assert_ledger_consistent(account)


def test_a_backdated_sale_past_its_window_is_spendable_at_once(sell, member, policy):
    policy(pending_days=7)
    result = sell(member, "1000.00", when=at(2026, 3, 1), now=at(2026, 3, 20))
    assert (result.spendable, result.pending) == (10, 0)


@pytest.mark.django_db(transaction=True)
def test_two_expiry_runs_at_once_expire_once(sell, member, policy, org):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("real concurrency needs PostgreSQL")
    policy(expiry_policy=ExpiryPolicy.DAYS, expiry_n=1)
    for day in (1, 2, 3):
        sell(member, "1000.00", when=at(2026, 3, day))
    totals: list[int] = []

    def run():
        try:
            totals.append(points_expire_due(organization_id=org.pk, today=dt.date(2026, 4, 1)))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(totals) == [0, 30]
    assert Entry.objects.filter(kind="expire").count() == 1


def test_the_daily_jobs_release_and_expire_for_the_date_given_not_the_wall_clock(sell, member, policy, org):
    from sasom.core.jobs import job_run
    from sasom.core.models import JobRun

    # given 10 points earned 1 March that expire end of March, and 5 pending points until 5 March
    policy(expiry_policy=ExpiryPolicy.END_OF_MONTH, expiry_n=0)
    sell(member, "1000.00", when=at(2026, 3, 1))
    policy(expiry_policy=ExpiryPolicy.NEVER, pending_days=4)
    sell(member, "500.00", when=at(2026, 3, 1, 10), now=at(2026, 3, 1, 10))
    account = account_for(member)
    assert (account.spendable, account.pending) == (10, 5)
    # when the jobs run for 5 March: the window closes at 10:00 on the 5th, after that day's start
    assert job_run("points_release", on_date=dt.date(2026, 3, 5), organization_id=org.pk).counts == {
        "released_points": 0}
    # then for 6 March the pending points are released, nothing expires yet
    assert job_run("points_release", on_date=dt.date(2026, 3, 6), organization_id=org.pk).counts == {
        "released_points": 5}
    assert job_run("points_expire", on_date=dt.date(2026, 3, 31), organization_id=org.pk).counts == {
        "expired_points": 0}
    # and for 1 April (today is long past: the date decides) the 10 points expire, once
    assert job_run("points_expire", on_date=dt.date(2026, 4, 1), organization_id=org.pk).counts == {
        "expired_points": 10}
    again = job_run("points_expire", on_date=dt.date(2026, 4, 1), organization_id=org.pk)
    assert again.outcome == "skipped"
    account.refresh_from_db()
    assert (account.spendable, account.pending) == (5, 0)
    entry = Entry.objects.get(kind="expire")
    assert entry.occurred_at == at(2026, 4, 1, 0, 0)  # the first instant of the date, Bangkok
    assert_ledger_consistent(account)
    assert JobRun.objects.filter(organization=org, job="points_expire").count() == 2


def test_run_jobs_command_runs_a_date_for_every_organization_once(sell, member, policy, org):
    from io import StringIO

    from django.core.management import call_command

    # given points earned long ago that expire after 1 day, and pending points whose window closed
    policy(expiry_policy=ExpiryPolicy.DAYS, expiry_n=1)
    sell(member, "1000.00", when=at(2020, 1, 1))
    policy(expiry_policy=ExpiryPolicy.NEVER, pending_days=1)
    sell(member, "500.00", when=at(2020, 1, 1), now=at(2020, 1, 1))
    # when cron runs the jobs of 1 February 2020 (twice, the second time under the old name)
    out = StringIO()
    call_command("run_jobs", "--date", "2020-02-01", stdout=out)
    call_command("sasom_daily", "--date", "2020-02-01", stdout=out)
    # then the old points expired once and the pending ones are spendable
    account = account_for(member)
    assert (account.spendable, account.pending) == (5, 0)
    assert Entry.objects.filter(kind="expire").count() == 1
    lines = out.getvalue().splitlines()
    assert f"points_expire 2020-02-01 organization {org.pk}: expired_points 10" in out.getvalue()
    assert any(line.startswith("points_expire 2020-02-01") and "already done (expired_points 10)" in line
               for line in lines)


def test_run_jobs_can_queue_the_date_for_the_worker(org):
    from io import StringIO

    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    out = StringIO()
    call_command("run_jobs", "--date", "2026-03-01", "--job", "points_expire", "--enqueue", stdout=out)
    row = DBTaskResult.objects.get()
    assert row.task_path == "sasom.core.tasks.jobs_run_task"
    assert row.args_kwargs["args"][:2] == ["2026-03-01", ["points_expire"]]
