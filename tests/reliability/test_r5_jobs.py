"""R5: the daily jobs run twice at once and three times in a row for the same date; runs at
23:59:59 and 00:00:00 Asia/Bangkok; a 29 February birthday."""

from __future__ import annotations

import datetime as dt
import threading
import zoneinfo
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from sasom.core.audit import Actor
from sasom.earning import engine
from sasom.earning.services import rule_create
from sasom.ledger.models import Entry, LedgerSettings, Lot, PointAccount
from sasom.ledger.services import (
    account_for,
    points_expire_due,
    points_release_pending,
    points_spend,
    sale_post,
)
from sasom.ledger.testing import assert_ledger_consistent
from sasom.members.lifecycle import members_expire_due
from sasom.members.models import Member

BKK = zoneinfo.ZoneInfo("Asia/Bangkok")
SYSTEM = Actor.system("r5")
pg_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="two runs at once need row locks")


def at(y, m, d, hh=10, mm=0, ss=0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, ss, tzinfo=BKK)


def ring(shop, member, receipt: str, amount: str, when: dt.datetime) -> int:
    term = shop.terminals[0]
    basket = engine.Basket(occurred_at=when, lines=(engine.BasketLine(
        line_no=1, sku="TOTAL", quantity=Decimal(1), unit_price=Decimal(amount)),))
    return sale_post(organization=shop.organization, branch=term.branch, terminal=term, receipt_id=receipt,
                     basket=basket, member=member, actor=SYSTEM).points_earned


def twice_at_once(fn) -> list:
    results: list = []
    gate = threading.Barrier(2)

    def run() -> None:
        try:
            gate.wait(10)
            results.append(fn())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


@pytest.fixture
def expiring_shop(shop):
    LedgerSettings.objects.update_or_create(organization=shop.organization,
                                            defaults={"expiry_policy": "days", "expiry_n": 30})
    return shop


def test_midnight_in_bangkok_and_repeated_runs(expiring_shop):
    # given 10 points earned on 1 March 2026 (expire 31 March), of which 4 were spent
    from battery.shop import member_add

    shop = expiring_shop
    somchai = member_add(shop, "R5-A")
    assert ring(shop, somchai, "R5-1", "1000.00", at(2026, 3, 1)) == 10
    account = account_for(somchai)
    points_spend(account=account, points=4, actor=SYSTEM, now=at(2026, 3, 20))
    org_id = shop.organization.id
    # when the job runs three times at 23:59:59 on 31 March, Bangkok
    before = [points_expire_due(organization_id=org_id, now=at(2026, 3, 31, 23, 59, 59)) for _ in range(3)]
    # then nothing expires: the points are good through the whole of their last day
    assert before == [0, 0, 0]
    # when it runs three times at 00:00:00 on 1 April (still 31 March in UTC)
    midnight = at(2026, 4, 1, 0, 0, 0)
    assert midnight.astimezone(dt.UTC).date() == dt.date(2026, 3, 31)
    after = [points_expire_due(organization_id=org_id, now=midnight) for _ in range(3)]
    # then the first run expires the 6 unspent points, the later runs nothing; spent points stay spent
    assert after == [6, 0, 0]
    assert list(Entry.objects.filter(account=account, kind="expire").values_list("amount", flat=True)) == [6]
    assert Entry.objects.filter(account=account, kind="redeem").get().amount == 4
    assert_ledger_consistent(PointAccount.objects.get(pk=account.pk))


@pg_only
def test_expiry_and_release_run_twice_at_once(expiring_shop):
    # given 20 members with points due on 1 April and lots pending until 8 April
    from battery.shop import member_add

    shop = expiring_shop
    org_id = shop.organization.id
    people = [member_add(shop, f"R5-P{i}") for i in range(20)]
    for i, m in enumerate(people):
        ring(shop, m, f"R5-E{i}", "500.00", at(2026, 3, 1))
    LedgerSettings.objects.filter(organization_id=org_id).update(pending_days=7)
    sold_at = dt.datetime.now(BKK) - dt.timedelta(hours=1)
    for i, m in enumerate(people):
        ring(shop, m, f"R5-F{i}", "300.00", sold_at)
    # when expiry runs twice at once for 1 April, then three more times
    first = twice_at_once(lambda: points_expire_due(organization_id=org_id, now=at(2026, 4, 1, 0, 0, 1)))
    again = [points_expire_due(organization_id=org_id, now=at(2026, 4, 1, 12)) for _ in range(3)]
    # then the 20 x 5 points expire exactly once, one entry per member
    assert sum(first) == 100 and again == [0, 0, 0]
    assert Entry.objects.filter(organization_id=org_id, kind="expire").count() == 20
    # when the pending release (points of an hour ago, 7 days' return window) runs twice at once a
    # week later, and again
    week_later = sold_at + dt.timedelta(days=7, seconds=1)
    assert points_release_pending(organization_id=org_id, now=week_later - dt.timedelta(seconds=2)) == 0
    released = twice_at_once(lambda: points_release_pending(organization_id=org_id, now=week_later))
    assert sum(released) == 60
    assert points_release_pending(organization_id=org_id, now=week_later) == 0
    assert not Lot.objects.filter(organization_id=org_id, is_pending=True).exists()
    for account in PointAccount.objects.filter(organization_id=org_id):
        assert_ledger_consistent(account)


