"""Saved report-builder definitions and their e-mail schedules (imported by ``reports.models``)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from sasom.core.tenancy import TenantModel


class SavedReport(TenantModel):
    """A builder definition kept under a name (unique in the organization), private to its owner or
    shared with every staff member of the organization who may see reports."""

    name = models.CharField(_("name"), max_length=100)
    owner = models.ForeignKey("organizations.Staff", on_delete=models.CASCADE, related_name="+")
    shared = models.BooleanField(_("shared within the organization"), default=False)
    definition = models.JSONField(default=dict, help_text="The builder's definition (builder.Definition.as_json).")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "name"], name="uniq_saved_report_name")]
        indexes = [models.Index(fields=["organization", "owner"], name="saved_report_owner_idx")]

    def __str__(self) -> str:
        return self.name


class ReportSchedule(TenantModel):
    """A saved report e-mailed daily, weekly or monthly to staff addresses (as its owner sees it)."""

    class Frequency(models.TextChoices):
        DAILY = "daily", _("Daily")
        WEEKLY = "weekly", _("Weekly (Mondays)")
        MONTHLY = "monthly", _("Monthly (the 1st)")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "Excel (XLSX)"
        PDF = "pdf", "PDF"

    report = models.OneToOneField(SavedReport, on_delete=models.CASCADE, related_name="schedule")
    frequency = models.CharField(_("how often"), max_length=8, choices=Frequency.choices, default=Frequency.WEEKLY)
    format = models.CharField(_("file"), max_length=4, choices=Format.choices, default=Format.XLSX)
    recipients = models.JSONField(_("e-mail addresses"), default=list)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "report"], name="uniq_report_schedule")]

    def __str__(self) -> str:
        return f"{self.report} ({self.frequency})"


class ReportScheduleRun(TenantModel):
    """One sending of a schedule for one date: the unique key makes a second run of the job a no-op."""

    schedule = models.ForeignKey(ReportSchedule, on_delete=models.CASCADE, related_name="runs")
    run_on = models.DateField()
    recipients = models.JSONField(default=list)
    rows = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "schedule", "run_on"],
                                               name="uniq_report_schedule_run")]

    def __str__(self) -> str:
        return f"{self.schedule_id} @ {self.run_on:%Y-%m-%d}"
