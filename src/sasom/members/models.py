"""Members, their types, cards and consents."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sasom.core.tenancy import TenantModel


class MemberType(TenantModel):
    """A class of member with its own benefits (VIP, General, Executive staff, Staff)."""

    class BirthdayScope(models.TextChoices):
        DAY = "day", _("On the birthday")
        MONTH = "month", _("During the birth month")

    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    can_earn = models.BooleanField(_("earns points"), default=True)
    discount_percent = models.DecimalField(_("discount %"), max_digits=5, decimal_places=2, default=0)
    birthday_discount_percent = models.DecimalField(
        _("birthday discount %"), max_digits=5, decimal_places=2, default=0
    )
    birthday_scope = models.CharField(
        _("birthday discount applies"), max_length=5, choices=BirthdayScope.choices, default=BirthdayScope.DAY
    )
    card_validity_months = models.PositiveIntegerField(
        _("card validity (months)"), null=True, blank=True, help_text=_("Empty: the card never expires.")
    )
    benefits_stop_on_expiry = models.BooleanField(_("benefits stop when the card expires"), default=True)
    is_default = models.BooleanField(_("default for new members"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("member type")
        verbose_name_plural = _("member types")
        ordering = ["sort_order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="uniq_member_type_code"),
            models.CheckConstraint(
                condition=Q(discount_percent__gte=0, discount_percent__lte=100), name="member_type_discount_pct"
            ),
            models.CheckConstraint(
                condition=Q(birthday_discount_percent__gte=0, birthday_discount_percent__lte=100),
                name="member_type_birthday_pct",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Member(TenantModel):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        EXPIRED = "expired", _("Expired")
        CLOSED = "closed", _("Closed")
        ANONYMIZED = "anonymized", _("Anonymized")

    class Gender(models.TextChoices):
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")
        OTHER = "other", _("Other")
        UNDISCLOSED = "", _("Not given")

    class Language(models.TextChoices):
        SHOP = "", _("The shop's language")
        THAI = "th", _("Thai")
        ENGLISH = "en", _("English")
        PERSIAN = "fa", _("Persian")

    class MaritalStatus(models.TextChoices):
        SINGLE = "single", _("Single")
        MARRIED = "married", _("Married")
        DIVORCED = "divorced", _("Divorced")
        WIDOWED = "widowed", _("Widowed")
        UNDISCLOSED = "", _("Not given")

    code = models.CharField(_("member code"), max_length=40)
    member_type = models.ForeignKey(MemberType, on_delete=models.PROTECT, related_name="members", verbose_name=_("member type"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE)
    phone = models.CharField(_("phone"), max_length=20, null=True, blank=True, help_text=_("E.164, e.g. +66812345678"))
    title = models.CharField(_("title"), max_length=30, blank=True)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    gender = models.CharField(_("gender"), max_length=6, choices=Gender.choices, blank=True, default="")
    birth_on = models.DateField(_("birth date"), null=True, blank=True)
    marital_status = models.CharField(_("marital status"), max_length=10, choices=MaritalStatus.choices, blank=True, default="")
    occupation = models.CharField(_("occupation"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    line_id = models.CharField(_("LINE id"), max_length=100, blank=True)
    # Thai address
    address_line = models.CharField(_("house no., village, building"), max_length=200, blank=True)
    moo = models.CharField(_("moo"), max_length=10, blank=True)
    soi = models.CharField(_("soi"), max_length=100, blank=True)
    road = models.CharField(_("road"), max_length=100, blank=True)
    subdistrict = models.CharField(_("subdistrict (tambon/khwaeng)"), max_length=100, blank=True)
    district = models.CharField(_("district (amphoe/khet)"), max_length=100, blank=True)
    province = models.CharField(_("province"), max_length=100, blank=True)
    postcode = models.CharField(_("postcode"), max_length=5, blank=True)
    tags = models.JSONField(_("interests / tags"), default=list, blank=True)
    custom = models.JSONField(_("custom fields"), default=dict, blank=True)
    erp_debtor_code = models.CharField(_("ERP debtor (AR) code"), max_length=40, blank=True)
    referred_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="referrals", verbose_name=_("referred by")
    )
    home_branch = models.ForeignKey(
        "organizations.Branch", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("home branch")
    )
    marketing_consent = models.BooleanField(_("marketing consent"), default=False)
    language = models.CharField(_("language of messages"), max_length=5, choices=Language.choices, blank=True,
                                default="")
    joined_on = models.DateField(_("joined on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    anonymized_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="uniq_member_code"),
            models.UniqueConstraint(fields=["organization", "phone"], name="uniq_member_phone"),
        ]
        indexes = [
            models.Index(fields=["organization", "first_name"], name="member_first_name_idx"),
            models.Index(fields=["organization", "last_name"], name="member_last_name_idx"),
            models.Index(fields=["organization", "erp_debtor_code"], name="member_erp_idx"),
            models.Index(fields=["organization", "expires_on"], name="member_expires_idx"),
            models.Index(fields=["organization", "birth_on"], name="member_birth_idx"),
            models.Index(fields=["organization", "status"], name="member_status_idx"),
            models.Index(fields=["organization", "home_branch"], name="member_branch_idx"),
            models.Index(fields=["organization", "member_type"], name="member_type_idx"),
            # Name prefix search (LIKE 'x%') on PostgreSQL needs the pattern operator class
            # whatever the database collation; other databases ignore ``opclasses``.
            models.Index(
                fields=["organization", "first_name"],
                name="member_first_name_like_idx",
                opclasses=["int8_ops", "varchar_pattern_ops"],
            ),
            models.Index(
                fields=["organization", "last_name"],
                name="member_last_name_like_idx",
                opclasses=["int8_ops", "varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.full_name}".strip()

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.title, self.first_name, self.last_name) if p)


class Card(TenantModel):
    """A membership card. A lost card is replaced by a new one on the same account."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        LOST = "lost", _("Lost")
        REPLACED = "replaced", _("Replaced")
        BLOCKED = "blocked", _("Blocked")

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="cards")
    number = models.CharField(_("card number"), max_length=40)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    issued_on = models.DateField(_("issued on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    replaces = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("card")
        verbose_name_plural = _("cards")
        constraints = [
            models.UniqueConstraint(fields=["organization", "number"], name="uniq_card_number")
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.get_status_display()})"


class MemberCodeChange(TenantModel):
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="code_changes")
    old_code = models.CharField(max_length=40)
    new_code = models.CharField(max_length=40)
    changed_at = models.DateTimeField(auto_now_add=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["organization", "old_code"], name="member_old_code_idx")]

    def __str__(self) -> str:
        return f"{self.old_code} → {self.new_code}"


