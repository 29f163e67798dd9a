"""The daily sales summary gives every moved report exactly what the raw sales give.

Each report is computed twice for the same filters, from the summary (the default) and from the
raw sales (``REPORTS_SALES_SUMMARY = False``), over the autumn of ``test_sales_net_of_returns``
(a half return, a whole return, a void, walk-in bills) plus two bills either side of midnight in
Bangkok. Then the summary is built, and the shop keeps selling, returning and voiding on days
already summarised: the next read sees it without the nightly job (the marks), and the nightly
job catches what the marks cannot (the counts)."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sasom.core.audit import Actor
from sasom.core.errors import DomainError
from sasom.ledger.models import Sale
from sasom.ledger.services import sale_return, sale_void
from sasom.organizations.models import Role, Terminal
from sasom.reports.dashboard import dashboard_charts
from sasom.reports.framework import REPORTS
from sasom.reports.summary import summary_job, summary_refresh
from sasom.reports.summary_models import DailyMemberSales, SummaryDay
from sasom.reports.tests.conftest import _sell, at
from sasom.reports.tests.test_points_reports import scope_of
from sasom.reports.tests.test_sales_net_of_returns import returned  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system()
START = dt.date(2026, 10, 1)

# (report, its own filters): every moved report, every grouping the summary must answer
CASES = [
    ("sales-by-month", {}), ("sales-by-month", {"dimension": "branch"}), ("sales-by-month", {"dimension": "age"}),
    ("sales-by-month", {"dimension": "gender"}), ("top-spenders", {}), ("sales-month-columns", {}),
    ("sales-month-columns", {"dimension": "member_type"}), ("card-usage-by-branch", {}),
    ("visit-frequency", {}), ("visit-frequency", {"bands": "1,2,3"}), ("card-usage-by-card", {}),
    ("card-usage-overall", {}), ("card-usage-overall", {"period": "day"}), ("card-usage-overall", {"period": "week"}),
    ("card-usage-overall", {"period": "quarter"}), ("monthly-frequency", {}), ("frequency-per-period", {}),
    ("frequency-per-period", {"period": "week"}), ("frequency-per-period", {"period": "year", "bands": "1,2"}),
    ("purchases-by-segment", {}), ("purchases-by-segment", {"by": "sku", "segment_by": "all"}),
    ("purchases-by-segment", {"segment_by": "tier"}), ("purchases-by-segment", {"segment_by": "age"}),
]


def computed(staff: Any, slug: str, **filters: Any) -> tuple[list[Any], dict[str, Any], Any]:
    """Every row (finished, in a stable order), the totals and the chart's data of a report."""
    report = REPORTS[slug]
    scope = scope_of(staff, **{"start": START, **filters})
    rows = report.finish(list(report.sorted_rows(scope, "")), scope)
    chart = report.chart(scope)
    picture = re.sub(r"chart-[0-9a-f-]{36}", "chart", str(getattr(chart, "svg", chart)))  # pygal's random id
    return sorted((sorted(r.items()) for r in rows), key=repr), report.totals(scope), picture


def assert_same(staff: Any, slug: str, **filters: Any) -> Any:
    summary = computed(staff, slug, **filters)
    with override_settings(REPORTS_SALES_SUMMARY=False):
        raw = computed(staff, slug, **filters)
    assert summary[0] == raw[0]
    assert summary[1] == raw[1]
    assert summary[2] == raw[2]
    return summary


@pytest.fixture
def autumn(returned):  # noqa: F811
    t1 = Terminal.objects.get(code="B1-T1")
    # either side of midnight in Bangkok (16:59:59 and 17:00 UTC): 31 October and 1 November
    _sell(returned.org, t1, "R-011", "300.00", returned.malee, at(2026, 10, 31, 23, 59) + dt.timedelta(seconds=59))
    _sell(returned.org, t1, "R-012", "700.00", returned.malee, at(2026, 11, 1, 0, 0))
    return returned


@pytest.mark.parametrize(("slug", "data"), CASES)
def test_each_moved_report_from_the_summary_equals_the_raw_sales(autumn, make_staff, slug, data):
    owner = make_staff(Role.OWNER)
    rows, totals, _chart = assert_same(owner, slug, **data)
    assert rows
    assert SummaryDay.objects.filter(organization=autumn.org).count() == (dt.date(2026, 11, 15) - START).days + 1
    # and with a branch, a member type, both
    assert_same(owner, slug, branch=autumn.b1, **data)
    assert_same(owner, slug, member_type=autumn.vip, **data)
    assert_same(owner, slug, branch=autumn.b2, member_type=autumn.vip, **data)


