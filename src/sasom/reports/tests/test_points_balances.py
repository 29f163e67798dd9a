"""The member points summary read from the accounts' balances (``reports.points_summary``) gives
exactly what grouping every entry gives (``REPORTS_POINTS_BALANCES = False``), for every filter and
order, on the shop's autumn and under any order of postings, reversals and expiries; and the
points screens cost a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sasom.core.audit import Actor
from sasom.core.errors import DomainError
from sasom.ledger.models import Entry, PointAccount
from sasom.ledger.services import account_for, points_adjust
from sasom.ledger.services.corrections import points_credit_reverse
from sasom.ledger.services.expiry import points_expire_due
from sasom.ledger.testing import assert_ledger_consistent
from sasom.organizations.models import Role
from sasom.reports.framework import REPORTS
from sasom.reports.tests.conftest import at
from sasom.reports.tests.test_points_reports import scope_of
from sasom.testing.factories import MemberFactory

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system()
REPORT = REPORTS["member-points"]
PERIODS = [(dt.date(2026, 11, 1), dt.date(2026, 11, 15)), (dt.date(2026, 10, 1), dt.date(2026, 10, 31)),
           (dt.date(2025, 1, 1), dt.date(2026, 10, 4)), (dt.date(2026, 11, 16), dt.date(2026, 11, 30))]
SORTS = ["", "code", "-name", "member_type", "closing", "-opening", "earned", "-adjusted"]


def read(staff: Any, sort: str, balances: bool, **filters: Any) -> tuple[list[Any], dict[str, Any], int]:
    """Every row (finished, in the report's order), the totals and the page count."""
    with override_settings(REPORTS_POINTS_BALANCES=balances):
        scope = scope_of(staff, **filters)
        rows = REPORT.sorted_rows(scope, sort)
        count = rows.count()
        finished = REPORT.finish([dict(r) for r in rows], scope)
        return [{k: r[k] for k in ("code", "name", "member_type", *MEASURES)} for r in finished], \
            REPORT.totals(scope), count


MEASURES = ("opening", "earned", "bought", "spent", "expired", "returned", "adjusted", "closing")


def assert_same(staff: Any, sort: str = "", **filters: Any) -> list[Any]:
    fast, fast_totals, fast_count = read(staff, sort, True, **filters)
    raw, raw_totals, raw_count = read(staff, sort, False, **filters)
    if sort.lstrip("-") in ("closing", "opening", "earned", "adjusted"):  # ties: any order among them
        fast, raw = sorted(fast, key=repr), sorted(raw, key=repr)
    assert fast == raw
    assert {k: fast_totals[k] for k in MEASURES} == {k: raw_totals[k] for k in MEASURES}
    assert fast_count == raw_count == len(raw)
    return fast


@pytest.mark.parametrize("start,end", PERIODS)
def test_balances_equal_the_entries_for_every_filter(shop, make_staff, start, end):
    # given a second general member whose only points were adjusted away before November
    quiet = MemberFactory(organization=shop.org, member_type=shop.gen, code="M0000003", first_name="เงียบ")
    points_adjust(account=account_for(quiet), points=30, reason="gift", actor=SYSTEM, now=at(2026, 9, 1))
    points_adjust(account=account_for(quiet), points=-30, reason="undo", actor=SYSTEM, now=at(2026, 10, 10))
    owner = make_staff(Role.OWNER)
    for filters in ({}, {"member_type": shop.vip}, {"member_type": shop.gen}, {"code": "M0000001"},
                    {"code": "NOBODY"}, {"branch": shop.b2}):
        for sort in SORTS:
            # when read from the balances and from every entry, then the same rows, totals and count
            assert_same(owner, sort, start=start, end=end, **filters)


def test_a_period_before_today_takes_later_entries_off_the_balance(shop, make_staff):
    owner = make_staff(Role.OWNER)
    rows = {r["code"]: r for r in assert_same(owner, "code", start=dt.date(2026, 10, 1), end=dt.date(2026, 10, 31))}
    # Somchai: 50 welcome points expired on 3 October, 15 earned on the 5th; what came in November is not his yet
    assert (rows["M0000001"]["opening"], rows["M0000001"]["expired"], rows["M0000001"]["earned"],
            rows["M0000001"]["closing"]) == (50, 50, 15, 15)
    # Malee joined in October: 20 earned
    assert (rows["M0000002"]["opening"], rows["M0000002"]["closing"]) == (0, 20)


def test_a_member_without_points_or_movement_is_left_out(shop, make_staff):
    MemberFactory(organization=shop.org, member_type=shop.gen, code="M0000009")
    owner = make_staff(Role.OWNER)
    codes = [r["code"] for r in assert_same(owner, "code")]
    assert codes == ["M0000001", "M0000002"]


def test_the_tier_filter_holds_on_the_balances(shop, make_staff):
    from sasom.tiers.models import MemberTier
    from sasom.tiers.services import TierIn, ladder_configure

    ladder_configure(organization_id=shop.org.pk, actor=SYSTEM, name="L", window_months=12, cutoff_frequency="yearly",
                     tiers=[TierIn("GOLD", "Gold", 100)])
    from sasom.tiers.models import Tier

    gold = Tier.objects.get(organization=shop.org, code="GOLD")
    MemberTier.objects.update_or_create(organization=shop.org, member=shop.malee,
                                        defaults={"tier": gold, "reached_on": dt.date(2026, 11, 1)})
    owner = make_staff(Role.OWNER)
    for tier in (str(gold.pk), "none"):
        with override_settings(REPORTS_POINTS_BALANCES=True):
            scope = scope_of(owner)
            scope.tier = tier
            fast = REPORT.finish(list(REPORT.sorted_rows(scope, "code")), scope)
            fast_totals = REPORT.totals(scope)
        with override_settings(REPORTS_POINTS_BALANCES=False):
            raw = REPORT.finish(list(REPORT.sorted_rows(scope, "code")), scope)
            raw_totals = REPORT.totals(scope)
        assert [r["code"] for r in fast] == [r["code"] for r in raw] == (
            ["M0000002"] if tier != "none" else ["M0000001"])
        assert [r["closing"] for r in fast] == [r["closing"] for r in raw]
        assert fast_totals == raw_totals


def test_a_screen_costs_a_fixed_number_of_queries(shop, make_staff, django_assert_num_queries):
    from django.core.paginator import Paginator

    owner = make_staff(Role.OWNER)

    def screen(report: Any) -> Any:
        scope = scope_of(owner, period="month")  # a screen's own scope (its cache)
        page = Paginator(report.sorted_rows(scope, ""), 50).get_page(1)
        report.finish(list(page.object_list), scope)
        report.totals(scope)
        report.chart(scope)
        return page

    # member points: count, page, balances, entries; the movement one grouping; the liability one
    # grouping, the member types' names and the point values, and on PostgreSQL first the open
    # lots' span of expiry dates (its months are a binary search there: reports/points_buckets.py)
    liability = 4 if connection.vendor == "postgresql" else 3
    for slug, expected in (("member-points", 4), ("points-movement", 1), ("points-liability", liability)):
        screen(REPORTS[slug])  # caches a process keeps (the organization, labels) filled first
        # the page with its count, the totals and the chart, as reports.views does it
        with django_assert_num_queries(expected):
            page = screen(REPORTS[slug])
        assert page.paginator.count > 0


def test_an_export_streams_every_row_in_chunks(shop, make_staff):
    for code in range(10, 15):
        member = MemberFactory(organization=shop.org, member_type=shop.gen, code=f"M00000{code}")
        points_adjust(account=account_for(member), points=code, reason="gift", actor=SYSTEM, now=at(2026, 11, 8))
    owner = make_staff(Role.OWNER)
    scope = scope_of(owner)
    streamed = [r["code"] for r in REPORT.stream(scope, "code", chunk=2)]
    assert streamed == sorted(streamed) and len(streamed) == 7 == REPORT.sorted_rows(scope, "code").count()


OPS = st.lists(st.one_of(
    st.tuples(st.just("adjust"), st.integers(0, 2), st.integers(-60, 80), st.integers(0, 400)),
    st.tuples(st.just("reverse"), st.integers(0, 30), st.integers(0, 400)),
    st.tuples(st.just("expire"), st.integers(0, 400)),
), min_size=1, max_size=12)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS, start_ago=st.integers(0, 400), length=st.integers(0, 200), sort=st.sampled_from(["code", "closing"]))
def test_any_postings_reversals_and_expiries_read_as_the_entries(shop, make_staff, ops, start_ago, length, sort):
    owner = make_staff(Role.OWNER)
    members = [shop.somchai, shop.malee, shop.somchai]
    today = dt.date(2026, 11, 15)
    with transaction.atomic():
        for op in ops:
            try:
                with transaction.atomic():
                    if op[0] == "adjust" and op[2]:
                        when = at(2026, 11, 15, 11) - dt.timedelta(days=op[3])
                        points_adjust(account=account_for(members[op[1]]), points=op[2], reason="test", actor=SYSTEM,
                                      now=when)
                    elif op[0] == "reverse":
                        credits = list(Entry.objects.filter(organization=shop.org, kind__in=["adjust", "buy"], sign=1)
                                       .order_by("id"))
                        if credits:
                            credit = credits[op[1] % len(credits)]
                            points_credit_reverse(account=credit.account, entry_id=credit.pk, actor=SYSTEM,
                                                  now=at(2026, 11, 15, 11) - dt.timedelta(days=op[2] % 30))
                    elif op[0] == "expire":
                        points_expire_due(organization_id=shop.org.pk, today=today - dt.timedelta(days=op[1]),
                                          now=at(2026, 11, 15, 11) - dt.timedelta(days=op[1]))
            except DomainError:
                pass  # reversed already, or more than the balance
        for account in PointAccount.objects.filter(organization=shop.org):
            assert_ledger_consistent(account)
        start = today - dt.timedelta(days=start_ago)
        assert_same(owner, sort, start=start, end=start + dt.timedelta(days=length))
        transaction.set_rollback(True)