class Consent(TenantModel):
    """A consent given or withdrawn: what, when, how (PDPA keeps the record, not only the flag)."""

    class Purpose(models.TextChoices):
        MARKETING = "marketing", _("Marketing messages")
        PROFILING = "profiling", _("Purchase analysis")

    class Channel(models.TextChoices):
        PAPER = "paper", _("Paper form")
        COUNTER = "counter", _("At the counter")
        POS = "pos", _("POS")
        WEB = "web", _("Web / portal")
        IMPORT = "import", _("Imported")
        API = "api", _("API")
        SMS = "sms", _("SMS reply")

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    granted = models.BooleanField()
    channel = models.CharField(max_length=10, choices=Channel.choices)
    at = models.DateTimeField()
    recorded_by = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()}: {_('given') if self.granted else _('withdrawn')}"


class CustomField(TenantModel):
    """An organization-defined member field; values live in ``Member.custom[key]``."""

    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        NUMBER = "number", _("Number")
        DATE = "date", _("Date")
        CHOICE = "choice", _("Choice")

    key = models.SlugField(max_length=40)
    label = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.TEXT)
    choices = models.JSONField(default=list, blank=True)
    required = models.BooleanField(default=False)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "key"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "key"], name="uniq_custom_field_key")
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.key})"


class MemberRetention(TenantModel):
    """PDPA retention: how long personal data of a closed member is kept (one row per organization;
    no row, or no number of days, keeps it until someone erases it by hand)."""

    anonymize_closed_after_days = models.PositiveIntegerField(
        _("anonymize closed members after (days)"), null=True, blank=True,
        help_text=_("Personal data of a closed member is erased this many days after closing; empty: never."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization"], name="uniq_member_retention_org")]

    def __str__(self) -> str:
        return str(_("member data retention"))