def test_the_summary_holds_walk_ins_and_splits_the_days_at_the_shops_midnight(autumn):
    summary_refresh(organization=autumn.org, start_on=START, end_on=dt.date(2026, 11, 15))
    rows = DailyMemberSales.objects.filter(organization=autumn.org)
    malee = {(r.day, r.bills, r.amount) for r in rows.filter(member=autumn.malee, branch=autumn.b1)}
    assert malee == {(dt.date(2026, 10, 31), 1, Decimal("300.00")), (dt.date(2026, 11, 1), 1, Decimal("700.00"))}
    walk_ins = rows.filter(member__isnull=True)
    assert sum(r.bills for r in walk_ins) == 4  # R-005 to R-008, members' reports leave them out
    assert not rows.filter(day=dt.date(2026, 11, 8)).exists()  # the voided bill, its day's only one
    assert not rows.filter(day=dt.date(2026, 11, 9)).exists()  # the bill returned in full
    half = rows.get(member=autumn.somchai, day=dt.date(2026, 11, 2))
    assert (half.bills, half.amount, half.points) == (1, Decimal("30000.00"), 300)


def test_returns_voids_and_late_bills_on_summarised_days_are_seen_at_the_next_read(autumn, make_staff, monkeypatch):
    # given the autumn summarised (the first read builds every day of the period)
    owner = make_staff(Role.OWNER)
    assert_same(owner, "card-usage-by-card")
    built = {s.day: s.built_at for s in SummaryDay.objects.filter(organization=autumn.org)}
    t2 = Terminal.objects.get(code="B2-T1")
    # when Malee's 3 November bill comes back in part, her 20 October bill in full, a 1 November
    # bill is voided and a bill of 25 October arrives late from an offline till
    sale_return(sale=Sale.objects.get(receipt_id="R-004"), lines={1: 1}, actor=SYSTEM, return_id="RT-3",
                now=at(2026, 11, 14))
    sale_return(sale=Sale.objects.get(receipt_id="R-002"), lines={1: 2}, actor=SYSTEM, return_id="RT-4",
                now=at(2026, 11, 14))
    sale_void(sale=Sale.objects.get(receipt_id="R-012"), reason="wrong member", actor=SYSTEM, now=at(2026, 11, 14))
    _sell(autumn.org, t2, "R-013", "900.00", autumn.somchai, at(2026, 10, 25, 18))
    # then the next read (a minute later) rebuilds those four days, and only those, and equals the raw sales
    later = at(2026, 11, 15, 12, 1).astimezone(dt.UTC)
    monkeypatch.setattr("django.utils.timezone.now", lambda: later)
    rebuilt = summary_refresh(organization=autumn.org, start_on=START, end_on=dt.date(2026, 11, 15))
    assert rebuilt == [dt.date(2026, 10, 20), dt.date(2026, 10, 25), dt.date(2026, 11, 1), dt.date(2026, 11, 3)]
    assert summary_refresh(organization=autumn.org, start_on=START, end_on=dt.date(2026, 11, 15)) == []
    unchanged = {s.day for s in SummaryDay.objects.filter(organization=autumn.org) if s.built_at == built[s.day]}
    assert len(unchanged) == len(built) - 4
    for slug, data in CASES:
        assert_same(owner, slug, **data)


def test_the_nightly_job_catches_what_the_marks_miss(autumn, make_staff):
    # given the autumn summarised
    owner = make_staff(Role.OWNER)
    summary_refresh(organization=autumn.org, start_on=START, end_on=dt.date(2026, 11, 15))
    # when a return commits with an id below the day's mark (its transaction began before the
    # build read the marks): faked by raising the marks above it
    sale_return(sale=Sale.objects.get(receipt_id="R-004"), lines={1: 1}, actor=SYSTEM, return_id="RT-3",
                now=at(2026, 11, 14))
    SummaryDay.objects.filter(organization=autumn.org).update(return_mark=10**9)
    # then a read does not see it (the marks are what a read trusts) ...
    card = REPORTS["card-usage-by-branch"]
    stale = card.totals(scope_of(owner, start=START))
    with override_settings(REPORTS_SALES_SUMMARY=False):
        assert card.totals(scope_of(owner, start=START))["amount"] == stale["amount"] - Decimal("20000.00")
    # ... and the nightly job does: the day's returns no longer count what they did
    assert summary_job(organization_id=autumn.org.pk, on_date=dt.date(2026, 11, 15)) == {
        "built_days": 0, "rebuilt_days": 1}
    assert_same(owner, "card-usage-by-branch")
    assert summary_job(organization_id=autumn.org.pk, on_date=dt.date(2026, 11, 15)) == {
        "built_days": 0, "rebuilt_days": 0}


