"""A report page's summary days on a big organization: a few rebuilt in the request, the rest read
raw and built by the worker (issue 17; docs/decisions/0007-sales-summary.md, second addendum).

Before a report reads the daily summary, the days it cannot answer now (never built, built in
another zone, written to since: ``summary.summary_stale``) used to be rebuilt inside the request,
all of them: after an upgrade that forgets the summary, the first 12-month page of a shop of
400,000 members rebuilt a year in its request (465 s). Now :func:`summary_catch_up`

- rebuilds in the request at most ``REPORTS_SUMMARY_REQUEST_DAYS`` (default 1) of them, the newest
  first: in a shop's ordinary day that is today (a day's rebuild costs about 1.3 s at a million
  members, docs/performance.md B7r, so one at most: before it was 3, and a dashboard after an
  upgrade took 5.7 s there);
- leaves the others to be read from the raw sales in the same query as the summary rows
  (``summary_mixed``, as a replica reads them): the figures are the raw sales' figures;
- and queues :func:`summary_catch_up_task` to build them in the worker, once: a
  :class:`~sasom.reports.summary_models.SummaryCatchUp` row per organization is claimed with a
  conditional ``UPDATE`` (or created), and only the page that claims it queues the task; the
  pages that read while it waits widen its span and queue nothing. A task that has not finished
  ``STALE_AFTER`` after it was queued (a worker lost) is queued again by the next page; a task run
  twice builds nothing the second time (``summary_refresh`` rebuilds only stale days).

The worker builds runs of at most ``summary.BUILD_CHUNK_DAYS`` days per transaction, so a page
rebuilding one of those days waits for one chunk at most.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.db.models.functions import Greatest, Least
from django.utils import timezone
from django_tasks import task

from sasom.organizations.models import Organization
from sasom.reports.summary import summary_build, summary_refresh
from sasom.reports.summary_models import SummaryCatchUp

DEFAULT_REQUEST_DAYS = 1
STALE_AFTER = dt.timedelta(hours=2)


def request_days() -> int:
    """How many stale days a report page rebuilds itself (``REPORTS_SUMMARY_REQUEST_DAYS``)."""
    return max(0, int(getattr(settings, "REPORTS_SUMMARY_REQUEST_DAYS", DEFAULT_REQUEST_DAYS)))


def summary_catch_up(*, organization: Any, stale: Iterable[dt.date]) -> list[dt.date]:
    """Rebuild the newest of the ``stale`` days (up to :func:`request_days`), queue the others
    for the worker (once), and return those others: the days the page reads raw."""
    newest_first = sorted(set(stale), reverse=True)
    now, later = newest_first[:request_days()], newest_first[request_days():]
    if now:
        summary_build(organization_id=organization.pk, days=now, zone_name=organization.time_zone)
    if later:
        catch_up_queue(organization_id=organization.pk, first_on=min(later), last_on=max(later))
    return sorted(later)


def catch_up_queue(*, organization_id: int, first_on: dt.date, last_on: dt.date) -> bool:
    """Make sure a catch-up of ``first_on``..``last_on`` is queued; True when this call queued it
    (at most one caller does while one is pending)."""
    now = timezone.now()
    span = {"first_on": first_on, "last_on": last_on}
    mine = SummaryCatchUp.objects.filter(organization_id=organization_id)
    # a finished (or lost) catch-up is taken again by exactly one page
    if mine.filter(Q(finished_at__isnull=False) | Q(queued_at__lt=now - STALE_AFTER)).update(
            queued_at=now, finished_at=None, **span):
        return _enqueue(organization_id)
    # one is pending: the worker will build this span too
    if mine.filter(finished_at__isnull=True).update(first_on=Least(F("first_on"), first_on),
                                                    last_on=Greatest(F("last_on"), last_on)):
        return False
    try:
        with transaction.atomic():
            SummaryCatchUp.objects.create(organization_id=organization_id, queued_at=now, **span)
    except IntegrityError:  # another page created it a moment ago: that page queues
        return False
    return _enqueue(organization_id)


def _enqueue(organization_id: int) -> bool:
    transaction.on_commit(lambda: summary_catch_up_task.enqueue(organization_id))
    return True


def summary_catch_up_run(*, organization_id: int) -> int:
    """Build the stale days of the organization's queued span, then mark it finished unless a page
    widened it meanwhile (then build again); returns the days built."""
    built = 0
    organization = Organization.objects.get(pk=organization_id)
    while True:
        row = SummaryCatchUp.objects.filter(organization_id=organization_id, finished_at__isnull=True).first()
        if row is None:
            return built
        built += len(summary_refresh(organization=organization, start_on=row.first_on, end_on=row.last_on))
        if SummaryCatchUp.objects.filter(pk=row.pk, queued_at=row.queued_at, first_on=row.first_on,
                                         last_on=row.last_on).update(finished_at=timezone.now()):
            return built


@task()
def summary_catch_up_task(organization_id: int) -> None:
    summary_catch_up_run(organization_id=organization_id)
