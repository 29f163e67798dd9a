"""Rewards catalog, redemptions, points as a bill discount, points purchase and coupons.

Points never live here: every deduction or return is an entry of the ledger app. These tables keep
what was redeemed, issued or applied, and the id of the ledger entry that moved the points.
Stock and coupon state change with ``F()`` / conditional updates on locked rows (never
read-then-write), and the database refuses a negative stock.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sasom.core.tenancy import TenantModel
from sasom.core.uploads import image_validator


class LimitPeriod(models.TextChoices):
    LIFETIME = "lifetime", _("Lifetime")
    DAY = "day", _("Per day")
    MONTH = "month", _("Per month")
    YEAR = "year", _("Per year")


class RewardSettings(TenantModel):
    """Organization-wide rules for buying missing points. One row per organization."""

    point_price = models.DecimalField(
        _("price per point"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Empty: members cannot buy missing points."),
        validators=[MinValueValidator(0)],
    )
    purchase_max_points = models.PositiveIntegerField(
        _("most points bought per redemption"), default=0, help_text=_("0: no purchase allowed.")
    )

    class Meta:
        verbose_name = _("reward settings")
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="uniq_reward_settings_org"),
            models.CheckConstraint(
                condition=Q(point_price__isnull=True) | Q(point_price__gte=0), name="reward_settings_price_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return str(_("reward settings"))


class PointsDiscountRule(TenantModel):
    """Points used as a bill discount: ``points_per_unit`` points are worth ``per_amount`` money,
    exactly as the shop states it ("1 point = 10 rial" is 1 and 10; "10 points = 1 baht" 10 and 1).
    A rule with no member type is the organization's default; a member type's own overrides it."""

    member_type = models.ForeignKey(
        "members.MemberType",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("member type"),
        help_text=_("Empty: every member type without its own rule."),
    )
    points_per_unit = models.PositiveIntegerField(
        _("points per 1 unit of money"), validators=[MinValueValidator(1)]
    )
    per_amount = models.DecimalField(_("are worth (money)"), max_digits=12, decimal_places=2, default=1, validators=[
        MinValueValidator(Decimal("0.01"))], help_text=_("The money the points above are worth: 1 point = 10 rial, or 100 points = 1,000 toman."))
    min_points = models.PositiveIntegerField(_("minimum points per use"), default=0)
    max_bill_percent = models.DecimalField(
        _("at most this percent of the bill"),
        max_digits=5,
        decimal_places=2,
        default=100,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    max_balance_percent = models.DecimalField(
        _("at most this percent of the spendable balance"),
        max_digits=5,
        decimal_places=2,
        default=100,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("points-as-discount rule")
        verbose_name_plural = _("points-as-discount rules")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "member_type"], name="uniq_points_discount_rule_type"
            ),
            models.UniqueConstraint(
                fields=["organization"],
                condition=Q(member_type__isnull=True),
                name="uniq_points_discount_rule_default",
            ),
            models.CheckConstraint(condition=Q(points_per_unit__gte=1), name="points_discount_ppu_gte_1"),
            models.CheckConstraint(condition=Q(per_amount__gt=0), name="points_discount_per_amount_gt_0"),
            models.CheckConstraint(
                condition=Q(max_bill_percent__gte=0, max_bill_percent__lte=100), name="points_discount_bill_pct"
            ),
            models.CheckConstraint(
                condition=Q(max_balance_percent__gte=0, max_balance_percent__lte=100),
                name="points_discount_balance_pct",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.points_per_unit} = {self.per_amount.normalize():f}"


class Reward(TenantModel):
    class StockMode(models.TextChoices):
        UNLIMITED = "unlimited", _("Unlimited")
        GLOBAL = "global", _("One stock for all branches")
        PER_BRANCH = "per_branch", _("Stock per branch")

    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name (Thai)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    image = models.FileField(
        _("image"), upload_to="rewards/", blank=True, validators=[image_validator]
    )
    points_cost = models.PositiveIntegerField(_("points"), validators=[MinValueValidator(1)])
    cash_copay = models.DecimalField(
        _("cash co-payment"), max_digits=12, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    member_types = models.ManyToManyField(
        "members.MemberType",
        blank=True,
        related_name="+",
        verbose_name=_("member types allowed"),
        help_text=_("None selected: every member type."),
    )
    tiers = models.JSONField(
        _("tiers allowed"), default=list, blank=True,
        help_text=_("Tier codes of the ladder; none: every member, with or without a tier."),
    )
    valid_from_on = models.DateField(_("valid from"), null=True, blank=True)
    valid_to_on = models.DateField(_("valid to (inclusive)"), null=True, blank=True)
    stock_mode = models.CharField(
        _("stock"), max_length=12, choices=StockMode.choices, default=StockMode.UNLIMITED
    )
    stock = models.IntegerField(_("stock on hand"), default=0, help_text=_("For one stock for all branches."))
    limit_quantity = models.PositiveIntegerField(
        _("limit per member"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    limit_period = models.CharField(
        _("limit period"), max_length=10, choices=LimitPeriod.choices, default=LimitPeriod.LIFETIME
    )
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("reward")
        verbose_name_plural = _("rewards")
        ordering = ["sort_order", "points_cost", "code"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="uniq_reward_code"),
            models.CheckConstraint(condition=Q(stock__gte=0), name="reward_stock_gte_0"),
            models.CheckConstraint(condition=Q(points_cost__gte=1), name="reward_points_gte_1"),
            models.CheckConstraint(condition=Q(cash_copay__gte=0), name="reward_copay_gte_0"),
        ]

    def __str__(self) -> str:
        return self.name


class RewardStock(TenantModel):
    """Stock of a reward at one branch (stock mode "per branch")."""

    reward = models.ForeignKey(Reward, on_delete=models.CASCADE, related_name="branch_stocks")
    branch = models.ForeignKey("organizations.Branch", on_delete=models.CASCADE, related_name="+")
    quantity = models.IntegerField(_("stock on hand"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "reward", "branch"], name="uniq_reward_stock_branch"),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="reward_stock_qty_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity}"


class Redemption(TenantModel):
    class Status(models.TextChoices):
        DONE = "done", _("Redeemed")
        CANCELLED = "cancelled", _("Cancelled")

    number = models.CharField(_("slip number"), max_length=40)
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="redemptions")
    reward = models.ForeignKey(Reward, on_delete=models.PROTECT, related_name="redemptions")
    branch = models.ForeignKey("organizations.Branch", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    points = models.PositiveIntegerField(_("points"))
    cash_copay = models.DecimalField(_("cash co-payment"), max_digits=12, decimal_places=2, default=0)
    purchase = models.ForeignKey(
        "PointsPurchase", null=True, blank=True, on_delete=models.PROTECT, related_name="redemptions"
    )
    spend_entry_id = models.BigIntegerField(null=True, blank=True)
    return_entry_id = models.BigIntegerField(null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DONE)
    created_at = models.DateTimeField(_("redeemed at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancel_reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "number"], name="uniq_redemption_number"),
        ]
        indexes = [
            models.Index(fields=["organization", "created_at"], name="redemption_day_idx"),
            models.Index(fields=["organization", "member", "reward"], name="redemption_member_idx"),
        ]

    def __str__(self) -> str:
        return self.number


class PointsPurchase(TenantModel):
    """Points a member bought for money (to reach a reward); voided with the sale that took the money."""

    class Status(models.TextChoices):
        DONE = "done", _("Bought")
        VOIDED = "voided", _("Voided")

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    branch = models.ForeignKey("organizations.Branch", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    points = models.PositiveIntegerField(_("points bought"))
    point_price = models.DecimalField(_("price per point"), max_digits=10, decimal_places=2)
    amount = models.DecimalField(_("amount paid"), max_digits=12, decimal_places=2)
    payment_reference = models.CharField(_("payment reference"), max_length=100)
    entry_id = models.BigIntegerField(null=True, blank=True)
    void_entry_id = models.BigIntegerField(null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DONE)
    created_at = models.DateTimeField(auto_now_add=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(points__gt=0), name="points_purchase_points_gt_0"),
        ]
        indexes = [models.Index(fields=["organization", "payment_reference"], name="points_purchase_payref_idx")]

    def __str__(self) -> str:
        return f"{self.points} ({self.payment_reference})"


class CouponTemplate(TenantModel):
    """A kind of coupon marketing sets up; coupons are issued from it for points."""

    class Kind(models.TextChoices):
        CASH = "cash", _("Cash coupon (payment)")
        DISCOUNT = "discount", _("Discount coupon")

    class DiscountKind(models.TextChoices):
        PERCENT = "percent", _("Percent")
        AMOUNT = "amount", _("Amount")

    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name (Thai)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.CASH)
    value = models.DecimalField(
        _("value"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(0)],
        help_text=_("Cash coupon: its value. Discount coupon: the percent or the amount off."),
    )
    discount_kind = models.CharField(
        _("discount in"), max_length=10, choices=DiscountKind.choices, default=DiscountKind.AMOUNT
    )
    min_spend = models.DecimalField(
        _("minimum spend"), max_digits=12, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    product_codes = models.JSONField(_("products it applies to"), default=list, blank=True)
    category_codes = models.JSONField(_("categories it applies to"), default=list, blank=True)
    image = models.FileField(_("image"), upload_to="coupons/", blank=True, validators=[image_validator])
    text = models.TextField(_("text printed on the coupon"), blank=True)
    points_cost = models.PositiveIntegerField(_("points per coupon"), default=0)
    validity_days = models.PositiveIntegerField(
        _("valid for (days)"), null=True, blank=True, help_text=_("Counting the day of issue.")
    )
    valid_until_on = models.DateField(_("valid until (fixed date, inclusive)"), null=True, blank=True)
    per_member_limit = models.PositiveIntegerField(
        _("limit per member"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    member_types = models.ManyToManyField(
        "members.MemberType", blank=True, related_name="+", verbose_name=_("member types allowed")
    )
    tiers = models.JSONField(
        _("tiers allowed"), default=list, blank=True,
        help_text=_("Tier codes of the ladder; none: every member, with or without a tier."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("coupon type")
        verbose_name_plural = _("coupon types")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="uniq_coupon_template_code"),
            models.CheckConstraint(condition=Q(value__gte=0), name="coupon_template_value_gte_0"),
            models.CheckConstraint(
                condition=~Q(kind="discount", discount_kind="percent") | Q(value__lte=100),
                name="coupon_template_percent_lte_100",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CouponBatch(TenantModel):
    """A bulk issue: the conditions used and how many coupons it made."""

    template = models.ForeignKey(CouponTemplate, on_delete=models.PROTECT, related_name="batches")
    conditions = models.JSONField(default=dict)
    issued_count = models.PositiveIntegerField(default=0)
    charge_points = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"#{self.pk} ({self.issued_count})"


class Coupon(TenantModel):
    class Status(models.TextChoices):
        ISSUED = "issued", _("Not used")
        USED = "used", _("Used")
        CANCELLED = "cancelled", _("Cancelled")

    template = models.ForeignKey(CouponTemplate, on_delete=models.PROTECT, related_name="coupons")
    batch = models.ForeignKey(CouponBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="coupons")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="coupons")
    code = models.CharField(_("coupon code"), max_length=20)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ISSUED)
    points = models.PositiveIntegerField(_("points paid"), default=0)
    spend_entry_id = models.BigIntegerField(null=True, blank=True)
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("valid until"))
    used_at = models.DateTimeField(null=True, blank=True)
    used_bill_reference = models.CharField(max_length=100, blank=True)
    used_branch = models.ForeignKey(
        "organizations.Branch", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    used_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("coupon")
        verbose_name_plural = _("coupons")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="uniq_coupon_code"),
        ]
        indexes = [
            models.Index(fields=["organization", "member", "template"], name="coupon_member_idx"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def last_valid_on(self):
        """The last local day the coupon can be used (``expires_at`` itself is exclusive)."""
        import datetime as dt

        from django.utils import timezone

        return timezone.localtime(self.expires_at - dt.timedelta(microseconds=1)).date()
