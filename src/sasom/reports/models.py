"""An export run in the background: big reports are written by the task worker, a chunk of rows
at a time, while the staff member watches its progress and then downloads the file."""

from __future__ import annotations

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from sasom.core.tenancy import TenantModel, organization_key


class ReportExport(TenantModel):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Writing")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    staff = models.ForeignKey("organizations.Staff", on_delete=models.CASCADE, related_name="+")
    slug = models.CharField(max_length=60)
    format = models.CharField(max_length=8)
    query = models.JSONField(default=dict, help_text="The report's filters as the page sent them.")
    language = models.CharField(max_length=8, default="th")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    file_name = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["organization", "staff", "-created_at"], name="report_export_staff_idx")]

    def __str__(self) -> str:
        return f"{self.slug}.{self.format} ({self.status})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(99, 100 * self.rows_done // self.rows_total) if self.rows_total else 0



class ReportResult(models.Model):
    """A report computed by the worker because its period is too big to answer in a request
    (``reports.deferred``, docs/decisions/0012's second addendum): one row per organization, report
    and key (the filters and the branch scope they resolve to, hashed), so a later visit with the
    same filters reads it, sorted and paged, and a second visit while it runs queues nothing.
    ``rows`` and ``totals`` are the report's own rows before ``finish`` (JSON: money as strings),
    computed from the data of ``computed_at`` whose version (``reports.deferred.Work``) was
    ``version``; a visit that finds the data's version changed shows them "as of" and queues a new
    run."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Computing")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    organization = organization_key(db_index=False)  # the unique key leads with it
    slug = models.CharField(max_length=60)
    key = models.CharField(max_length=64, help_text="SHA-256 of the resolved filters and branch scope.")
    staff = models.ForeignKey("organizations.Staff", on_delete=models.CASCADE, related_name="+",
                              help_text="Whose filters (and branch scope) the worker resolves: the last to queue it.")
    query = models.JSONField(default=dict, help_text="The report's filters as the page sent them.")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    queued_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    rows = models.JSONField(default=list, encoder=DjangoJSONEncoder)
    totals = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    rows_count = models.PositiveIntegerField(default=0)
    version = models.CharField(max_length=200, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "slug", "key"], name="uniq_report_result")]

    def __str__(self) -> str:
        return f"{self.slug} {self.key[:8]} ({self.status})"

    @property
    def pending(self) -> bool:
        """Whether a run is queued or under way."""
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def ready(self) -> bool:
        """Whether rows were computed (by this run or an earlier one)."""
        return self.computed_at is not None


from sasom.reports.builder_models import ReportSchedule, ReportScheduleRun, SavedReport  # noqa: E402
from sasom.reports.summary_models import DailyMemberSales, SummaryDay  # noqa: E402

__all__ = ["DailyMemberSales", "ReportExport", "ReportResult", "ReportSchedule", "ReportScheduleRun", "SavedReport", "SummaryDay"]
