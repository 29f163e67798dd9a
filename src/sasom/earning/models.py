"""Earning configuration: rules, campaigns and the organization's earn settings.

Scopes are stored as lists of codes (member type, branch, terminal codes...) because the engine
matches on the codes a basket carries; an empty list means "any". Kind-specific parameters live in
``EarnRule.params`` (JSON), validated per kind by :mod:`sasom.earning.params` in the services;
the kinds and their labels come from the registry (:data:`sasom.earning.kinds.KINDS`).
Base rates are rules of kind ``base`` scoped to member types (see docs/points.md).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sasom.core.tenancy import TenantModel
from sasom.earning.arithmetic import Rounding
from sasom.earning.kinds import kind_choices


class EarnRule(TenantModel):
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=kind_choices())
    priority = models.IntegerField(_("priority"), default=0, help_text=_("Higher runs first."))
    stop_further = models.BooleanField(
        _("stop further rules"), default=False, help_text=_("Only when this rule actually gave points.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    valid_from = models.DateTimeField(_("valid from"), null=True, blank=True)
    valid_to = models.DateTimeField(_("valid until (exclusive)"), null=True, blank=True)
    weekdays = models.JSONField(_("weekdays"), default=list, blank=True, help_text=_("0 = Monday … 6 = Sunday"))
    days_of_month = models.JSONField(_("days of month"), default=list, blank=True)
    time_from = models.TimeField(_("daily from"), null=True, blank=True)
    time_to = models.TimeField(_("daily until (exclusive)"), null=True, blank=True)
    member_types = models.JSONField(_("member types"), default=list, blank=True)
    tiers = models.JSONField(_("tiers"), default=list, blank=True)
    branches = models.JSONField(_("branches"), default=list, blank=True)
    terminals = models.JSONField(_("terminals"), default=list, blank=True)
    salespersons = models.JSONField(_("salespersons"), default=list, blank=True)
    document_types = models.JSONField(_("document types"), default=list, blank=True)
    campaign_plans = models.JSONField(_("campaign plans"), default=list, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("earning rule")
        verbose_name_plural = _("earning rules")
        ordering = ["kind", "-priority", "code"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="uniq_earn_rule_code"),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True) | Q(valid_to__isnull=True) | Q(valid_to__gt=models.F("valid_from")),
                name="earn_rule_valid_range",
            ),
        ]
        indexes = [models.Index(fields=["organization", "is_active"], name="earn_rule_active_idx")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Campaign(TenantModel):
    """A bag campaign (ไม่รับถุง): extra points for members who decline a plastic bag, a donation for
    non-members, an extra discount. At most two campaigns combine on one bill."""

    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=120)
    priority = models.IntegerField(_("priority"), default=0, help_text=_("Higher is chosen first."))
    is_active = models.BooleanField(_("active"), default=True)
    valid_from = models.DateTimeField(_("valid from"), null=True, blank=True)
    valid_to = models.DateTimeField(_("valid until (exclusive)"), null=True, blank=True)
    member_types = models.JSONField(_("member types"), default=list, blank=True)
    branches = models.JSONField(_("branches"), default=list, blank=True)
    plans = models.JSONField(_("campaign plans"), default=list, blank=True)
    bag_percent = models.DecimalField(_("bag declined: extra points, percent of net"), max_digits=5, decimal_places=2, default=0)
    bag_points = models.PositiveIntegerField(_("bag declined: extra points per bill"), default=0)
    donation_per_bag = models.DecimalField(_("non-member: donation per declined bag"), max_digits=8, decimal_places=2, default=0)
    fund_name = models.CharField(_("donation fund"), max_length=120, blank=True)
    extra_discount = models.DecimalField(_("extra discount amount"), max_digits=10, decimal_places=2, default=0)
    combinable = models.BooleanField(_("combinable with another campaign"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-priority", "code"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="uniq_campaign_code"),
            models.CheckConstraint(condition=Q(bag_percent__gte=0, bag_percent__lte=100), name="campaign_bag_percent"),
            models.CheckConstraint(condition=Q(donation_per_bag__gte=0), name="campaign_donation_nonneg"),
            models.CheckConstraint(condition=Q(extra_discount__gte=0), name="campaign_discount_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class EarnSettings(TenantModel):
    """One row per organization: the arithmetic of points and the rule cache version."""

    class RoundingChoice(models.TextChoices):
        BILL = Rounding.BILL, _("Floor once per bill")
        LINE = Rounding.LINE, _("Floor per line")

    rounding = models.CharField(_("rounding"), max_length=4, choices=RoundingChoice.choices, default=Rounding.BILL)
    base_includes_vat = models.BooleanField(_("base includes VAT"), default=True)
    vat_rate = models.DecimalField(_("VAT rate %"), max_digits=5, decimal_places=2, default=7)
    excluded_categories = models.JSONField(_("excluded categories"), default=list, blank=True)
    expired_card_earns = models.BooleanField(_("expired cards earn points"), default=False)
    version = models.BigIntegerField(default=1, help_text="Bumped on every rule/campaign/settings change.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("earn settings")
        verbose_name_plural = _("earn settings")
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="uniq_earn_settings_org"),
            models.CheckConstraint(condition=Q(vat_rate__gte=0, vat_rate__lte=100), name="earn_settings_vat"),
        ]

    def __str__(self) -> str:
        return f"earn settings v{self.version}"
