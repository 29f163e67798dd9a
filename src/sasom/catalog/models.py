"""The product catalog: categories (a tree), brands, products and their barcodes.

Every table is the organization's; every unique key begins with it. ``Product.updated_at`` is
indexed with the organization so a POS can ask for what changed since its last sync.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from sasom.catalog.models_prices import Price, PriceTable, PriceTableMemberType, PricingSettings
from sasom.core.tenancy import TenantModel
from sasom.core.uploads import image_validator

__all__ = ["Barcode", "Brand", "Category", "Price", "PriceTable", "PriceTableMemberType", "PricingSettings", "Product"]


class Category(TenantModel):
    code = models.CharField(_("code"), max_length=40)
    name_th = models.CharField(_("Thai name"), max_length=120)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["organization", "code"], name="uniq_category_code")]

    def __str__(self) -> str:
        return self.name_th


class Brand(TenantModel):
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=120)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("brand")
        verbose_name_plural = _("brands")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["organization", "code"], name="uniq_brand_code")]

    def __str__(self) -> str:
        return self.name


class Product(TenantModel):
    """A thing the shop sells. ``pack_size`` counts the units a pack holds (6 for a 6-pack of
    boxes); ``base_price`` is the list price of one ``unit``, VAT included when ``vat_included``."""

    sku = models.CharField(_("SKU"), max_length=64)  # as long as a sale line's
    name_th = models.CharField(_("Thai name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.PROTECT, related_name="products", verbose_name=_("category")
    )
    brand = models.ForeignKey(
        Brand, null=True, blank=True, on_delete=models.PROTECT, related_name="products", verbose_name=_("brand")
    )
    unit = models.CharField(_("unit"), max_length=20, blank=True, help_text=_('e.g. "box", "bottle"'))
    pack_size = models.DecimalField(_("pack size"), max_digits=10, decimal_places=3, default=1)
    base_price = models.DecimalField(_("base price"), max_digits=12, decimal_places=2)
    vat_included = models.BooleanField(_("VAT included"), default=True)
    active_from = models.DateField(_("active from"), null=True, blank=True)
    active_to = models.DateField(_("active to"), null=True, blank=True)
    excluded_from_points = models.BooleanField(_("excluded from points"), default=False)
    image = models.FileField(_("image"), upload_to="products/", blank=True, validators=[image_validator])
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["sku"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "sku"], name="uniq_product_sku"),
            models.CheckConstraint(condition=Q(pack_size__gt=0), name="product_pack_size_positive"),
            models.CheckConstraint(condition=Q(base_price__gte=0), name="product_base_price_not_negative"),
            models.CheckConstraint(
                condition=Q(active_from__isnull=True) | Q(active_to__isnull=True) | Q(active_to__gte=F("active_from")),
                name="product_active_dates_ordered",
            ),
        ]
        indexes = [models.Index(fields=["organization", "updated_at", "id"], name="product_org_updated")]

    def __str__(self) -> str:
        return f"{self.sku} {self.name_th}"


class Barcode(TenantModel):
    """One of a product's barcodes (EAN-13, a shelf code, a supplier's code); unique in the shop."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="barcodes", verbose_name=_("product"))
    code = models.CharField(_("barcode"), max_length=64)

    class Meta:
        verbose_name = _("barcode")
        verbose_name_plural = _("barcodes")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["organization", "code"], name="uniq_barcode_code")]

    def __str__(self) -> str:
        return self.code