def test_member_expiry_at_the_day_boundary(shop):
    # given a member whose card runs to 31 March 2026
    from battery.shop import member_add

    m = member_add(shop, "R5-C")
    Member.objects.filter(pk=m.pk).update(expires_on=dt.date(2026, 3, 31))
    org_id = shop.organization.id
    # when the job runs for 31 March, then three times for 1 April
    assert members_expire_due(org_id, dt.date(2026, 3, 31)) == 0
    runs = [members_expire_due(org_id, dt.date(2026, 4, 1)) for _ in range(3)]
    # then the card expires once, on 1 April
    assert runs == [1, 0, 0]
    assert Member.objects.get(pk=m.pk).status == Member.Status.EXPIRED


@pg_only
def test_member_expiry_twice_at_once(shop):
    from battery.shop import member_add

    for i in range(30):
        m = member_add(shop, f"R5-X{i}")
        Member.objects.filter(pk=m.pk).update(expires_on=dt.date(2026, 3, 31))
    org_id = shop.organization.id
    results = twice_at_once(lambda: members_expire_due(org_id, dt.date(2026, 4, 1)))
    assert sum(results) == 30
    assert Member.objects.filter(organization_id=org_id, status="expired").count() == 30


def test_daily_command_three_times_in_a_row(expiring_shop):
    # given points earned 60 days ago (due by now)
    from battery.shop import member_add

    shop = expiring_shop
    m = member_add(shop, "R5-D")
    ring(shop, m, "R5-D1", "700.00", dt.datetime.now(BKK) - dt.timedelta(days=60))
    outputs = []
    for _ in range(3):
        out = StringIO()
        call_command("sasom_daily", stdout=out)
        outputs.append(out.getvalue())
    # then the first run expires the 7 points, the next two find today done: nothing is due
    assert "expired_points 7 (" in outputs[0]
    assert all(o.strip() == "nothing due" for o in outputs[1:]), outputs
    assert Entry.objects.filter(account__member=m, kind="expire").count() == 1


def test_a_29_february_birthday(shop):
    # given "birthday: double points" and a member born on 29 February 2000
    from battery.shop import member_add

    rule_create(organization_id=shop.organization.id, actor=SYSTEM, code="BDAY", name="Birthday x2",
                kind="birthday", params={"period": "day", "mode": "multiply", "value": "2"})
    leapling = member_add(shop, "R5-L")
    Member.objects.filter(pk=leapling.pk).update(birth_on=dt.date(2000, 2, 29))
    leapling.refresh_from_db()
    # when 1,000 THB bills ring around the birthday in a common year and in a leap year
    earned = {
        "27 Feb 2027 23:59:59": ring(shop, leapling, "L1", "1000.00", at(2027, 2, 27, 23, 59, 59)),
        "28 Feb 2027 00:00:00": ring(shop, leapling, "L2", "1000.00", at(2027, 2, 28, 0, 0, 0)),
        "28 Feb 2027 23:59:59": ring(shop, leapling, "L3", "1000.00", at(2027, 2, 28, 23, 59, 59)),
        "1 Mar 2027 00:00:00": ring(shop, leapling, "L4", "1000.00", at(2027, 3, 1, 0, 0, 0)),
        "28 Feb 2028 12:00": ring(shop, leapling, "L5", "1000.00", at(2028, 2, 28, 12)),
        "29 Feb 2028 00:00:00": ring(shop, leapling, "L6", "1000.00", at(2028, 2, 29, 0, 0, 0)),
        "1 Mar 2028 00:00:00": ring(shop, leapling, "L7", "1000.00", at(2028, 3, 1, 0, 0, 0)),
    }
    # then she celebrates on 28 Feb in 2027 and on 29 Feb in 2028, whole local days, no more
    assert earned == {
        "27 Feb 2027 23:59:59": 10, "28 Feb 2027 00:00:00": 20, "28 Feb 2027 23:59:59": 20,
        "1 Mar 2027 00:00:00": 10, "28 Feb 2028 12:00": 10, "29 Feb 2028 00:00:00": 20,
        "1 Mar 2028 00:00:00": 10,
    }
