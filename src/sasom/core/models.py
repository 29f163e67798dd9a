"""Cross-cutting records: the audit trail."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sasom.core.tenancy import TenantModel


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
