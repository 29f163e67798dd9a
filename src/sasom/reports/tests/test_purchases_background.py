# ruff: noqa: F811 - the fixtures imported below are the tests' parameters
"""Purchases by segment over a period too big to count in the request (``reports.deferred``,
decision 0012's second addendum): the screen answers at once with a progress panel and queues the
worker once; the worker computes the rows and totals with the report's own code and stores them;
the next visit with the same filters reads them (sorted, paged, charted, exported) with the figures
the inline screen gives; new sales make a stored result "as of" and queue a new run; a branch
manager and another organization never see a result that is not theirs.

The shop of ``test_line_summary`` (baskets of drinks and snacks, returns, walk-ins) over
1 October - 15 November 2026; ``REPORTS_SEGMENT_INLINE_SALES = 0`` makes any period with a sale
"too big"."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sasom.core.audit import Actor
from sasom.organizations.models import Role, Terminal
from sasom.reports.deferred import (
    REFRESH_AFTER,
    STALE_AFTER,
    report_result_run,
    result_form,
    result_key,
    result_load,
)
from sasom.reports.framework import REPORTS, scope_resolve
from sasom.reports.models import ReportExport, ReportResult
from sasom.reports.tests.conftest import NOW, _sell, at
from sasom.reports.tests.test_line_summary import baskets  # noqa: F401 - a fixture
from sasom.reports.tests.test_sales_net_of_returns import returned  # noqa: F401 - a fixture
from sasom.reports.tests.test_summary import autumn  # noqa: F401 - a fixture
from sasom.testing.factories import OrganizationFactory

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system()
URL = "/reports/purchases-by-segment/?date_from=2026-10-01&date_to=2026-11-15"
# every grouping and item kind, with and without the framework's filters
FILTERS = [
    "",
    "&by=sku&segment_by=all",
    "&segment_by=tier",
    "&segment_by=age",
    "&segment_by=gender&by=sku",
]


@pytest.fixture
def big(settings):
    """Every period with a sale is over the budget."""
    settings.REPORTS_SEGMENT_INLINE_SALES = 0
    return settings


def shown(page: Any) -> tuple[Any, Any, int, str]:
    """What the screen shows: its rows and totals as text, its row count and its chart."""
    chart = re.sub(
        r"chart-[0-9a-f-]{36}",
        "chart",
        str(getattr(page.context["chart"], "svg", page.context["chart"])),
    )
    return page.context["rows"], page.context["totals"], page.context["page"].paginator.count, chart


def inline(client: Any, url: str, settings: Any) -> Any:
    before = settings.REPORTS_SEGMENT_INLINE_SALES
    settings.REPORTS_SEGMENT_INLINE_SALES = 10**9
    try:
        page = client.get(url)
    finally:
        settings.REPORTS_SEGMENT_INLINE_SALES = before
    assert page.context["later"] is None and "rows" in page.context
    return page


def run_all() -> None:
    for pk in ReportResult.objects.filter(status=ReportResult.Status.QUEUED).values_list(
        "pk", flat=True
    ):
        report_result_run(result_id=pk)


def test_a_big_period_answers_at_once_and_the_worker_computes_the_inline_figures(
    baskets,
    staff_client,
    big,
    django_capture_on_commit_callbacks,
):
    client = staff_client(Role.OWNER)
    branch = f"&branch={baskets.b2.pk}&member_type={baskets.vip.pk}"
    for extra in [*FILTERS, branch, branch + "&segment_by=tier&by=sku"]:
        url = URL + extra
        # when the screen is asked twice (a double click), before the worker ran
        with django_capture_on_commit_callbacks(execute=False) as queued:
            first = client.get(url)
            second = client.get(url)
        # then both answer at once with the progress panel, no table, and one run is queued
        for page in (first, second):
            assert (
                page.status_code == 200 and page.context["waiting"] and "rows" not in page.context
            )
            assert (
                b'data-state="waiting"' in page.content
                and b'hx-trigger="load delay:2s"' in page.content
            )
            assert b"waiting=1" in page.content
        assert len(queued) == 1, extra
        # when the worker has run it
        run_all()
        # then the screen reads the stored result: the very rows, totals, count and chart of the inline screen
        stored = client.get(url)
        assert stored.context["later"].shown and stored.context["current"]
        assert (
            b'data-state="current"' in stored.content and b"/reports/results/" not in stored.content
        )
        assert shown(stored) == shown(inline(client, url, big)), extra
        assert shown(stored)[2] > 0
    assert ReportResult.objects.filter(status=ReportResult.Status.DONE).count() == len(FILTERS) + 2


def test_the_stored_rows_and_totals_are_the_reports_own(baskets, staff_client, big):
    # given a result computed by the worker
    client = staff_client(Role.OWNER)
    client.get(URL + "&segment_by=tier")
    run_all()
    stored = ReportResult.objects.get()
    # when the same filters are resolved again and the report computed now
    report = REPORTS["purchases-by-segment"]
    form = result_form(report, client.staff, stored.query)
    assert form.is_valid()
    scope = scope_resolve(form, report=report, staff=client.staff)
    rows, totals = report.computed(scope)
    # then the stored rows, typed again on reading, are those rows: the same Decimals and ints
    assert (stored.key, stored.rows_count, stored.status) == (
        result_key(report, scope),
        len(rows),
        "done",
    )
    again = scope_resolve(form, report=report, staff=client.staff)
    result_load(report, again, stored)
    # (PostgreSQL's jsonb keeps a row's keys in its own order: compared as sorted items)
    assert sorted(sorted(r.items()) for r in report.rows(again)) == sorted(
        sorted(r.items()) for r in rows
    )
    assert report.totals(again) == totals and totals["members"] == 2


def test_sorting_and_paging_a_stored_result_read_no_sales(baskets, staff_client, big, monkeypatch):
    monkeypatch.setattr("sasom.reports.views.PER_PAGE", 2)
    client = staff_client(Role.OWNER)
    url = URL + "&by=sku&segment_by=all"
    client.get(url)
    run_all()
    client.get(url + "&sort=item")  # warm: session, caches
    for sort in ("item", "-members", "amount"):
        with CaptureQueriesContext(connection) as queries:
            stored = client.get(url + f"&sort={sort}&page=2")
        assert stored.context["current"]
        assert not any(
            "reports_dailylinesales" in q["sql"] or "ledger_saleline" in q["sql"]
            for q in queries.captured_queries
        ), sort
        assert shown(stored)[:3] == shown(inline(client, url + f"&sort={sort}&page=2", big))[:3]
    # login (5), the filters' choices (3), the summary's check (4), the period's summary days (1),
    # the result (1); nothing of the sales
    with CaptureQueriesContext(connection) as queries:
        client.get(url + "&sort=-members&page=2")
    assert len(queries) == 14


def test_new_sales_make_the_result_as_of_and_queue_one_new_run_after_a_while(
    baskets,
    staff_client,
    big,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    client = staff_client(Role.OWNER)
    url = URL + "&segment_by=all"
    client.get(url)
    run_all()
    before = shown(client.get(url))
    # when a late bill arrives for 25 October (a built day of the period)
    _sell(
        baskets.org,
        Terminal.objects.get(code="B2-T1"),
        "R-LATE",
        "900.00",
        baskets.somchai,
        at(2026, 10, 25, 18),
    )
    # then, minutes after the run, the screen shows the stored figures "as of" their time, and queues nothing
    with django_capture_on_commit_callbacks(execute=False) as queued:
        old = client.get(url)
    assert old.context["later"].shown and not old.context["current"] and len(queued) == 0
    assert (
        shown(old) == before
        and b'data-state="as-of"' in old.content
        and b"/reports/results/" not in old.content
    )
    # when the result is older than REFRESH_AFTER: one visit queues a new run, the next none
    ReportResult.objects.update(finished_at=NOW - REFRESH_AFTER - dt.timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=False) as queued:
        old = client.get(url)
        client.get(url)
    assert len(queued) == 1 and not old.context["current"] and shown(old) == before
    assert b'data-state="as-of"' in old.content and b"waiting=0" in old.content
    # the panel polled while it runs says when the new figures are ready
    result = ReportResult.objects.get()
    assert (
        b"hx-trigger"
        in client.get(f"/reports/results/{result.pk}/?waiting=0", HTTP_HX_REQUEST="true").content
    )
    run_all()
    ready = client.get(f"/reports/results/{result.pk}/?waiting=0", HTTP_HX_REQUEST="true")
    assert b'data-state="ready"' in ready.content and b"hx-trigger" not in ready.content
    # and the screen now shows the new figures, current, equal to the inline screen's
    now = client.get(url)
    assert (
        now.context["current"]
        and shown(now) == shown(inline(client, url, big))
        and shown(now) != before
    )


def test_a_waiting_page_reloads_itself_when_its_first_result_is_ready(baskets, staff_client, big):
    client = staff_client(Role.OWNER)
    client.get(URL)
    result = ReportResult.objects.get()
    polled = client.get(f"/reports/results/{result.pk}/?waiting=1", HTTP_HX_REQUEST="true")
    assert (
        polled.status_code == 200 and b"hx-trigger" in polled.content and "HX-Refresh" not in polled
    )
    run_all()
    polled = client.get(f"/reports/results/{result.pk}/?waiting=1", HTTP_HX_REQUEST="true")
    assert polled["HX-Refresh"] == "true"


def test_a_failed_or_lost_run_is_queued_again(
    baskets,
    staff_client,
    big,
    django_capture_on_commit_callbacks,
):
    client = staff_client(Role.OWNER)
    client.get(URL)
    result = ReportResult.objects.get()
    # lost: queued (or running) longer than STALE_AFTER, its worker gone
    ReportResult.objects.update(
        status=ReportResult.Status.RUNNING, queued_at=NOW - STALE_AFTER - dt.timedelta(minutes=1)
    )
    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert client.get(URL).context["waiting"]
    assert len(queued) == 1 and ReportResult.objects.get().status == ReportResult.Status.QUEUED
    # failed just now: the page says so and does not queue it again at once
    ReportResult.objects.update(status=ReportResult.Status.FAILED, finished_at=NOW, error="boom")
    with django_capture_on_commit_callbacks(execute=False) as queued:
        failed = client.get(URL)
    assert len(queued) == 0 and b'data-state="failed"' in failed.content
    ReportResult.objects.update(finished_at=NOW - REFRESH_AFTER - dt.timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=False) as queued:
        client.get(URL)
    assert len(queued) == 1 and ReportResult.objects.get(pk=result.pk).error == ""


def test_results_follow_the_branch_scope_and_stay_in_their_organization(
    baskets,
    staff_client,
    make_staff,
    big,
):
    owner = staff_client(Role.OWNER)
    manager = staff_client(Role.BRANCH_MANAGER, branches=[baskets.b1])
    owner.get(URL)
    run_all()
    # a branch manager asking the same URL gets a result of their own branch, not the owner's
    waiting = manager.get(URL)
    assert waiting.context["waiting"]
    assert ReportResult.objects.count() == 2
    run_all()
    mine = manager.get(URL)
    assert shown(mine) == shown(inline(manager, URL, big)) and shown(mine) != shown(owner.get(URL))
    # the worker resolves the filters with the staff member who asked: moved to another branch,
    # the filters no longer give the stored key, and the run fails instead of computing for them
    result = ReportResult.objects.get(staff=manager.staff)
    manager.staff.branches.set([baskets.b2])
    ReportResult.objects.filter(pk=result.pk).update(status=ReportResult.Status.QUEUED)
    with pytest.raises(ValueError, match="no longer resolve"):
        report_result_run(result_id=result.pk)
    assert ReportResult.objects.get(pk=result.pk).status == ReportResult.Status.FAILED
    # another organization's staff, and a cashier, cannot even poll its status
    other = staff_client(Role.OWNER, organization=OrganizationFactory(code="other"))
    assert other.get(f"/reports/results/{result.pk}/").status_code == 404
    assert staff_client(Role.CASHIER).get(f"/reports/results/{result.pk}/").status_code == 403


def test_exports_of_a_big_period_go_to_the_worker_or_read_the_current_result(
    baskets,
    staff_client,
    big,
    tmp_path,
    django_capture_on_commit_callbacks,
):
    big.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    big.DATA_DIR = tmp_path
    client = staff_client(Role.OWNER)
    url = URL + "&by=sku&segment_by=all"
    big.REPORTS_SEGMENT_INLINE_SALES = 10**9
    direct = b"".join(client.get(url + "&format=csv").streaming_content)
    big.REPORTS_SEGMENT_INLINE_SALES = 0
    # with no result yet: the export is written by the worker, and is the direct one
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.get(url + "&format=csv")
    export = ReportExport.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/reports/exports/{export.pk}/"
    assert (
        b"".join(client.get(f"/reports/exports/{export.pk}/download/").streaming_content) == direct
    )
    assert not ReportResult.objects.exists()  # an export queues no screen result
    # with a current result: the CSV is written in the request from the stored rows
    with django_capture_on_commit_callbacks(execute=True):
        client.get(url)
    assert ReportResult.objects.get().status == ReportResult.Status.DONE
    with CaptureQueriesContext(connection) as queries:
        stored = b"".join(client.get(url + "&format=csv").streaming_content)
    assert stored == direct
    assert not any("reports_dailylinesales" in q["sql"] for q in queries.captured_queries)


def test_a_short_period_answers_inline_as_before(baskets, staff_client):
    # the default budget: this shop's period is far within it
    page = staff_client(Role.OWNER).get(URL)
    assert page.context["later"] is None and page.context["rows"]
    assert not ReportResult.objects.exists()
