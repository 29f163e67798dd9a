"""A report page on the primary rebuilds only a few stale summary days and reads the others raw
(``reports.summary_catchup``, decision 0007's second addendum).

The autumn of ``test_summary`` (1 October to 15 November 2026): the summary built up to
10 November, then the shop goes on: a late bill on 25 October, a return of Malee's 3 November bill
and a void of a 1 November bill touch built days, 20 October is forgotten (never built, as after an
upgrade), 11 to 15 November were never built. Every moved report, read on the primary, gives the
raw sales' rows, totals and chart; the page builds at most ``REPORTS_SUMMARY_REQUEST_DAYS`` days
(the newest) and queues the worker's task once for the others, which then builds them."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from sasom.core.audit import Actor
from sasom.ledger.models import Sale
from sasom.ledger.services import sale_return, sale_void
from sasom.organizations.models import Role, Terminal
from sasom.reports.dashboard import dashboard_charts
from sasom.reports.framework import REPORTS
from sasom.reports.summary import BUILD_CHUNK_DAYS, _chunks, summary_refresh, summary_stale
from sasom.reports.summary_catchup import STALE_AFTER, catch_up_queue, summary_catch_up_run
from sasom.reports.summary_models import SummaryCatchUp, SummaryDay
from sasom.reports.tests.conftest import NOW, _sell, at
from sasom.reports.tests.test_points_reports import scope_of
from sasom.reports.tests.test_sales_net_of_returns import returned  # noqa: F401 - a fixture
from sasom.reports.tests.test_summary import CASES, START, assert_same, autumn  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system()
END = dt.date(2026, 11, 15)
BUILT_TO = dt.date(2026, 11, 10)
FORGOTTEN = dt.date(2026, 10, 20)
TOUCHED = {dt.date(2026, 10, 25), dt.date(2026, 11, 3), dt.date(2026, 11, 1)}
NEVER = {BUILT_TO + dt.timedelta(days=i) for i in range(1, 6)}


@pytest.fixture
def mixed_autumn(autumn):  # noqa: F811
    """Built, never built and stale days in one period."""
    summary_refresh(organization=autumn.org, start_on=START, end_on=BUILT_TO)
    _sell(autumn.org, Terminal.objects.get(code="B2-T1"), "R-LATE", "900.00", autumn.somchai, at(2026, 10, 25, 18))
    sale_return(sale=Sale.objects.get(receipt_id="R-004"), lines={1: 1}, actor=SYSTEM, return_id="RT-9",
                now=at(2026, 11, 14))
    sale_void(sale=Sale.objects.get(receipt_id="R-012"), reason="wrong member", actor=SYSTEM, now=at(2026, 11, 14))
    SummaryDay.objects.filter(organization=autumn.org, day=FORGOTTEN).delete()
    assert summary_stale(organization=autumn.org, start_on=START, end_on=END) == {FORGOTTEN, *TOUCHED, *NEVER}
    return autumn


def built_days(org: Any) -> dict[dt.date, Any]:
    return dict(SummaryDay.objects.filter(organization=org).values_list("day", "built_at"))


def test_every_report_on_a_mixed_period_gives_the_raw_figures_and_queues_the_rest_once(
        mixed_autumn, make_staff, settings, django_capture_on_commit_callbacks):
    # given a page that may rebuild no day itself
    settings.REPORTS_SUMMARY_REQUEST_DAYS = 0
    owner = make_staff(Role.OWNER)
    before = built_days(mixed_autumn.org)
    # when every moved report is read on the primary
    with django_capture_on_commit_callbacks(execute=False) as queued:
        for slug, data in CASES:
            with CaptureQueriesContext(connection) as queries:
                assert_same(owner, slug, **data)
                assert_same(owner, slug, branch=mixed_autumn.b2, member_type=mixed_autumn.vip, **data)
            assert "UNION ALL" in " ".join(q["sql"] for q in queries.captured_queries), slug
    # then each gave the raw sales' figures, nothing was rebuilt in a request, and the worker's
    # task was queued once for the whole span of stale days
    assert built_days(mixed_autumn.org) == before
    assert len(queued) == 1
    catch_up = SummaryCatchUp.objects.get(organization=mixed_autumn.org)
    assert (catch_up.first_on, catch_up.last_on, catch_up.finished_at) == (FORGOTTEN, END, None)

    # when the worker runs it: every stale day built, and the reports read the summary alone
    assert summary_catch_up_run(organization_id=mixed_autumn.org.pk) == 1 + len(TOUCHED) + len(NEVER)
    assert summary_stale(organization=mixed_autumn.org, start_on=START, end_on=END) == set()
    assert SummaryCatchUp.objects.get(organization=mixed_autumn.org).finished_at is not None
    with CaptureQueriesContext(connection) as queries:
        assert_same(owner, "card-usage-by-card")
    assert "UNION ALL" not in " ".join(q["sql"] for q in queries.captured_queries)


def test_a_page_rebuilds_the_newest_stale_days_itself_and_reads_the_others_raw(
        mixed_autumn, make_staff, settings, django_capture_on_commit_callbacks):
    settings.REPORTS_SUMMARY_REQUEST_DAYS = 2
    owner = make_staff(Role.OWNER)
    before = built_days(mixed_autumn.org)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert_same(owner, "monthly-frequency")
    after = built_days(mixed_autumn.org)
    rebuilt = {d for d in after if after[d] != before.get(d)}
    assert rebuilt == {dt.date(2026, 11, 15), dt.date(2026, 11, 14)}  # today and yesterday, nothing older
    assert len(queued) == 1
    # the next screen rebuilds the next two and queues nothing more (one is pending)
    with django_capture_on_commit_callbacks(execute=False) as queued_again:
        assert_same(owner, "card-usage-overall", period="week")
    assert len(queued_again) == 0
    assert {dt.date(2026, 11, 13), dt.date(2026, 11, 12)} <= set(built_days(mixed_autumn.org))


def test_the_query_count_of_a_mixed_screen_is_pinned(mixed_autumn, make_staff, settings):
    settings.REPORTS_SUMMARY_REQUEST_DAYS = 0
    owner = make_staff(Role.OWNER)
    report = REPORTS["card-usage-by-card"]
    catch_up_queue(organization_id=mixed_autumn.org.pk, first_on=FORGOTTEN, last_on=END)  # queued before
    scope = scope_of(owner, start=START, end=END)
    with CaptureQueriesContext(connection) as queries:
        rows = report.finish(list(report.sorted_rows(scope, "")), scope)
        count = report.sorted_rows(scope, "").count()
        report.totals(scope)
        report.chart(scope)
    # the check (5: the days, new sales, returns, voids and the voided sales' days), the pending
    # catch-up not taken (1) but widened (1), the page (1) and its members (1), the totals once for
    # the count and the totals row (1)
    assert len(queries) == 10 and count == len(rows) > 0
    assert sum("UNION ALL" in q["sql"] for q in queries.captured_queries) == 2


def test_a_finished_or_lost_catch_up_is_queued_again_by_one_page(autumn, django_capture_on_commit_callbacks):  # noqa: F811
    org_id = autumn.org.pk
    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert catch_up_queue(organization_id=org_id, first_on=dt.date(2026, 11, 1), last_on=dt.date(2026, 11, 5))
        # pending: a second page widens the span and queues nothing
        assert not catch_up_queue(organization_id=org_id, first_on=dt.date(2026, 10, 1), last_on=dt.date(2026, 11, 2))
    assert len(queued) == 1
    row = SummaryCatchUp.objects.get(organization_id=org_id)
    assert (row.first_on, row.last_on) == (dt.date(2026, 10, 1), dt.date(2026, 11, 5))
    # finished: the next page that still finds stale days queues it again, once
    summary_catch_up_run(organization_id=org_id)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert catch_up_queue(organization_id=org_id, first_on=dt.date(2026, 11, 1), last_on=dt.date(2026, 11, 1))
        assert not catch_up_queue(organization_id=org_id, first_on=dt.date(2026, 11, 1), last_on=dt.date(2026, 11, 1))
    assert len(queued) == 1
    # lost (its worker died): queued again once it is older than STALE_AFTER
    SummaryCatchUp.objects.filter(pk=row.pk).update(queued_at=NOW - STALE_AFTER - dt.timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert catch_up_queue(organization_id=org_id, first_on=dt.date(2026, 11, 1), last_on=dt.date(2026, 11, 1))
    assert len(queued) == 1


def test_the_worker_builds_again_when_a_page_widened_the_span_while_it_ran(autumn, monkeypatch):  # noqa: F811
    org_id = autumn.org.pk
    catch_up_queue(organization_id=org_id, first_on=dt.date(2026, 11, 10), last_on=dt.date(2026, 11, 15))
    calls: list[tuple[dt.date, dt.date]] = []

    def refresh(*, organization, start_on, end_on):
        calls.append((start_on, end_on))
        if len(calls) == 1:  # a page reads October meanwhile
            catch_up_queue(organization_id=org_id, first_on=dt.date(2026, 10, 1), last_on=dt.date(2026, 10, 31))
        return summary_refresh(organization=organization, start_on=start_on, end_on=end_on)

    monkeypatch.setattr("sasom.reports.summary_catchup.summary_refresh", refresh)
    summary_catch_up_run(organization_id=org_id)
    assert calls == [(dt.date(2026, 11, 10), dt.date(2026, 11, 15)), (dt.date(2026, 10, 1), dt.date(2026, 11, 15))]
    assert SummaryCatchUp.objects.get(organization_id=org_id).finished_at is not None


def test_a_long_build_commits_a_chunk_of_days_at_a_time():
    year = [(dt.date(2026, 1, 1), dt.date(2026, 1, 17)), (dt.date(2026, 2, 1), dt.date(2026, 2, 1))]
    chunks = _chunks(year)
    assert chunks[0] == (dt.date(2026, 1, 1), dt.date(2026, 1, BUILD_CHUNK_DAYS))
    assert chunks[-1] == (dt.date(2026, 2, 1), dt.date(2026, 2, 1))
    assert all((b - a).days < BUILD_CHUNK_DAYS for a, b in chunks)
    days = {a + dt.timedelta(days=i) for a, b in chunks for i in range((b - a).days + 1)}
    assert len(days) == 18 and sorted(chunks) == chunks  # every day once, in day order


def _picture(chart: Any) -> str:
    return re.sub(r"chart-[0-9a-f-]{36}", "", chart.svg)


@pytest.mark.parametrize("request_days", [0, 2, None])
def test_the_dashboard_rebuilds_the_capped_days_reads_the_others_raw_and_queues_the_rest_once(
        mixed_autumn, make_staff, settings, django_capture_on_commit_callbacks, request_days):
    # given a 90-day trend over days built, never built (all before October) and stale, with the
    # cap set, or left to its default: one day (a day's rebuild is about 1.3 s at a million members)
    if request_days is None:
        del settings.REPORTS_SUMMARY_REQUEST_DAYS  # the reports' tests' own cap (conftest) taken away
        request_days = 1
    else:
        settings.REPORTS_SUMMARY_REQUEST_DAYS = request_days
    staff = [make_staff(Role.OWNER), make_staff(Role.BRANCH_MANAGER, branches=[mixed_autumn.b2])]
    before = built_days(mixed_autumn.org)
    # when the owner and a branch manager open the dashboard on the primary
    with django_capture_on_commit_callbacks(execute=False) as queued:
        for person in staff:
            with CaptureQueriesContext(connection) as queries:
                summary = dashboard_charts(person, days=90)
            with override_settings(REPORTS_SALES_SUMMARY=False):
                raw = dashboard_charts(person, days=90)
            # then its sales charts are the raw sales' (the stale days read raw in the same query)
            assert summary["branch_sales"] == raw["branch_sales"] and summary["branch_sales"]
            assert _picture(summary["earning"]) == _picture(raw["earning"])
            assert "UNION ALL" in " ".join(q["sql"] for q in queries.captured_queries)
    # and the first view rebuilt only the newest days up to the cap, and queued the worker once
    after = built_days(mixed_autumn.org)
    first_view = {END - dt.timedelta(days=i) for i in range(request_days)}
    assert first_view <= {d for d in after if d not in before} <= first_view | {
        END - dt.timedelta(days=request_days + i) for i in range(request_days)}
    assert len(queued) == 1
    catch_up = SummaryCatchUp.objects.get(organization=mixed_autumn.org)
    assert (catch_up.first_on, catch_up.finished_at) == (END - dt.timedelta(days=89), None)
    # when the worker has caught up, the dashboard reads the summary alone, with the same figures
    summary_catch_up_run(organization_id=mixed_autumn.org.pk)
    with CaptureQueriesContext(connection) as queries:
        summary = dashboard_charts(staff[0], days=90)
    assert "UNION ALL" not in " ".join(q["sql"] for q in queries.captured_queries)
    with override_settings(REPORTS_SALES_SUMMARY=False):
        assert _picture(summary["earning"]) == _picture(dashboard_charts(staff[0], days=90)["earning"])


def test_the_dashboards_query_count_with_stale_days_is_pinned(mixed_autumn, make_staff, settings):
    settings.REPORTS_SUMMARY_REQUEST_DAYS = 0
    owner = make_staff(Role.OWNER)
    catch_up_queue(organization_id=mixed_autumn.org.pk, first_on=FORGOTTEN, last_on=END)  # queued before
    for days in (14, 90):  # however many of its days are stale
        with CaptureQueriesContext(connection) as queries:
            dashboard_charts(owner, days=days)
        # the entries per day (1), the check (5: the days, new sales, returns, voids and the voided
        # sales' days), the pending catch-up not taken (1) but widened (1), the earning days and the
        # top branches (2, the stale days raw in each), the active members by type (1)
        assert len(queries) == 11, days
