"""The scheduler over the JSON API: the jobs, their run log, "run the jobs of date D now"."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.core.paginator import Paginator
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from pydantic import StrictBool

from sasom.core import jobs
from sasom.core.audit import Actor
from sasom.core.jobs_manual import jobs_run_manual
from sasom.core.models import JobRun
from sasom.core.schemas import StrictIn
from sasom.integrations.auth import api_auth, api_require

router = Router(tags=["scheduled jobs"], auth=api_auth)


class JobOut(Schema):
    name: str
    schedule: str = Field(..., description="daily, month_end, month_start or weekly:<0-6, Monday 0>")
    scope: Literal["organization", "database"] = Field(
        ..., description="organization: runs per organization (may be run here); database: the operator's clean-ups")
    rerun_safe: bool = Field(..., description="a done date may be run again with force")
    description: str


class RunOut(Schema):
    id: int
    job: str
    date: dt.date
    status: Literal["running", "done", "failed"]
    started_at: dt.datetime
    finished_at: dt.datetime | None
    duration_ms: int | None
    counts: dict[str, int]
    error: str
    attempts: int
    trigger: str = Field(..., description="cron, worker, manual (back office) or api")

    @staticmethod
    def of(run: JobRun) -> RunOut:
        return RunOut(id=run.pk, job=run.job, date=run.on_date, status=run.status,  # type: ignore[arg-type]
                      started_at=run.started_at, finished_at=run.finished_at, duration_ms=run.duration_ms,
                      counts=run.counts or {}, error=run.error, attempts=run.attempts, trigger=run.trigger)


class RunsOut(Schema):
    count: int
    page: int
    pages: int
    items: list[RunOut]


class RunsQuery(Schema):
    job: str | None = Field(None, max_length=60)
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    status: Literal["running", "done", "failed"] | None = None
    page: int = Field(1, ge=1, le=100_000)


class RunIn(StrictIn):
    date: dt.date = Field(..., description="the calendar day the jobs run for (the organization's), not after today")
    job: str | None = Field(None, max_length=60, description="one job; all per-organization jobs when left out")
    force: StrictBool = Field(False, description="run again a date already done (jobs with rerun_safe only)")


class RunResultOut(Schema):
    outcome: Literal["done", "failed", "skipped", "busy"] = Field(
        ..., description="done/failed: ran now; skipped: done before (nothing ran); busy: running elsewhere")
    run: RunOut


class RunResultsOut(Schema):
    results: list[RunResultOut]


@router.get("/jobs", response=list[JobOut], summary="The scheduled jobs, in the order they run on a date")
def jobs_list(request: HttpRequest) -> list[JobOut]:
    api_require(request, "jobs.manage")
    return [JobOut(name=j.name, schedule=str(j.schedule), scope="organization" if j.per_organization else "database",
                   rerun_safe=j.rerun_safe, description=str(j.description)) for j in jobs.jobs_registered()]


@router.get("/jobs/runs", response=RunsOut, summary="The run log of this organization's jobs, newest date first")
def jobs_runs(request: HttpRequest, q: Query[RunsQuery]) -> RunsOut:
    principal = api_require(request, "jobs.manage")
    runs = JobRun.objects.filter(organization_id=principal.organization_id)
    filters: dict[str, Any] = {"job": q.job, "on_date__gte": q.date_from, "on_date__lte": q.date_to, "status": q.status}
    runs = runs.filter(**{k: v for k, v in filters.items() if v is not None}).order_by("-on_date", "-id")
    page = Paginator(runs, 50).get_page(q.page)
    return RunsOut(count=page.paginator.count, page=page.number, pages=page.paginator.num_pages,
                   items=[RunOut.of(run) for run in page.object_list])


@router.post("/jobs/run", response=RunResultsOut,
             summary="Run the jobs of a date now (idempotent: a date done is reported, not run again; audited)")
def jobs_run(request: HttpRequest, body: RunIn) -> RunResultsOut:
    principal = api_require(request, "jobs.manage")
    results = jobs_run_manual(organization_id=principal.organization_id, on_date=body.date, job_name=body.job,
                                   force=body.force, actor=Actor.from_request(request), trigger="api")
    return RunResultsOut(results=[RunResultOut(outcome=r.outcome, run=RunOut.of(r.run)) for r in results])
