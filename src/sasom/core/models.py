"""Cross-cutting records: the audit trail and the event outbox."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sasom.core.tenancy import TenantModel, organization_key


class AuditEvent(TenantModel):
    """Who changed what, when and from where. Written by services, never edited."""

    class ActorKind(models.TextChoices):
        USER = "user", _("Staff user")
        API_KEY = "api_key", _("API key")
        SYSTEM = "system", _("System job")

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    actor_kind = models.CharField(max_length=10, choices=ActorKind.choices)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(_("actor"), max_length=200)
    ip = models.GenericIPAddressField(null=True, blank=True)
    action = models.CharField(_("action"), max_length=60)
    object_type = models.CharField(_("object type"), max_length=60)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["organization", "object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["organization", "-at"], name="audit_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.object_repr or self.object_type}".strip()


class OutboxEvent(TenantModel):
    """Something that happened in a domain app, recorded in the transaction that made it happen
    (``core.events.event_record``). In-process subscribers handle it at once; ``processed_at``
    stays empty while an asynchronous consumer still has to see it."""

    organization = organization_key(db_index=False)
    uuid = models.UUIDField(unique=True)
    kind = models.CharField(max_length=60)
    payload = models.JSONField(default=dict)
    occurred_at = models.DateTimeField()
    recorded_at = models.DateTimeField()
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["id"], name="outbox_unprocessed_idx", condition=models.Q(processed_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.uuid}"


class FormSubmission(models.Model):
    """A form token seen once (``core.forms_once``): the first POST carrying it ran; any other
    (a double click, a refresh, a back-and-resend) is sent where the first one went."""

    token = models.CharField(max_length=64, unique=True)
    user_id = models.BigIntegerField(null=True, blank=True)
    path = models.CharField(max_length=300)
    redirect_to = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.path} ({self.created_at:%Y-%m-%d %H:%M})"


class JobRun(models.Model):
    """One run of a scheduled job (``core.jobs``) for an organization and a date: the run log.

    The unique key (organization, job, date) makes a second run a no-op; whole-database jobs
    (clean-ups) have no organization and their own key (job, date)."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    organization = models.ForeignKey("organizations.Organization", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    job = models.CharField(_("job"), max_length=60)
    on_date = models.DateField(_("date"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(default=1)
    trigger = models.CharField(_("started by"), max_length=20, default="cron")
    actor_label = models.CharField(_("actor"), max_length=200, blank=True)

    class Meta:
        ordering = ["-on_date", "job", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "job", "on_date"], name="job_run_once",
                                    condition=models.Q(organization__isnull=False)),
            models.UniqueConstraint(fields=["job", "on_date"], name="job_run_once_whole_database",
                                    condition=models.Q(organization__isnull=True)),
        ]
        indexes = [models.Index(fields=["organization", "-on_date"], name="job_run_recent_idx")]

    def __str__(self) -> str:
        return f"{self.job} {self.on_date} ({self.status})"


class BackgroundImport(TenantModel):
    """A large file import handed to the worker (``core.background``): the upload itself is kept
    here, so a worker restart loses nothing; the task is restartable (a run that dies before its
    write commits wrote nothing, one that committed marked this row done in the same transaction)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(max_length=30)
    filename = models.CharField(max_length=200, blank=True)
    content = models.BinaryField()
    options = models.JSONField(default=dict, blank=True)
    language = models.CharField(max_length=10, blank=True)
    actor = models.JSONField(default=dict, blank=True)  # the uploader, as the audit trail names them
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["organization", "kind", "-created_at"], name="bg_import_recent_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.filename} ({self.status})"
