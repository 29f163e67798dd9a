"""Tenants (organizations), their branches and terminals, and the staff who work in them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sasom.core.roles import Role
from sasom.core.tenancy import TenantModel
from sasom.core.uploads import image_validator


class Calendar(models.TextChoices):
    """The calendar an organization writes days in (``core.calendars``; docs/decisions/0006)."""

    GREGORIAN = "gregorian", _("Gregorian (2026-11-28)")
    BUDDHIST = "buddhist", _("Thai Buddhist era (28/11/2569)")
    JALALI = "jalali", _("Jalali / Solar Hijri (1405/09/07)")


class Organization(models.Model):
    """A shop, a chain or a group of businesses whose members use one card everywhere."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    currency = models.CharField(_("currency"), max_length=3, default="THB")
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Bangkok")
    language = models.CharField(_("language"), max_length=8, default="th")
    calendar = models.CharField(_("calendar"), max_length=10, choices=Calendar.choices, default=Calendar.BUDDHIST)
    periods_follow_calendar = models.BooleanField(
        _("periods follow the calendar"), default=True,
        help_text=_("Months, quarters and years of points expiry, birthdays and birth months are the calendar's "
                    "(a Jalali shop's month ends with the Jalali month). Off: Gregorian months."),
    )
    persian_digits = models.BooleanField(_("Persian digits"), default=False,
                                         help_text=_("Dates and numbers in Persian digits for Persian readers."))
    amounts_in_toman = models.BooleanField(
        _("amounts in toman"), default=False,
        help_text=_("IRR only: screens, receipts, exports and forms show amounts in toman (1 toman = 10 rial); "
                    "amounts are stored and sent in the API in rial."))
    member_code_pattern = models.CharField(
        _("member code pattern"),
        max_length=40,
        default="M{seq:07d}",
        help_text=_("Python format with {seq} (running number), {yy}, {yyyy}, {mm}, {branch}."),
    )
    phone_region = models.CharField(_("default phone region"), max_length=2, default="TH")
    sales_since = models.DateField(
        _("sales accepted from"), null=True, blank=True,
        help_text=_("Sales dated before this day are refused: the day the shop started with Sasom, or the first "
                    "day of the history brought from an old system. Empty: no limit."),
    )
    logo = models.FileField(
        _("logo"), upload_to="logos/", blank=True, validators=[image_validator],
        help_text=_("Printed on the front of member cards. Stored again as a picture (JPEG or PNG)."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self) -> str:
        return self.name

    @property
    def buddhist_era(self) -> bool:
        """For callers written before calendars were a setting (``Organization(buddhist_era=True)``
        still builds a Buddhist-era shop; False a Gregorian one). New code reads ``calendar``."""
        return self.calendar == Calendar.BUDDHIST

    @buddhist_era.setter
    def buddhist_era(self, value: bool) -> None:
        if value:
            self.calendar = Calendar.BUDDHIST
        elif self.calendar == Calendar.BUDDHIST:
            self.calendar = Calendar.GREGORIAN


class Sequence(TenantModel):
    """A per-organization counter (member codes, slip numbers); bumped with F() on a locked row."""

    name = models.CharField(max_length=40)
    value = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="uniq_sequence_name")
        ]

    def __str__(self) -> str:
        return f"{self.name} = {self.value}"


class Branch(TenantModel):
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=200)
    address = models.TextField(_("address"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("branch")
        verbose_name_plural = _("branches")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="uniq_branch_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Terminal(TenantModel):
    """A POS register or a service counter."""

    class Kind(models.TextChoices):
        POS = "pos", _("POS register")
        COUNTER = "counter", _("Service counter")
        INTEGRATION = "integration", _("Integration (ERP, web shop)")

    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="terminals")
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.POS)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("terminal")
        verbose_name_plural = _("terminals")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="uniq_terminal_code")
        ]

    def __str__(self) -> str:
        return self.code


# Roles that work in some branches only; the others see the whole organization.
BRANCH_SCOPED_ROLES = frozenset({Role.BRANCH_MANAGER, Role.CASHIER, Role.SERVICE_COUNTER})


class Staff(TenantModel):
    """A person working for an organization, with one role and (for branch roles) branches."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    branches = models.ManyToManyField(Branch, blank=True, related_name="staff", verbose_name=_("branches"))
    display_name = models.CharField(_("display name"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("staff")
        verbose_name_plural = _("staff")

    def __str__(self) -> str:
        return self.display_name or self.user.get_username()

    @property
    def is_branch_scoped(self) -> bool:
        return self.role in BRANCH_SCOPED_ROLES
