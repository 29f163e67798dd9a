"""Integration plumbing: API keys, idempotency records, request nonces."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from sasom.core.tenancy import TenantModel


class ApiKey(TenantModel):
    """One key per terminal or integration. Only a hash of the secret is stored.

    The key the client holds is ``sk_<prefix>_<secret>``; ``prefix`` finds the row, the SHA-256 of
    ``secret`` is compared in constant time. The request-signing secret is derived from the server's
    SECRET_KEY and the hash (see ``auth.signing_secret``), so it is never stored either.
    """

    label = models.CharField(_("label"), max_length=100)
    prefix = models.CharField(max_length=12, unique=True)
    secret_hash = models.CharField(max_length=64)
    branch = models.ForeignKey(
        "organizations.Branch", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("branch"), help_text=_("Empty: every branch (an ERP or head-office integration)."),
    )
    terminal = models.ForeignKey(
        "organizations.Terminal", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("terminal"),
    )
    can_manage = models.BooleanField(
        _("may change configuration"), default=False,
        help_text=_("Management endpoints (member types, rules, rewards). POS keys should not."),
    )
    require_signature = models.BooleanField(_("require HMAC signature"), default=False)
    rate_limit_per_minute = models.PositiveIntegerField(_("requests per minute"), default=600)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(max_length=200, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["label"]

    def __str__(self) -> str:
        return f"{self.label} ({self.prefix})"


class IdempotencyRecord(TenantModel):
    """The first answer to a write with an ``Idempotency-Key``; replays get it back verbatim."""

    class State(models.TextChoices):
        IN_FLIGHT = "in_flight"
        DONE = "done"

    scope = models.CharField(max_length=40, help_text="api key prefix or staff user id")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=300)
    request_hash = models.CharField(max_length=64)
    state = models.CharField(max_length=10, choices=State.choices, default=State.IN_FLIGHT)
    status_code = models.PositiveSmallIntegerField(null=True)
    response_body = models.BinaryField(null=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            # A key is scoped to its caller and endpoint: the same key on another endpoint or
            # method is another request (and an unsupported method still answers 405).
            models.UniqueConstraint(
                fields=["organization", "scope", "method", "path", "key"], name="uniq_idempotency_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


class RequestNonce(TenantModel):
    """Nonces of signed requests seen in the last tolerance window; a replay hits the unique key."""

    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="+")
    nonce = models.CharField(max_length=64)
    seen_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "api_key", "nonce"], name="uniq_request_nonce")
        ]

    def __str__(self) -> str:
        return f"{self.nonce}"


class WebhookEndpoint(TenantModel):
    """A URL an admin registered to receive events, signed with its own secret."""

    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    events = models.JSONField(_("events"), default=list, blank=True, help_text=_("Empty: every event."))
    secret = models.CharField(max_length=64)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["url"]

    def __str__(self) -> str:
        return self.url

    def wants(self, event_type: str) -> bool:
        return not self.events or event_type in self.events


class WebhookDelivery(TenantModel):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Gave up")

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.UUIDField()
    event_type = models.CharField(max_length=40)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhook_due_idx"),
            models.Index(fields=["organization", "-created_at"], name="webhook_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} #{self.pk} ({self.status})"


class SaleBatch(TenantModel):
    """A day-end upload of sale documents from an ERP, staged, then posted by the worker."""

    class Status(models.TextChoices):
        PARSING = "parsing", _("Reading the file")
        PARSED = "parsed", _("Ready to calculate")
        CALCULATING = "calculating", _("Calculating points")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        JSONL = "jsonl", "JSON Lines"

    business_on = models.DateField(_("business date"))
    file_name = models.CharField(_("file"), max_length=200)
    format = models.CharField(max_length=5, choices=Format.choices)
    plans = models.JSONField(_("promotion plan per document type"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PARSING)
    documents_total = models.PositiveIntegerField(default=0)
    documents_rejected = models.PositiveIntegerField(default=0)
    documents_posted = models.PositiveIntegerField(default=0)
    documents_duplicate = models.PositiveIntegerField(default=0)
    points_posted = models.BigIntegerField(default=0)
    error = models.TextField(blank=True)
    created_by = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("sale batch")
        verbose_name_plural = _("sale batches")
        ordering = ["-created_at", "-id"]

    @property
    def documents_done(self) -> int:
        return self.documents_rejected + self.documents_posted + self.documents_duplicate

    @property
    def progress_percent(self) -> int:
        if not self.documents_total:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, round(100 * self.documents_done / self.documents_total))

    def __str__(self) -> str:
        return f"{self.business_on} {self.file_name}"


class BatchDocument(TenantModel):
    """One sale document of a batch: staged as parsed, then posted or rejected with a reason."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        POSTED = "posted", _("Posted")
        DUPLICATE = "duplicate", _("Already posted")
        REJECTED = "rejected", _("Rejected")

    batch = models.ForeignKey(SaleBatch, on_delete=models.CASCADE, related_name="documents")
    row_no = models.PositiveIntegerField(help_text="first line of the document in the file")
    branch_code = models.CharField(max_length=20, blank=True)
    document_type = models.CharField(max_length=32, blank=True)
    document_number = models.CharField(max_length=64, blank=True)
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    reason_code = models.CharField(max_length=40, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    sale_id = models.BigIntegerField(null=True, blank=True)
    points = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["batch", "id"]
        indexes = [
            models.Index(fields=["batch", "status", "id"], name="batchdoc_todo_idx"),
            # duplicate documents in a file are found per chunk of staged rows (integrations.batch)
            models.Index(fields=["batch", "document_number"], name="batchdoc_number_idx"),
            # a duplicate names the batch that posted its sale first (integrations.batch_list)
            models.Index(fields=["sale_id"], name="batchdoc_sale_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.document_type} {self.document_number}"
