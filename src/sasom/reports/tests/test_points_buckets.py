"""The points reports' periods and expiry months (``reports.points_buckets``): on PostgreSQL a
binary search over edges computed in Python, elsewhere the SQL truncation or ``CASE``; on both,
the same groups as the entries and lots grouped here by hand in the shop's zone and calendar."""

from __future__ import annotations

import datetime as dt

import pytest

from sasom.ledger.models import Entry, Lot
from sasom.organizations.models import Role
from sasom.reports import periods
from sasom.reports.framework import REPORTS
from sasom.reports.points import expiry_month
from sasom.reports.points_buckets import period_starts, unbucket
from sasom.reports.tests.conftest import BKK
from sasom.reports.tests.test_points_reports import scope_of

pytestmark = pytest.mark.django_db


def test_period_edges_cover_the_period_and_buckets_name_their_first_day(shop, make_staff):
    scope = scope_of(make_staff(Role.OWNER), start=dt.date(2026, 1, 30), end=dt.date(2026, 3, 2))
    assert period_starts(scope, "month") == [dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 1),
                                             dt.date(2026, 4, 1)]
    days = period_starts(scope, "day")
    assert (days[0], days[-1], len(days)) == (dt.date(2026, 1, 30), dt.date(2026, 3, 3), 33)
    weeks = period_starts(scope, "week")
    assert weeks[0] <= scope.start_on and weeks[-1] > scope.end_on
    assert all((b - a).days == 7 for a, b in zip(weeks, weeks[1:], strict=False))
    rows = [{"p": 1}, {"p": 3}, {"p": None}]
    assert unbucket(rows, "p", period_starts(scope, "month")) == [
        {"p": dt.date(2026, 1, 1)}, {"p": dt.date(2026, 3, 1)}, {"p": None}]


@pytest.mark.parametrize("period", ["day", "week", "month"])
def test_movement_periods_equal_the_entries_grouped_by_hand(shop, make_staff, period):
    # given the shop's entries over almost two years
    owner = make_staff(Role.OWNER)
    scope = scope_of(owner, start=dt.date(2025, 1, 1), end=dt.date(2026, 11, 15), period=period)
    # when the movement is read per day, week or month
    report = REPORTS["points-movement"]
    rows = report.finish(list(report.sorted_rows(scope, "")), scope)
    # then each (period, kind) holds exactly the entries of its local days
    expected: dict[tuple[dt.date, str], list] = {}
    for e in Entry.objects.filter(organization=shop.org, occurred_at__gte=scope.start_at, occurred_at__lt=scope.end_at):
        day = e.occurred_at.astimezone(BKK).date()
        start = day if period == "day" else periods.period_start(day, period, shop.org)
        group = expected.setdefault((start, e.kind), [0, 0, set()])
        group[0] += 1
        group[1] += e.sign * e.amount
        group[2].add(e.account_id)
    assert expected
    got = {(r["period"], r["kind"]): (r["entries"], r["net"], r["members"]) for r in rows}
    assert got == {key: (n, net, len(accounts)) for key, (n, net, accounts) in expected.items()}


def test_liability_months_equal_the_open_lots_grouped_by_hand(shop, make_staff):
    # given open lots spread over three expiry months, one never expiring
    lots = list(Lot.objects.filter(organization=shop.org, remaining__gt=0).order_by("pk"))
    assert len(lots) >= 3
    for lot, expires_on in zip(lots, [dt.date(2027, 1, 31), dt.date(2027, 3, 1), None], strict=False):
        Lot.objects.filter(pk=lot.pk).update(expires_on=expires_on)
    # when the accountant opens the liability
    report = REPORTS["points-liability"]
    scope = scope_of(make_staff(Role.OWNER))
    rows = report.finish(list(report.sorted_rows(scope, "")), scope)
    # then each month holds the points of the lots expiring in it
    expected: dict[dt.date | None, int] = {}
    for lot in Lot.objects.filter(organization=shop.org, remaining__gt=0):
        month = expiry_month(lot.expires_on, shop.org)
        expected[month] = expected.get(month, 0) + lot.remaining
    got: dict[dt.date | None, int] = {}
    for row in rows:
        got[row["expires"]] = got.get(row["expires"], 0) + row["points"]
    assert got == expected and None in got and dt.date(2027, 3, 1) in got