def test_the_nightly_job_builds_the_closed_days_from_the_first_sale(autumn):
    counts = summary_job(organization_id=autumn.org.pk, on_date=dt.date(2026, 11, 15))
    first = Sale.objects.filter(organization=autumn.org).order_by("occurred_at").first()
    days = (dt.date(2026, 11, 14) - first.occurred_at.astimezone(at(2026, 1, 1).tzinfo).date()).days + 1
    assert counts == {"built_days": days, "rebuilt_days": 0}
    assert not SummaryDay.objects.filter(organization=autumn.org, day=dt.date(2026, 11, 15)).exists()  # still open


def test_a_new_time_zone_rebuilds_the_days_in_it(autumn, make_staff):
    owner = make_staff(Role.OWNER)
    summary_refresh(organization=autumn.org, start_on=START, end_on=dt.date(2026, 11, 15))
    autumn.org.time_zone = "UTC"
    autumn.org.save(update_fields=["time_zone"])
    owner.organization.refresh_from_db()
    scope = scope_of(owner, start=START)
    scope.zone = zoneinfo.ZoneInfo("UTC")
    report = REPORTS["sales-by-month"]
    summary = sorted(map(repr, report.rows(scope)))
    with override_settings(REPORTS_SALES_SUMMARY=False):
        raw_scope = scope_of(owner, start=START)
        raw_scope.zone = zoneinfo.ZoneInfo("UTC")
        raw = sorted(map(repr, report.rows(raw_scope)))
    assert summary == raw
    assert set(SummaryDay.objects.filter(organization=autumn.org).values_list("zone", flat=True)) == {"UTC"}


@pytest.mark.parametrize("days", [14, 90])
def test_the_dashboards_sales_charts_from_the_summary_equal_the_raw_sales(autumn, make_staff, days):
    for staff in (make_staff(Role.OWNER), make_staff(Role.BRANCH_MANAGER, branches=[autumn.b2])):
        summary = dashboard_charts(staff, days=days)
        with override_settings(REPORTS_SALES_SUMMARY=False):
            raw = dashboard_charts(staff, days=days)
        assert summary["branch_sales"] == raw["branch_sales"] and summary["branch_sales"]
        assert re.sub(r"chart-[0-9a-f-]{36}", "", summary["earning"].svg) == re.sub(
            r"chart-[0-9a-f-]{36}", "", raw["earning"].svg)


OPS = st.lists(st.one_of(
    st.tuples(st.just("sell"), st.integers(0, 7), st.sampled_from([0, 11, 23]), st.integers(0, 2), st.booleans(),
              st.integers(1, 40)),
    st.tuples(st.just("return"), st.integers(0, 30), st.sampled_from([1, 2])),
    st.tuples(st.just("void"), st.integers(0, 30)),
    st.tuples(st.just("read"),),
    st.tuples(st.just("job"),),
), min_size=1, max_size=14)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS)
def test_any_order_of_sales_returns_voids_and_builds_reads_as_the_raw_sales(shop, make_staff, ops):
    owner = make_staff(Role.OWNER)
    terminals = [Terminal.objects.get(code="B1-T1"), Terminal.objects.get(code="B2-T1")]
    members = [shop.somchai, shop.malee, None]
    with transaction.atomic():
        sold: list[Sale] = []
        for op in ops:
            if op[0] == "sell":
                _kind, days_ago, hour, who, second_branch, hundreds = op
                hour = min(hour, 11) if days_ago == 0 else hour  # nothing sold after the clock's noon
                when = at(2026, 11, 15, hour) - dt.timedelta(days=days_ago)
                sold.append(_sell(shop.org, terminals[second_branch], f"H-{len(sold)}", f"{hundreds * 100}.00",
                                  members[who], when))
            elif op[0] in ("return", "void") and sold:
                sale = Sale.objects.get(pk=sold[op[1] % len(sold)].pk)
                try:
                    with transaction.atomic():
                        if op[0] == "void":
                            sale_void(sale=sale, reason="test", actor=SYSTEM, now=at(2026, 11, 15, 11))
                        else:
                            sale_return(sale=sale, lines={1: op[2]}, actor=SYSTEM, return_id=f"HR-{op[1]}-{sale.returns.count()}",
                                        now=at(2026, 11, 15, 11))
                except DomainError:
                    pass  # voided already, or nothing left to return
            elif op[0] == "read":
                summary_refresh(organization=shop.org, start_on=START, end_on=dt.date(2026, 11, 15))
            elif op[0] == "job":
                summary_job(organization_id=shop.org.pk, on_date=dt.date(2026, 11, 15))
        for slug, data in (("card-usage-by-card", {}), ("sales-by-month", {"dimension": "branch"}),
                           ("frequency-per-period", {"period": "week"}), ("top-spenders", {}),
                           ("purchases-by-segment", {"segment_by": "gender"})):
            assert_same(owner, slug, **data)
        assert_same(owner, "card-usage-by-branch", member_type=shop.vip)
        transaction.set_rollback(True)
