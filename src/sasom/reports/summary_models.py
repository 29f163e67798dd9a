"""The daily sales summary (issue 17, speed): one row per organization, local day, branch and
member (NULL for walk-in bills) with what the sales reports add up, net of returns and voids;
and one :class:`SummaryDay` per summarised (organization, day) saying when and how it was built,
so a read can tell whether the day's rows are still exact (``reports.summary``)."""

from __future__ import annotations

from django.db import models

from sasom.core.tenancy import organization_key


class DailyMemberSales(models.Model):
    """Counted bills (not voided, not wholly returned) of one member at one branch on one local
    day: bills, amount (net less returned net), points (earned less reversed), the bills that
    earned points (before returns, as the dashboard counts them), the first and last bill."""

    # every index leads with organization: no single-column one
    organization = organization_key(db_index=False)
    day = models.DateField()
    branch = models.ForeignKey("organizations.Branch", on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey("members.Member", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="+", db_index=False)
    bills = models.IntegerField()
    earning_bills = models.IntegerField(default=0)
    amount = models.DecimalField(max_digits=16, decimal_places=2)
    points = models.BigIntegerField()
    first_at = models.DateTimeField()
    last_at = models.DateTimeField()

    class Meta:
        constraints = [
            # NULLs are distinct in a unique key: walk-in rows are kept unique by the builder
            # (one GROUP BY branch, member per day), members' rows by the database too
            models.UniqueConstraint(fields=["organization", "day", "branch", "member"], name="uniq_daily_member_sales"),
        ]
        indexes = [
            # the period scan of every moved report (and the rebuild's delete) use the unique key;
            # the reports grouped by member read this one, covering (an index-only scan in member
            # order: a streamed GROUP BY member_id with no sort nor hash; docs/performance.md B7r)
            models.Index(fields=["organization", "member", "day"], name="daily_sales_member_idx",
                         include=["branch", "bills", "amount", "points", "first_at", "last_at"]),
            # deleting a member: Django's cascade looks its rows up by member_id alone (no organization),
            # which the index above cannot serve (docs/performance.md B7r, "member deletion")
            models.Index(fields=["member"], name="daily_sales_member_del_idx", condition=models.Q(member__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.branch_id} {self.member_id or '-'}"


class SummaryDay(models.Model):
    """A summarised (organization, local day): the zone its bounds were taken in, and the
    fingerprint of its sales when it was built (reads compare the newest ids with it)."""

    organization = organization_key(db_index=False)
    day = models.DateField()
    zone = models.CharField(max_length=64)
    built_at = models.DateTimeField()
    sale_mark = models.BigIntegerField(default=0)  # the organization's highest sale id at build
    return_mark = models.BigIntegerField(default=0)  # ... return id
    void_mark = models.BigIntegerField(default=0)  # ... audit event id (a void writes one)
    sales = models.IntegerField(default=0)  # the day's sales, returns and voided sales at build
    returns = models.IntegerField(default=0)
    voided = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "day"], name="uniq_summary_day")]

    def __str__(self) -> str:
        return f"{self.day} ({self.zone})"


class SummaryCatchUp(models.Model):
    """The summary days a report page could not build in its request, queued for the worker
    (``reports.summary_catchup``): one row per organization, so the pages of a big organization
    queue the task once while it is pending, not once per page view. ``first_on``..``last_on`` is
    the span to make exact (widened by the pages that read while it waits)."""

    organization = organization_key(db_index=False)  # the unique key leads with it
    first_on = models.DateField()
    last_on = models.DateField()
    queued_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization"], name="uniq_summary_catch_up")]

    def __str__(self) -> str:
        return f"{self.first_on}..{self.last_on} ({'done' if self.finished_at else 'queued'})"


class DailyLineSales(models.Model):
    """The members' counted sale lines of one local day at one branch, per member and item
    (docs/decisions/0012): ``kind`` "c" per category, "p" per product (SKU), "t" the member's
    bills whatever they bought (``item`` empty), so a distinct bill is counted once per row kind.
    Bills that had such a line, quantity (less returned) and amount (net less returned net); a
    line returned in full, a voided or wholly returned bill do not count. Built with the daily
    sales summary, for the same days (``reports.summary``), so one ``SummaryDay`` says both are exact."""

    CATEGORY, PRODUCT, BILL = "c", "p", "t"

    # derived rows, tens of millions at a million members: no foreign-key constraint in the database
    # (a build checked every row's three keys at its COMMIT: minutes), the relations kept for the
    # joins and for Django's cascade; the unique key below and the member's index for that cascade
    organization = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT, related_name="+",
                                     db_index=False, db_constraint=False)
    day = models.DateField()
    kind = models.CharField(max_length=1)
    branch = models.ForeignKey("organizations.Branch", on_delete=models.CASCADE, related_name="+", db_index=False,
                               db_constraint=False)
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+", db_index=False,
                               db_constraint=False)
    item = models.CharField(max_length=64, blank=True)
    bills = models.IntegerField()
    quantity = models.DecimalField(max_digits=16, decimal_places=3)
    amount = models.DecimalField(max_digits=16, decimal_places=2)
    # no column: the member's tier today (``tiers.MemberTier``, one row per member or none), so
    # the report segmented by tier joins it (``LEFT JOIN ... ON organization, member``, its unique
    # key) instead of a subquery per row
    member_tier = models.ForeignObject("tiers.MemberTier", on_delete=models.DO_NOTHING, related_name="+",
                                       from_fields=["organization", "member"], to_fields=["organization", "member"],
                                       null=True)

    class Meta:
        constraints = [
            # the report reads one kind over a period: the key leads with both
            models.UniqueConstraint(fields=["organization", "kind", "day", "branch", "member", "item"],
                                    name="uniq_daily_line_sales"),
        ]
        indexes = [models.Index(fields=["member"], name="daily_lines_member_idx")]  # a member's deletion (cascade)

    def __str__(self) -> str:
        return f"{self.day} {self.kind} {self.item} {self.member_id}"
