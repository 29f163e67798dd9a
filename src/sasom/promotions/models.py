"""Stored promotions (docs/promotions.md). A promotion is a kind (``engine.kinds.KINDS``) with its
parameters (JSON validated by the kind), the item set it counts, its conditions (variant 6) and
its state. ``PromotionSettings.version`` moves with every change of any promotion of the
organization, so the compiled set cached per process knows when it is stale. ``PromotionUse`` is
one row per promotion applied on a committed sale: per-member limits, budgets and reports read it;
a return or void of the sale marks it ``reversed``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sasom.core.tenancy import TenantModel


class Mode(models.TextChoices):
    BEST = "best", _("Best for the customer")
    PRIORITY = "priority", _("Priority order")


class PromotionSettings(TenantModel):
    mode = models.CharField(_("when promotions compete"), max_length=10, choices=Mode.choices, default=Mode.BEST)
    gifts_earn_points = models.BooleanField(_("free items earn points"), default=False)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("promotion settings")
        constraints = [models.UniqueConstraint(fields=["organization"], name="uniq_promotion_settings_org")]

    def __str__(self) -> str:
        return f"promotion settings of organization {self.organization_id}"


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    ENDED = "ended", _("Ended")


class Promotion(TenantModel):
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30)  # a key of engine.kinds.KINDS
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    priority = models.PositiveIntegerField(_("priority"), default=100, help_text=_("Lower runs first."))
    stacks = models.BooleanField(_("stacks with other promotions"), default=False)
    message = models.CharField(_("message on the bill"), max_length=200, blank=True)
    # what it counts (engine.types.ItemSet): SKUs, category codes, brand codes
    item_skus = models.JSONField(default=list, blank=True)
    item_categories = models.JSONField(default=list, blank=True)
    item_brands = models.JSONField(default=list, blank=True)
    exclude_skus = models.JSONField(default=list, blank=True)
    # conditions (engine.types.Conditions)
    members_only = models.BooleanField(_("members only"), default=False)
    member_types = models.JSONField(default=list, blank=True)  # member type codes
    tiers = models.JSONField(default=list, blank=True)  # tier codes
    branches = models.JSONField(default=list, blank=True)  # branch codes
    terminals = models.JSONField(default=list, blank=True)
    salespersons = models.JSONField(default=list, blank=True)
    document_types = models.JSONField(default=list, blank=True)
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)  # exclusive
    weekdays = models.JSONField(default=list, blank=True)  # 0 = Monday
    hours_from = models.TimeField(null=True, blank=True)
    hours_to = models.TimeField(null=True, blank=True)  # exclusive
    per_bill_limit = models.PositiveIntegerField(null=True, blank=True)
    per_member_limit = models.PositiveIntegerField(null=True, blank=True)
    budget = models.PositiveIntegerField(_("budget (bills)"), null=True, blank=True)
    uses = models.PositiveIntegerField(default=0)  # committed bills it applied to, net of reversals
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = _("promotion")
        ordering = ["priority", "code"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="uniq_promotion_code"),
            models.CheckConstraint(condition=Q(ends_at__isnull=True) | Q(starts_at__isnull=True)
                                   | Q(ends_at__gt=models.F("starts_at")), name="promotion_ends_after_start"),
        ]
        indexes = [models.Index(fields=["organization", "status"], name="promotion_status_idx")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class PromotionUse(TenantModel):
    """A promotion applied on a committed sale (one row per promotion and sale)."""

    promotion = models.ForeignKey(Promotion, on_delete=models.PROTECT, related_name="+", db_index=False)
    sale = models.ForeignKey("ledger.Sale", on_delete=models.CASCADE, related_name="+", db_index=False)
    member = models.ForeignKey("members.Member", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+", db_index=False)
    occurred_at = models.DateTimeField()
    times = models.PositiveIntegerField(default=1)
    discount = models.DecimalField(max_digits=14, decimal_places=2)
    units = models.DecimalField(max_digits=14, decimal_places=3, default=0)
    reversed = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "sale", "promotion"],
                                               name="uniq_promotion_use")]
        indexes = [
            models.Index(fields=["organization", "promotion", "member"], name="promotion_use_member_idx"),
            models.Index(fields=["organization", "occurred_at"], name="promotion_use_time_idx"),
        ]

    def __str__(self) -> str:
        return f"promotion {self.promotion_id} on sale {self.sale_id}"
