"""The back office's "Scheduled jobs": the run log and "run the jobs of date D now"."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sasom.core import jobs
from sasom.core.audit import Actor
from sasom.core.bounded import BoundedForm
from sasom.core.errors import DomainError
from sasom.core.forms_dates import ShopDateField
from sasom.core.jobs_manual import jobs_run_manual
from sasom.core.models import JobRun
from sasom.core.permissions import require_perm

if TYPE_CHECKING:
    from sasom.organizations.http import StaffRequest


TRIGGERS = {"cron": gettext_lazy("cron"), "worker": gettext_lazy("worker"), "manual": gettext_lazy("by hand"),
            "api": gettext_lazy("API")}


def _job_choices(blank: str) -> list[tuple[str, str]]:
    return [("", blank)] + [(j.name, j.name) for j in jobs.jobs_registered() if j.per_organization]


class RunNowForm(BoundedForm):
    date = ShopDateField(label=gettext_lazy("Date"))
    job = forms.ChoiceField(label=gettext_lazy("Job"), required=False)
    force = forms.BooleanField(label=gettext_lazy("Run again if already done"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["job"]).choices = _job_choices(_("All jobs"))


class RunFilterForm(BoundedForm):
    job = forms.ChoiceField(label=gettext_lazy("Job"), required=False)
    date = ShopDateField(label=gettext_lazy("Date"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["job"]).choices = _job_choices(_("All jobs"))


@require_perm("jobs.manage")
def jobs_view(request: StaffRequest) -> HttpResponse:
    today = jobs.local_today(request.organization.time_zone)
    form = RunNowForm(request.POST or None, initial={"date": today})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            results = jobs_run_manual(organization_id=request.organization.pk, on_date=data["date"],
                                           job_name=data["job"] or None, force=data["force"],
                                           actor=Actor.from_request(request))
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            ran = sum(1 for r in results if r.outcome == "done")
            failed = sum(1 for r in results if r.outcome == "failed")
            done_before = sum(1 for r in results if r.outcome in ("skipped", "busy"))
            text = _("Jobs of %(date)s: %(ran)s ran, %(done)s done before (not run again), %(failed)s failed.") % {
                "date": data["date"].isoformat(), "ran": ran, "done": done_before, "failed": failed}
            (messages.error if failed else messages.success)(request, text)
            return redirect(f"{request.path}?date={data['date'].isoformat()}")
    filters = RunFilterForm(request.GET or None)
    runs = JobRun.objects.filter(organization=request.organization).order_by("-on_date", "-started_at", "-id")
    if filters.is_valid():
        if filters.cleaned_data["job"]:
            runs = runs.filter(job=filters.cleaned_data["job"])
        on: dt.date | None = filters.cleaned_data["date"]
        if on:
            runs = runs.filter(on_date=on)
    page = Paginator(runs, 50).get_page(request.GET.get("page"))
    for run in page.object_list:
        run.count_rows = [(jobs.count_label(run.job, k), v) for k, v in (run.counts or {}).items()]  # for the template
        run.trigger_label = TRIGGERS.get(run.trigger, run.trigger)  # for the template
    context = {"form": form, "filters": filters, "page": page,
               "jobs": [j for j in jobs.jobs_registered() if j.per_organization]}
    template = "core/_job_runs.html" if request.htmx and request.method == "GET" else "core/jobs.html"
    return render(request, template, context)
