"""A report screen whose period is too big to count during the request (issue 17: "nothing times
out in a request"; docs/decisions/0012-line-summary.md, second addendum).

A report that may be deferred says what its screen would cost and what data it reads
(:meth:`Report.work`: a :class:`Work`, one cheap query). When the cost is within
``REPORTS_SEGMENT_INLINE_SALES`` (default 200,000 sales in the period) the screen answers inline,
exactly as before. Above it the screen answers at once from a :class:`ReportResult`:

- the result is looked up by organization, report and a key: the SHA-256 of the filters *as
  resolved* (the period's days, the branches a branch manager may see, the member type, the tier
  and the report's own fields), so two staff members who would see the same figures share it and
  a branch manager never reads an organization-wide one;
- none yet: the screen shows a progress panel (HTMX polling, as the exports do) and queues
  :func:`report_result_task` once (the row's unique key holds "once": a double click or a refresh
  finds the row pending and queues nothing); the worker resolves the same filters with the staff
  member who asked, computes the rows and totals with the report's own code (:meth:`Report.computed`:
  the inline query, one source of truth) and stores them;
- one computed from the data as it is now (same :attr:`Work.version`): shown, sorted and paged
  from the stored rows, instant;
- one computed before a day of the period was rebuilt or went stale (a sale, a return, a void, the
  nightly job, the catch-up) or on another day: shown at once, marked "as of" its time, and a new
  run queued (once, and not before ``REFRESH_AFTER`` since the last one finished, so a shop selling
  all day does not keep the worker counting a year); the page offers the new figures when ready.

Exports of such a report read the stored rows only when they are current; otherwise they go to
the background export (``background``), whose worker computes the rows itself.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Model, Q, Sum
from django.db.models.functions import Coalesce
from django.http import QueryDict
from django.utils import timezone
from django_tasks import task

from sasom.core.zones import shop_zone
from sasom.ledger.models import Sale
from sasom.members.models import MemberType
from sasom.reports.formatting import DATE, MONEY
from sasom.reports.framework import REPORTS, Report, Scope, branches_for, scope_resolve, tiers_for
from sasom.reports.models import ReportResult
from sasom.reports.salessource import summarised
from sasom.reports.summary import _marks
from sasom.reports.summary_mixed import stale_days
from sasom.reports.summary_models import SummaryDay

DEFAULT_INLINE_SALES = 200_000
REFRESH_AFTER = dt.timedelta(
    minutes=10
)  # an outdated result younger than this is not recomputed yet
STALE_AFTER = dt.timedelta(
    hours=2
)  # a run pending longer than this is taken as lost and queued again
# the framework's filters, which the key takes from the resolved scope instead
_SCOPED = ("date_from", "date_to", "branch", "member_type", "tier", "sort")


@dataclass(frozen=True)
class Work:
    """What a screen would read: ``sales`` the period's sales (the cost), ``version`` a string
    that changes whenever the data the report reads changes."""

    sales: int
    version: str


@dataclass
class Deferred:
    """A screen answered from the worker's result: ``result`` (None only when queueing was not
    asked), whether its rows are ``shown`` (loaded into the scope) and ``current``."""

    result: ReportResult | None
    work: Work
    shown: bool
    current: bool

    @property
    def rows_hint(self) -> int:
        """The rows an export will write, as far as known (the last result's count)."""
        return self.result.rows_count if self.result is not None else 0


def inline_sales() -> int:
    """The most sales a period may hold for the screen to count it in the request."""
    return max(0, int(getattr(settings, "REPORTS_SEGMENT_INLINE_SALES", DEFAULT_INLINE_SALES)))


def summary_work(scope: Scope) -> Work:
    """The work of a report on the daily summaries (purchases by segment): the period's sales by
    the ``SummaryDay`` counts of its built days (the days not built counted at the built days'
    average), one query; the version names the built days, their counts of sales, returns and
    voided sales (which only grow), their newest mark and build, the days read raw (stale) and
    today (a member's age band or tier today may differ tomorrow). Without any day
    built (or the summary off) the raw sales are counted up to the budget and the version is the
    newest sale, return and void ids."""
    today = scope.today().isoformat()
    days = (scope.end_on - scope.start_on).days + 1
    if summarised(scope):  # the summary made ready first, as the report's own read does
        stale = stale_days(scope)
        built = SummaryDay.objects.filter(
            organization_id=scope.organization.pk,
            day__gte=scope.start_on,
            day__lte=scope.end_on,
            zone=scope.organization.time_zone,
        ).aggregate(
            n=Count("id"),
            sales=Coalesce(Sum("sales"), 0),
            returns=Coalesce(Sum("returns"), 0),
            voided=Coalesce(Sum("voided"), 0),
            mark=Coalesce(Max("sale_mark"), 0),
            at=Max("built_at"),
        )
        n, sales = built["n"], built["sales"]
        estimate = sales + (sales * (days - n) // n if n else 0)
        # a day's counts only grow (a late sale, a return, a void), a rebuild moves its marks and time
        raw = hashlib.sha256(",".join(d.isoformat() for d in stale).encode()).hexdigest()[:16]
        at = built["at"].isoformat() if built["at"] else ""
        return Work(
            sales=estimate,
            version=f"s:{n}:{sales}:{built['returns']}:{built['voided']}:{built['mark']}:"
            f"{at}:{raw}:{today}",
        )
    counted = (
        Sale.objects.filter(
            organization_id=scope.organization.pk,
            occurred_at__gte=scope.start_at,
            occurred_at__lt=scope.end_at,
        )
        .order_by()[: inline_sales() + 1]
        .count()
    )
    marks = _marks()
    return Work(
        sales=counted,
        version=f"r:{marks['sale_mark']}:{marks['return_mark']}:{marks['void_mark']}:{today}",
    )


def _plain(value: Any) -> Any:
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, dt.date | Decimal):
        return str(value)
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    return str(value)


def result_key(report: Report, scope: Scope) -> str:
    """The result's key: the filters as resolved for the staff member (never their raw text)."""
    own = {k: v for k, v in scope.data.items() if k not in _SCOPED}
    resolved = {
        "slug": report.slug,
        "from": scope.start_on,
        "to": scope.end_on,
        "branches": sorted(scope.branch_ids) if scope.branch_ids is not None else None,
        "member_type": scope.member_type,
        "tier": scope.tier,
        "own": own,
    }
    return hashlib.sha256(json.dumps(resolved, sort_keys=True, default=_plain).encode()).hexdigest()


def _typed(report: Report, row: dict[str, Any]) -> dict[str, Any]:
    """A stored row with its money and dates typed again (JSON holds them as strings)."""
    kinds = {c.key: c.kind for c in report.columns}
    out = dict(row)
    for key, value in row.items():
        if value is None:
            continue
        if kinds.get(key) == MONEY:
            out[key] = Decimal(str(value))
        elif kinds.get(key) == DATE and isinstance(value, str):
            out[key] = dt.date.fromisoformat(value)
    return out


def deferred_screen(
    report: Report, scope: Scope, *, staff: Any, query: QueryDict, export: bool = False
) -> Deferred | None:
    """How this screen answers: None inline (a report that is never deferred, or a period within
    the budget), else from the worker's result, loaded into the scope when there is one to show
    (for an ``export``, only a current one, and nothing is queued)."""
    work = report.work(scope)
    if work is None or work.sales <= inline_sales():
        return None
    key = result_key(report, scope)
    result = ReportResult.objects.filter(
        organization_id=scope.organization.pk, slug=report.slug, key=key
    ).first()
    current = result is not None and result.ready and result.version == work.version
    if export:
        if current:
            result_load(report, scope, result)
        return Deferred(result=result, work=work, shown=current, current=current)
    if not current:
        result = result_queue(
            report=report, scope=scope, staff=staff, query=query, key=key, work=work, found=result
        )
    shown = result is not None and result.ready
    if shown:
        result_load(report, scope, result)
    return Deferred(result=result, work=work, shown=shown, current=current)


def result_load(report: Report, scope: Scope, result: Any) -> None:
    report.preload(scope, [_typed(report, r) for r in result.rows], _typed(report, result.totals))


def result_queue(
    *,
    report: Report,
    scope: Scope,
    staff: Any,
    query: QueryDict,
    key: str,
    work: Work,
    found: ReportResult | None,
) -> ReportResult:
    """Make sure a run of this result is queued (at most one per key at a time); the row as it is."""
    now = timezone.now()
    params: dict[str, Any] = {
        k: query.getlist(k) for k in query if k not in ("format", "page", "sort")
    }
    params.update(date_from=[scope.start_on.isoformat()], date_to=[scope.end_on.isoformat()])
    mine = ReportResult.objects.filter(
        organization_id=scope.organization.pk, slug=report.slug, key=key
    )
    if found is None:
        try:
            with transaction.atomic():
                created = ReportResult.objects.create(
                    organization_id=scope.organization.pk,
                    slug=report.slug,
                    key=key,
                    staff=staff,
                    query=params,
                    queued_at=now,
                )
        except IntegrityError:  # another visit created it a moment ago: that visit queues
            return mine.get()
        _enqueue(created.pk)
        return created
    Status = ReportResult.Status
    again = (
        Q(status=Status.DONE, finished_at__lt=now - REFRESH_AFTER) & ~Q(version=work.version)
        | Q(status=Status.FAILED, finished_at__lt=now - REFRESH_AFTER)
        | Q(status__in=(Status.QUEUED, Status.RUNNING), queued_at__lt=now - STALE_AFTER)
    )
    # one conditional UPDATE: of two visits, one takes it
    if mine.filter(again, pk=found.pk, queued_at=found.queued_at).update(
        status=Status.QUEUED, queued_at=now, staff=staff, query=params, error=""
    ):
        _enqueue(found.pk)
        found.status, found.queued_at, found.staff, found.query, found.error = (
            Status.QUEUED,
            now,
            staff,
            params,
            "",
        )
    return found


def _enqueue(result_id: int) -> None:
    transaction.on_commit(lambda: report_result_task.enqueue(result_id))


def result_form(report: Report, staff: Any, params: dict[str, Any]) -> Any:
    query = QueryDict(mutable=True)
    for name, value in params.items():
        if isinstance(value, list):
            query.setlist(name, value)
        else:
            query[name] = value
    member_types = list(
        MemberType.objects.filter(organization_id=staff.organization_id).order_by(
            "sort_order", "name"
        )
    )
    return report.form_class(
        query,
        report=report,
        staff=staff,
        branches=branches_for(staff),
        member_types=member_types,
        tiers=tiers_for(staff.organization_id) if report.uses_member_type else None,
    )


def report_result_run(*, result_id: int) -> ReportResult | None:
    """Compute a queued result: its filters resolved again with the staff member who asked (the
    key must come out the same: a branch manager moved to other branches gets nothing), the data's
    version read first (so data that changes while it counts makes the result outdated, never
    falsely current), then the report's rows and totals by its own code."""
    now = timezone.now()
    if not ReportResult.objects.filter(pk=result_id, status=ReportResult.Status.QUEUED).update(
        status=ReportResult.Status.RUNNING, started_at=now
    ):
        return ReportResult.objects.filter(pk=result_id).first()  # gone, running or done already
    result = ReportResult.objects.select_related("staff", "staff__organization").get(pk=result_id)
    mine = ReportResult.objects.filter(pk=result_id)
    try:
        report = REPORTS[result.slug]
        form = result_form(report, result.staff, result.query)
        if not form.is_valid():
            raise ValueError(f"filters no longer valid: {form.errors.as_json()}")
        scope = scope_resolve(form, report=report, staff=result.staff)
        if result_key(report, scope) != result.key:
            raise ValueError(
                "the filters no longer resolve to this result (the staff member's branches changed)"
            )
        work = report.work(scope)
        t0 = time.monotonic()
        rows, totals = report.computed(scope)
        seconds = time.monotonic() - t0
    except Exception as error:
        mine.update(
            status=ReportResult.Status.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
        raise
    mine.update(
        status=ReportResult.Status.DONE,
        rows=rows,
        totals=totals,
        rows_count=len(rows),
        version=work.version if work else "",
        computed_at=now,
        finished_at=timezone.now(),
        seconds=round(seconds, 3),
        error="",
    )
    return mine.get()


def result_shop(result_id: int) -> Any:
    result = ReportResult.objects.filter(pk=result_id).select_related("organization").first()
    return result.organization if result is not None else None


@task()
def report_result_task(result_id: int) -> None:
    with shop_zone(result_shop(result_id)):
        report_result_run(result_id=result_id)
