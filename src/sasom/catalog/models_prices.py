"""Price tables and the organization's pricing settings (seeds 000/001: "ราคาขายแยกตามประเภทสมาชิก").

A :class:`PriceTable` is a named list of prices ("VIP", "Wholesale", "Chiang Mai branch"). Each
:class:`Price` row gives one product a price, for every branch or for one, from a date to a date.
A member type uses at most one table (:class:`PriceTableMemberType`); the organization's *general*
table (:class:`PricingSettings.general_table`) holds the prices everyone pays, such as a branch's
own prices. The price of a line is resolved in this order (docs/points.md):

1. the member type's table, at the sale's branch;
2. the member type's table, for every branch;
3. the general table, at the sale's branch;
4. the general table, for every branch;
5. the product's base price.

Two rows of one table for the same product and branch never cover the same day (refused on
write, ``catalog.prices``).
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from sasom.core.tenancy import TenantModel


class PriceTable(TenantModel):
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=100)
    is_active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("price table")
        verbose_name_plural = _("price tables")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["organization", "code"], name="uniq_price_table_code")]

    def __str__(self) -> str:
        return self.name


class PriceTableMemberType(TenantModel):
    """A member type's table: one per member type; a table may serve several types."""

    table = models.ForeignKey(PriceTable, on_delete=models.CASCADE, related_name="member_type_links")
    member_type = models.ForeignKey("members.MemberType", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "member_type"], name="uniq_price_table_member_type"),
        ]

    def __str__(self) -> str:
        return f"{self.table} ← {self.member_type}"


class Price(TenantModel):
    table = models.ForeignKey(PriceTable, on_delete=models.CASCADE, related_name="prices", verbose_name=_("price table"))
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="prices",
                                verbose_name=_("product"))
    branch = models.ForeignKey("organizations.Branch", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="+", verbose_name=_("branch"), help_text=_("Empty: every branch."))
    price = models.DecimalField(_("price"), max_digits=12, decimal_places=2)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True, help_text=_("Inclusive. Empty: no end."))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("price")
        verbose_name_plural = _("prices")
        ordering = ["table", "product", "branch", "valid_from"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="price_not_negative"),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True) | Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="price_valid_dates_ordered",
            ),
        ]
        indexes = [models.Index(fields=["organization", "table", "product"], name="price_table_product")]

    def __str__(self) -> str:
        where = self.branch.code if self.branch_id and self.branch else "*"
        return f"{self.table.code} {self.product.sku} @{where}: {self.price}"


class PricingSettings(TenantModel):
    """How the till prices a basket, one row per organization (absent: the defaults below)."""

    class Authority(models.TextChoices):
        POS = "pos", _("The POS's prices win (Sasom prices only lines sent without a price)")
        SASOM = "sasom", _("Sasom's prices and member benefits win")

    authority = models.CharField(_("whose prices win"), max_length=8, choices=Authority.choices,
                                 default=Authority.POS)
    open_lines = models.BooleanField(
        _("accept products not in the catalog"), default=True,
        help_text=_("An unknown SKU is sold at the price the POS sends, flagged as an open-price line."))
    general_table = models.ForeignKey(PriceTable, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+", verbose_name=_("general price table"))
    member_discount_min_bill = models.DecimalField(
        _("minimum bill for member discounts"), max_digits=12, decimal_places=2, default=0)
    member_discount_skips_discounted_lines = models.BooleanField(
        _("no member discount on lines already discounted"), default=False)
    member_discount_excluded_categories = models.JSONField(
        _("categories without member discount"), default=list, blank=True,
        help_text=_("Category codes; their sub-categories are excluded too."))
    updated_at = models.DateTimeField(auto_now=True)
    # Moves with every change of what the till caches of these settings (catalog.prices.pricing_forget:
    # these fields, a price table's member types or its being active, the category tree), in the
    # change's transaction; the sale reads it with its prices (docs/decisions/0013-pricing-settings-version.md).
    version = models.PositiveBigIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("pricing settings")
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="uniq_pricing_settings"),
            models.CheckConstraint(condition=Q(member_discount_min_bill__gte=0), name="pricing_min_bill_not_negative"),
        ]

    def __str__(self) -> str:
        return str(_("Pricing settings"))
