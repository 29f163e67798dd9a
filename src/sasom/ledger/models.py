"""The points ledger: accounts, append-only entries, lots with expiry, and the sales behind them.

Sign convention: every :class:`Entry` stores a positive ``amount`` and an explicit ``sign``
(+1 credit, -1 debit). Kinds with one direction are pinned by check constraints (earn is always a
credit; redeem, purchase and expire are always debits); return, void, adjust and reverse go either
way (a return takes earned points back *and* gives back points that were spent on the sale).
See docs/ledger.md for the invariant that ties entries, lots and the cached balances together.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sasom.core.tenancy import TenantModel, organization_key


class ExpiryPolicy(models.TextChoices):
    NEVER = "never", _("Points never expire")
    DAYS = "days", _("N days after earning")
    END_OF_MONTH = "end_of_month", _("End of the month N months after earning")
    END_OF_QUARTER = "end_of_quarter", _("End of the quarter N months after earning")
    END_OF_YEAR = "end_of_year", _("End of the year N months after earning")


class ShortfallPolicy(models.TextChoices):
    DEBT = "debt", _("Record a debt; later earnings pay it first")
    CAP = "cap", _("Take back no more than the balance")


class LedgerSettings(models.Model):
    """Per-organization points policy. Missing row = the defaults below (created on demand)."""

    organization = models.OneToOneField(
        "organizations.Organization", on_delete=models.CASCADE, related_name="ledger_settings"
    )
    expiry_policy = models.CharField(
        _("expiry"), max_length=16, choices=ExpiryPolicy.choices, default=ExpiryPolicy.NEVER
    )
    expiry_n = models.PositiveIntegerField(
        _("N (days or months)"), default=0, help_text=_("Days for 'N days'; months for the end-of-period policies.")
    )
    pending_days = models.PositiveIntegerField(
        _("pending days"), default=0, help_text=_("Earned points become spendable after the return window (0 = at once).")
    )
    allow_same_sale_spend = models.BooleanField(_("points earned in a sale may be spent in that sale"), default=False)
    return_shortfall = models.CharField(
        _("when a return takes back more than the balance"),
        max_length=8,
        choices=ShortfallPolicy.choices,
        default=ShortfallPolicy.DEBT,
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("points settings")
        verbose_name_plural = _("points settings")

    def __str__(self) -> str:
        return f"points settings of organization {self.organization_id}"


class PointAccount(TenantModel):
    """One per member per organization: the same card earns and spends at every branch.

    ``spendable`` and ``pending`` are caches of the open lots; ``debt`` is what returns took back
    beyond the balance. They change only under :func:`sasom.ledger.locking.lock_accounts`.
    """

    organization = organization_key(db_index=False)  # uniq_point_account_member leads with it
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="point_accounts")
    spendable = models.BigIntegerField(_("spendable"), default=0)
    pending = models.BigIntegerField(_("pending"), default=0)
    lifetime_earned = models.BigIntegerField(_("lifetime earned"), default=0)
    debt = models.BigIntegerField(_("debt"), default=0)
    sale_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("point account")
        verbose_name_plural = _("point accounts")
        constraints = [
            models.UniqueConstraint(fields=["organization", "member"], name="uniq_point_account_member"),
            models.CheckConstraint(condition=Q(spendable__gte=0), name="point_account_spendable_gte_0"),
            models.CheckConstraint(condition=Q(pending__gte=0), name="point_account_pending_gte_0"),
            models.CheckConstraint(condition=Q(debt__gte=0), name="point_account_debt_gte_0"),
            models.CheckConstraint(condition=Q(lifetime_earned__gte=0), name="point_account_lifetime_gte_0"),
        ]

    def __str__(self) -> str:
        return f"account {self.pk} (member {self.member_id})"


class Sale(TenantModel):
    """Every sale is kept, member or not, with its lines (reports by member type, branch...)."""

    class Status(models.TextChoices):
        POSTED = "posted", _("Posted")
        PARTLY_RETURNED = "partly_returned", _("Partly returned")
        RETURNED = "returned", _("Returned")
        VOIDED = "voided", _("Voided")

    # Indexes (a sale is the hottest insert; each index kept names the query that needs it in
    # docs/performance.md, "Indexes a sale writes"): uniq_sale_receipt and the *_occurred indexes
    # below lead with organization and member, and every read by branch or account is an
    # organization's (sale_branch_occurred_idx) or by primary key, so those keys carry no index of
    # their own; staff_user's index holds the till's sales only (API sales have none). A read by
    # terminal names the branch too (the till's double click, checkout.views_till), so
    # uniq_sale_receipt serves it and the terminal has no index of its own either.
    organization = organization_key(db_index=False)
    branch = models.ForeignKey("organizations.Branch", on_delete=models.PROTECT, related_name="+", db_index=False)
    terminal = models.ForeignKey("organizations.Terminal", on_delete=models.PROTECT, related_name="+",
                                 db_index=False)
    receipt_id = models.CharField(_("receipt no."), max_length=64)
    document_type = models.CharField(_("document type"), max_length=32, default="retail_receipt")
    occurred_at = models.DateTimeField(_("sold at"))
    recorded_at = models.DateTimeField(default=timezone.now)
    member = models.ForeignKey(
        "members.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="sales", db_index=False
    )
    account = models.ForeignKey(PointAccount, null=True, blank=True, on_delete=models.PROTECT, related_name="sales",
                                db_index=False)
    member_type_code = models.CharField(max_length=20, blank=True)
    salesperson = models.CharField(_("salesperson"), max_length=64, blank=True)
    campaign_plan = models.CharField(max_length=40, blank=True)
    bag_declined = models.BooleanField(default=False)
    gross = models.DecimalField(_("gross"), max_digits=14, decimal_places=2)
    discounts = models.DecimalField(_("discounts"), max_digits=14, decimal_places=2, default=0)
    bill_discount = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    coupon_discount = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    points_discount = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    net = models.DecimalField(_("net"), max_digits=14, decimal_places=2)
    eligible_net = models.DecimalField(_("eligible for points"), max_digits=14, decimal_places=2, default=0)
    points_earned = models.BigIntegerField(_("points earned"), default=0)
    referrer_points = models.BigIntegerField(default=0)
    points_used = models.BigIntegerField(_("points used"), default=0)
    donation = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    member_discount = models.DecimalField(_("member discounts"), max_digits=14, decimal_places=2, default=0)
    price_flagged = models.BooleanField(default=False)  # a line's price differs from the table, or is open
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.POSTED)
    explanation = models.JSONField(default=dict, blank=True)
    body_hash = models.CharField(max_length=64)
    actor_label = models.CharField(max_length=200, blank=True)
    staff_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.TextField(blank=True)

    class Meta:
        verbose_name = _("sale")
        verbose_name_plural = _("sales")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "branch", "terminal", "receipt_id"], name="uniq_sale_receipt"
            ),
            models.CheckConstraint(condition=Q(points_earned__gte=0), name="sale_points_earned_gte_0"),
            models.CheckConstraint(condition=Q(points_used__gte=0), name="sale_points_used_gte_0"),
        ]
        indexes = [
            models.Index(fields=["organization", "occurred_at"], name="sale_org_occurred_idx"),
            models.Index(fields=["organization", "branch", "occurred_at"], name="sale_branch_occurred_idx"),
            models.Index(fields=["member", "occurred_at"], name="sale_member_occurred_idx",
                         condition=Q(member__isnull=False)),
            models.Index(fields=["staff_user"], name="sale_staff_user_idx", condition=Q(staff_user__isnull=False)),
        ]

    def __str__(self) -> str:
        return self.receipt_id


class SaleLine(TenantModel):
    # Lines are reached through their sale (uniq_sale_line_no leads with it); ten of them per sale,
    # so neither key has an index of its own.
    organization = organization_key(db_index=False)
    sale = models.ForeignKey(Sale, on_delete=models.CASCADE, related_name="lines", db_index=False)
    line_no = models.PositiveIntegerField()
    sku = models.CharField(max_length=64)
    category = models.CharField(max_length=64, blank=True)
    brand = models.CharField(max_length=64, blank=True)
    quantity = models.DecimalField(max_digits=12, decimal_places=3)
    unit_price = models.DecimalField(max_digits=14, decimal_places=2)
    discount = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    net = models.DecimalField(max_digits=14, decimal_places=2)
    returned_quantity = models.DecimalField(max_digits=12, decimal_places=3, default=0)
    # How the till priced the line (checkout.pricing): the price before any member price (empty
    # for lines posted before Sasom priced baskets), where the charged price came from, the
    # member and birthday discounts inside ``discount``, and whether the points skip the line.
    list_price = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    price_source = models.CharField(max_length=40, blank=True)
    price_flag = models.CharField(max_length=8, blank=True)  # "differs" | "open"
    member_discount = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    excluded_from_points = models.BooleanField(default=False)
    # The POS promotions' discount inside ``discount`` and the codes of the promotions that gave it
    # ("B2G1 PWP", space-separated); the sale's explanation says why (its "pricing" rows).
    promotion_discount = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    promotions = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["line_no"]
        constraints = [
            models.UniqueConstraint(fields=["sale", "line_no"], name="uniq_sale_line_no"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="sale_line_quantity_gt_0"),
            models.CheckConstraint(
                condition=Q(returned_quantity__gte=0) & Q(returned_quantity__lte=models.F("quantity")),
                name="sale_line_returned_le_quantity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.line_no}. {self.sku} × {self.quantity}"


class SaleReturn(TenantModel):
    sale = models.ForeignKey(Sale, on_delete=models.PROTECT, related_name="returns")
    return_id = models.CharField(_("return no."), max_length=64)
    recorded_at = models.DateTimeField(default=timezone.now)
    returned_net = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    points_reversed = models.BigIntegerField(default=0)
    referrer_points_reversed = models.BigIntegerField(default=0)
    points_refunded = models.BigIntegerField(default=0)
    debt_added = models.BigIntegerField(default=0)
    reason = models.TextField(blank=True)
    body_hash = models.CharField(max_length=64)
    actor_label = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["sale", "return_id"], name="uniq_sale_return_id")]

    def __str__(self) -> str:
        return f"{self.return_id}"


class SaleReturnLine(TenantModel):
    sale_return = models.ForeignKey(SaleReturn, on_delete=models.CASCADE, related_name="lines")
    sale_line = models.ForeignKey(SaleLine, on_delete=models.PROTECT, related_name="+")
    line_no = models.PositiveIntegerField()
    quantity = models.DecimalField(max_digits=12, decimal_places=3)
    net = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="sale_return_line_qty_gt_0")]

    def __str__(self) -> str:
        return f"{self.line_no} × {self.quantity}"


class Entry(TenantModel):
    """One append-only movement of points. Never updated, never deleted."""

    class Kind(models.TextChoices):
        EARN = "earn", _("Earned")
        REDEEM = "redeem", _("Redeemed")
        PURCHASE = "purchase", _("Paid with points")
        BUY = "buy", _("Bought")
        RETURN = "return", _("Return")
        VOID = "void", _("Void")
        EXPIRE = "expire", _("Expired")
        ADJUST = "adjust", _("Adjustment")
        REVERSE = "reverse", _("Reversal")

    CREDIT_ONLY = (Kind.EARN, Kind.BUY)
    DEBIT_ONLY = (Kind.REDEEM, Kind.PURCHASE, Kind.EXPIRE)

    # entry_org_occurred_idx leads with organization and entry_account_occurred_id_idx with
    # account: neither key has an index of its own. The optional keys are indexed only where set
    # (an earn entry has none of them), branch and terminal not at all: entries are read by branch
    # only within an organization's period (entry_org_occurred_idx), never by terminal
    # (docs/performance.md, "Indexes a sale writes").
    organization = organization_key(db_index=False)
    account = models.ForeignKey(PointAccount, on_delete=models.PROTECT, related_name="entries", db_index=False)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    sign = models.SmallIntegerField()
    amount = models.BigIntegerField(_("points"))
    debt_delta = models.BigIntegerField(default=0, help_text="Change of account.debt caused by this entry.")
    reverses = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversals",
                                 db_index=False)
    sale = models.ForeignKey(Sale, null=True, blank=True, on_delete=models.PROTECT, related_name="entries", db_index=False)
    sale_return = models.ForeignKey(SaleReturn, null=True, blank=True, on_delete=models.PROTECT, related_name="entries",
                                    db_index=False)
    source_type = models.CharField(max_length=40, blank=True)
    source_id = models.CharField(max_length=64, blank=True)
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)
    branch = models.ForeignKey("organizations.Branch", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               db_index=False)
    terminal = models.ForeignKey("organizations.Terminal", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", db_index=False)
    staff_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    actor_label = models.CharField(max_length=200, blank=True)
    reason = models.TextField(blank=True)
    explanation = models.JSONField(default=dict, blank=True)
    occurred_at = models.DateTimeField()
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("points entry")
        verbose_name_plural = _("points entries")
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="entry_amount_gt_0"),
            models.CheckConstraint(condition=Q(sign__in=[1, -1]), name="entry_sign_pm1"),
            models.CheckConstraint(condition=~Q(kind__in=["earn", "buy"]) | Q(sign=1), name="entry_credit_kinds"),
            models.CheckConstraint(
                condition=~Q(kind__in=["redeem", "purchase", "expire"]) | Q(sign=-1), name="entry_debit_kinds"
            ),
            models.UniqueConstraint(
                fields=["organization", "idempotency_key"], name="uniq_entry_idempotency_key",
                condition=Q(idempotency_key__isnull=False),
            ),
        ]
        indexes = [
            # with id: a member's history page (newest first, then id) is read from the index alone
            # (ledger.selectors.entries_for); it replaced (account, occurred_at), so a sale writes
            # no more indexes than before
            models.Index(fields=["account", "occurred_at", "id"], name="entry_account_occurred_id_idx"),
            # the organization's entries by time (the points movement, the member points summary's
            # totals and balances after a period, redemptions by kind): index-only with the points
            # (docs/performance.md B7r)
            models.Index(fields=["organization", "occurred_at", "kind"], name="entry_org_occurred_idx",
                         include=["account", "sign", "amount"]),
            models.Index(fields=["sale"], name="entry_sale_idx", condition=Q(sale__isnull=False)),
            models.Index(fields=["sale_return"], name="entry_sale_return_idx", condition=Q(sale_return__isnull=False)),
            models.Index(fields=["reverses"], name="entry_reverses_idx", condition=Q(reverses__isnull=False)),
            models.Index(fields=["staff_user"], name="entry_staff_user_idx", condition=Q(staff_user__isnull=False)),
        ]

    @property
    def signed_amount(self) -> int:
        return self.sign * self.amount

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"


class Lot(TenantModel):
    """Points credited together, with their own expiry and optional pending-until."""

    # Every read of an organization's lots is of its open or pending ones (lot_expiry_idx,
    # lot_pending_idx), and no query reads lots by their entry: neither key has an index of its
    # own (docs/performance.md, "Indexes a sale writes").
    organization = organization_key(db_index=False)
    account = models.ForeignKey(PointAccount, on_delete=models.PROTECT, related_name="lots")
    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="lots", db_index=False)  # never read by it
    amount = models.BigIntegerField()
    remaining = models.BigIntegerField()
    earned_at = models.DateTimeField()
    expires_on = models.DateField(null=True, blank=True)
    pending_until = models.DateTimeField(null=True, blank=True)
    is_pending = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="lot_amount_gt_0"),
            models.CheckConstraint(
                condition=Q(remaining__gte=0) & Q(remaining__lte=models.F("amount")), name="lot_remaining_range"
            ),
        ]
        indexes = [
            models.Index(
                fields=["account", "expires_on", "id"], name="lot_open_idx", condition=Q(remaining__gt=0)
            ),
            # the open lots by expiry (the expiry job, the points liability): index-only with what
            # the liability sums (docs/performance.md B7r)
            models.Index(
                fields=["organization", "expires_on"], name="lot_open_expiry_idx", condition=Q(remaining__gt=0),
                include=["account", "remaining", "is_pending"],
            ),
            models.Index(
                fields=["organization", "pending_until"], name="lot_pending_idx", condition=Q(is_pending=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.remaining}/{self.amount} → {self.expires_on or '-'}"


class LotDraw(TenantModel):
    """How many points a debit entry (spend, expiry, reversal) took from one lot."""

    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="draws")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="draws")
    amount = models.BigIntegerField()

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="lot_draw_amount_gt_0")]

    def __str__(self) -> str:
        return f"{self.amount} from lot {self.lot_id}"
