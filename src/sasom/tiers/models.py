"""Tier ladders, their tiers, each member's tier state and the history of every change
(docs/tiers.md). The evaluation itself is the pure engine in ``engine.py``; the ledger reads
these tables to evaluate on a sale and at cut-offs (it owns the points earned)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sasom.core.tenancy import TenantModel


class Basis(models.TextChoices):
    POINTS = "points", _("Points earned")
    SPEND = "spend", _("Amount spent")


class Downgrade(models.TextChoices):
    EXPIRY = "expiry", _("At the tier's expiry")
    CUTOFF = "cutoff", _("At cut-offs")


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("Every month (last day)")
    QUARTERLY = "quarterly", _("Every quarter (Mar, Jun, Sep, Dec)")
    HALF_YEARLY = "half_yearly", _("Every half year (Jun, Dec)")
    YEARLY = "yearly", _("Every year (Dec)")


class DropMode(models.TextChoices):
    TO_REACHED = "to_reached", _("To the tier the points reach")
    ONE_STEP = "one_step", _("One tier at a time")


class BenefitsMode(models.TextChoices):
    STACK = "stack", _("On top of member-type benefits")
    REPLACE = "replace", _("Instead of member-type benefits")


class TierLadder(TenantModel):
    """One ladder per organization. ``version`` moves with every change of the ladder or its
    tiers (the per-process cache in ``selectors.ladder_for`` compares it)."""

    name = models.CharField(_("name"), max_length=100)
    is_active = models.BooleanField(_("active"), default=True)
    basis = models.CharField(_("decided on"), max_length=10, choices=Basis.choices, default=Basis.POINTS)
    window_months = models.PositiveSmallIntegerField(
        _("window (months)"), default=12, choices=[(1, "1"), (3, "3"), (6, "6"), (12, "12")]
    )
    downgrade = models.CharField(_("downgrade"), max_length=10, choices=Downgrade.choices, default=Downgrade.CUTOFF)
    cutoff_frequency = models.CharField(
        _("cut-off"), max_length=12, choices=Frequency.choices, default=Frequency.YEARLY
    )
    drop_mode = models.CharField(_("drop"), max_length=12, choices=DropMode.choices, default=DropMode.TO_REACHED)
    benefits_mode = models.CharField(
        _("tier benefits"), max_length=10, choices=BenefitsMode.choices, default=BenefitsMode.STACK
    )
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("tier ladder")
        constraints = [models.UniqueConstraint(fields=["organization"], name="uniq_tier_ladder_org")]

    def __str__(self) -> str:
        return self.name


class Tier(TenantModel):
    ladder = models.ForeignKey(TierLadder, on_delete=models.CASCADE, related_name="tiers")
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    threshold = models.BigIntegerField(_("from (points or baht)"))
    validity_months = models.PositiveSmallIntegerField(
        _("valid for (months)"), null=True, blank=True,
        help_text=_("From the day the tier was reached; used when the ladder downgrades at expiry."),
    )
    card_color = models.CharField(_("card colour"), max_length=7, default="#64748b")
    discount_percent = models.DecimalField(_("discount %"), max_digits=5, decimal_places=2, default=0)
    birthday_discount_percent = models.DecimalField(_("birthday discount %"), max_digits=5, decimal_places=2,
                                                    default=0)

    class Meta:
        verbose_name = _("tier")
        ordering = ["threshold"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "ladder", "code"], name="uniq_tier_code"),
            models.UniqueConstraint(fields=["organization", "ladder", "threshold"], name="uniq_tier_threshold"),
            models.CheckConstraint(condition=Q(threshold__gte=0), name="tier_threshold_gte_0"),
            models.CheckConstraint(condition=Q(discount_percent__gte=0, discount_percent__lte=100,
                                               birthday_discount_percent__gte=0, birthday_discount_percent__lte=100),
                                   name="tier_discount_pct"),
        ]

    def __str__(self) -> str:
        return self.name


class MemberTier(TenantModel):
    """A member's tier now. No row (or ``tier`` empty): no tier. ``floor_tier`` is a tier set by
    hand: cut-offs and expiry never drop the member below it until ``floor_until`` (inclusive)."""

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    tier = models.ForeignKey(Tier, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reached_on = models.DateField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    floor_tier = models.ForeignKey(Tier, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    floor_until = models.DateField(null=True, blank=True)
    floor_note = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "member"], name="uniq_member_tier")]
        indexes = [models.Index(fields=["organization", "expires_on"], name="member_tier_expires_idx")]

    def __str__(self) -> str:
        return f"tier of member {self.member_id}"


class Reason(models.TextChoices):
    UPGRADE = "upgrade", _("Upgrade")
    DOWNGRADE = "downgrade", _("Downgrade")
    MANUAL = "manual", _("Set by hand")
    REEVALUATION = "reevaluation", _("Re-evaluation")


class TierChange(TenantModel):
    """One change of a member's tier, with why and the window of points that decided it.
    Tier codes and names are copied so the history reads the same after a ladder changes."""

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+", db_index=False)
    from_code = models.CharField(max_length=40, blank=True)
    from_name = models.CharField(max_length=100, blank=True)
    to_code = models.CharField(max_length=40, blank=True)
    to_name = models.CharField(max_length=100, blank=True)
    reason = models.CharField(_("why"), max_length=14, choices=Reason.choices)
    detail = models.CharField(max_length=40, blank=True)  # "sale", "cutoff:quarterly", "expiry", ...
    measure = models.BigIntegerField(null=True, blank=True)  # points (or baht) in the window
    window_from = models.DateTimeField(null=True, blank=True)
    window_to = models.DateTimeField(null=True, blank=True)
    effective_on = models.DateField()
    changed_at = models.DateTimeField()
    run_key = models.CharField(max_length=40, blank=True)  # "cutoff:2026-03-31": one change per run
    sale_id = models.BigIntegerField(null=True, blank=True)
    note = models.TextField(blank=True)
    actor_label = models.CharField(max_length=200, blank=True)
    staff_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["organization", "member", "changed_at"], name="tier_change_member_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "member", "run_key"], condition=~Q(run_key=""), name="uniq_tier_change_run"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_name or '-'} → {self.to_name or '-'} ({self.reason})"


class Reevaluation(TenantModel):
    """A "re-evaluate all members now" run in the task worker (``ledger.services.tier_reevaluation``).
    The window is counted back from ``as_of`` (when it was asked for), so a run taken over after a
    worker restart decides the same. ``cursor`` is the last member decided, committed with that
    chunk's changes: a restart goes on from there. One queued or running per organization."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    as_of = models.DateTimeField()
    moves = models.JSONField(default=dict, blank=True)  # "GOLD→BASIC": members moved so far
    members_total = models.PositiveIntegerField(default=0)
    members_done = models.PositiveIntegerField(default=0)
    cursor = models.BigIntegerField(default=0)
    actor = models.JSONField(default=dict)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organization"], condition=Q(status__in=["queued", "running"]),
                                    name="uniq_tier_reevaluation_active"),
        ]

    def __str__(self) -> str:
        return f"re-evaluation {self.pk} ({self.status})"


class CutoffRun(TenantModel):
    """The progress of one cut-off (``ledger.services.tier_cutoff``): one row per (organization,
    ladder, cut-off day). ``cursor`` is the last tier state decided, committed with that chunk's
    changes, so an interrupted run goes on after it; ``finished_at`` set, a rerun returns at once."""

    ladder = models.ForeignKey(TierLadder, on_delete=models.CASCADE, related_name="+")
    on_date = models.DateField()
    cursor = models.BigIntegerField(default=0)
    checked = models.PositiveIntegerField(default=0)
    moved = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "ladder", "on_date"],
                                               name="uniq_tier_cutoff_run")]

    def __str__(self) -> str:
        return f"cut-off {self.on_date} ({'done' if self.finished_at else 'in progress'})"
