"""One-time login codes of the member portal, and the news it shows members."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from sasom.core.tenancy import TenantModel


class LoginCode(TenantModel):
    """A code asked for by someone typing ``phone``.

    A row is written for every request, also when the phone belongs to no member (or to one who
    may not log in): then ``member`` is empty, ``code_hash`` is empty and nothing is sent, but the
    row counts for the resend cooldown and the hourly caps exactly like any other, so the answer
    never tells whether a phone is a member's. The code itself is stored only as an HMAC.
    """

    phone = models.CharField(max_length=20)
    member = models.ForeignKey("members.Member", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    salt = models.CharField(max_length=32)
    code_hash = models.CharField(max_length=64, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    wrong_tries = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["organization", "phone", "created_at"], name="login_code_phone_idx"),
            models.Index(fields=["ip", "created_at"], name="login_code_ip_idx"),
        ]

    def __str__(self) -> str:
        return f"login code #{self.pk}"


class News(TenantModel):
    """A piece of news or a campaign the shop shows members in the portal, with its own picture;
    for every member, or only some member types or tiers and the members a segment selects;
    between two dates (both included)."""

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), max_length=2000, blank=True)
    image = models.FileField(_("picture"), upload_to="news/", blank=True)  # re-encoded by core.uploads.picture_prepared
    link = models.URLField(_("link"), blank=True)
    starts_on = models.DateField(_("shown from"))
    ends_on = models.DateField(_("shown until"), null=True, blank=True)
    member_types = models.JSONField(default=list, blank=True)  # member type codes; empty: every member
    tiers = models.JSONField(default=list, blank=True)  # tier codes; empty: every tier
    # a segment (sasom.segments, cleaned when saved); empty: no further condition
    conditions = models.JSONField(default=list, blank=True)
    is_published = models.BooleanField(_("published"), default=False)
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("news")
        ordering = ["sort_order", "-starts_on", "-pk"]
        indexes = [models.Index(fields=["organization", "is_published", "starts_on"], name="news_shown_idx")]
        constraints = [models.CheckConstraint(condition=models.Q(ends_on__isnull=True)
                                              | models.Q(ends_on__gte=models.F("starts_on")), name="news_ends_after_start")]

    def __str__(self) -> str:
        return self.title
