"""An export run in the background: big reports are written by the task worker, a chunk of rows
at a time, while the staff member watches its progress and then downloads the file."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from sasom.core.tenancy import TenantModel


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


from sasom.reports.builder_models import ReportSchedule, ReportScheduleRun, SavedReport  # noqa: E402
from sasom.reports.summary_models import DailyMemberSales, SummaryDay  # noqa: E402

__all__ = ["DailyMemberSales", "ReportExport", "ReportSchedule", "ReportScheduleRun", "SavedReport", "SummaryDay"]
