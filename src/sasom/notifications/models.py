"""The outbox: every message Sasom sends (SMS, e-mail, LINE), what became of it, never its secrets."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from sasom.core.tenancy import TenantModel


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")
    LINE = "line", _("LINE")


class Message(TenantModel):
    """One message to one recipient.

    ``body`` is what may be kept: a one-time code or any other secret is masked in it. The clear
    text travels to the worker sealed in ``sealed`` (see :mod:`sasom.notifications.seal`) and is
    wiped once the message is sent or given up.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    recipient = models.CharField(_("recipient"), max_length=254)
    purpose = models.CharField(_("purpose"), max_length=40)
    body = models.TextField(_("message"))
    sealed = models.TextField(blank=True, default="")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.CharField(_("error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "-created_at"], name="message_recent_idx"),
            models.Index(fields=["status", "created_at"], name="message_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.purpose} #{self.pk}"
