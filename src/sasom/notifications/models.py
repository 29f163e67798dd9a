"""The outbox: every message Sasom sends (SMS, e-mail, LINE), what became of it, never its secrets."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _

from sasom.core.tenancy import TenantModel


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")
    LINE = "line", _("LINE")


class MessageKind(models.TextChoices):
    """Transactional messages answer the member's own action or account and always go (when the
    channel is known); marketing ones need the member's marketing consent (PDPA), respect quiet
    hours and the daily cap."""

    TRANSACTIONAL = "transactional", _("Transactional")
    MARKETING = "marketing", _("Marketing")


class Message(TenantModel):
    """One message to one recipient.

    ``body`` is what may be kept: a one-time code or any other secret is masked in it. The clear
    text travels to the worker sealed in ``sealed`` (see :mod:`sasom.notifications.seal`) and is
    wiped once the message is sent or given up.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    recipient = models.CharField(_("recipient"), max_length=254)
    purpose = models.CharField(_("purpose"), max_length=40)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("message"))
    sealed = models.TextField(blank=True, default="")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.CharField(_("error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)  # the gateway's report
    member = models.ForeignKey("members.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(_("kind"), max_length=15, choices=MessageKind.choices, default=MessageKind.TRANSACTIONAL)
    # "<event>:<source>" for a message caused by an event or a date: one per event and channel.
    event_key = models.CharField(max_length=80, blank=True, default="")
    broadcast = models.ForeignKey("notifications.Broadcast", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="messages")
    # Quiet hours: queued, delivered from this time on.
    not_before = models.DateTimeField(_("not before"), null=True, blank=True)
    # What the gateway said: which one carried it, its reference, the SMS parts billed and their cost.
    gateway = models.CharField(_("gateway"), max_length=30, blank=True)
    provider_ref = models.CharField(_("gateway reference"), max_length=100, blank=True)
    segments = models.PositiveSmallIntegerField(_("SMS parts"), default=0)
    cost = models.DecimalField(_("cost"), max_digits=10, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "event_key", "channel"], condition=~models.Q(event_key=""),
                                    name="uniq_message_event"),
        ]
        indexes = [
            models.Index(fields=["organization", "member", "created_at"], name="message_member_idx"),
            models.Index(fields=["organization", "-created_at"], name="message_recent_idx"),
            models.Index(fields=["status", "created_at"], name="message_status_idx"),
            models.Index(fields=["organization", "provider_ref"], name="message_provider_ref_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.purpose} #{self.pk}"


class ChannelConfig(TenantModel):
    """An organization's gateway for one channel. ``options`` are plain settings; the secrets
    (passwords, API secrets, LINE tokens) are one JSON object sealed in ``sealed_secrets``
    (:mod:`sasom.notifications.seal`) and never shown again. A channel with no active
    configuration goes through ``NOTIFY_BACKEND`` (console in the demo, memory in tests)."""

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    gateway = models.CharField(_("gateway"), max_length=30)
    is_active = models.BooleanField(_("in use"), default=True)
    options = models.JSONField(default=dict, blank=True)
    sealed_secrets = models.TextField(blank=True, default="")
    cost_per_segment = models.DecimalField(
        _("cost per message part"), max_digits=8, decimal_places=2, default=0,
        help_text=_("What the gateway charges for one SMS part (or one message on other channels)."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("channel gateway")
        verbose_name_plural = _("channel gateways")
        constraints = [models.UniqueConstraint(fields=["organization", "channel"], name="uniq_channel_config")]

    def __str__(self) -> str:
        return f"{self.channel}: {self.gateway}"


class LineLink(TenantModel):
    """A member's LINE user id for this organization's LINE Official Account (linked from the
    portal); ``following`` turns false when the member blocks the account (webhook unfollow)."""

    member = models.OneToOneField("members.Member", on_delete=models.CASCADE, related_name="line_link")
    line_user_id = models.CharField(_("LINE user id"), max_length=64)
    following = models.BooleanField(_("following"), default=True)
    linked_at = models.DateTimeField(_("linked at"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("LINE link")
        verbose_name_plural = _("LINE links")
        constraints = [
            models.UniqueConstraint(fields=["organization", "line_user_id"], name="uniq_line_user"),
            models.UniqueConstraint(fields=["organization", "member"], name="uniq_line_member"),
        ]

    def __str__(self) -> str:
        return f"LINE link of member #{self.member_id}"


class LineLinkCode(TenantModel):
    """A short-lived code the portal shows; the member sends it to the shop's LINE account, and
    the webhook links the sender's user id to the member. Kept as a keyed hash only."""

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "code_hash"], name="uniq_line_link_code")]
        indexes = [models.Index(fields=["organization", "member"], name="line_code_member_idx")]

    def __str__(self) -> str:
        return f"LINE link code #{self.pk}"


class EventMessage(TenantModel):
    """A message sent when something happens to a member (``event``, see
    :data:`sasom.notifications.events.EVENTS`), per channel, with its Thai and English text."""

    event = models.CharField(_("event"), max_length=30)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    is_active = models.BooleanField(_("on"), default=False)
    subject_th = models.CharField(_("subject (Thai)"), max_length=200, blank=True)
    subject_en = models.CharField(_("subject (English)"), max_length=200, blank=True)
    body_th = models.TextField(_("text (Thai)"), blank=True)
    body_en = models.TextField(_("text (English)"), blank=True)
    days_before = models.PositiveSmallIntegerField(_("days before"), default=30)
    date_field = models.CharField(_("date field"), max_length=40, blank=True)  # a CustomField key (custom_date)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("event message")
        verbose_name_plural = _("event messages")
        constraints = [models.UniqueConstraint(fields=["organization", "event", "channel"], name="uniq_event_message")]

    def __str__(self) -> str:
        return f"{self.event} by {self.channel}"


class MessagingSettings(TenantModel):
    """Quiet hours (in the organization's time zone) and the daily cap of marketing messages."""

    quiet_from = models.TimeField(_("quiet from"), default=dt.time(21, 0))
    quiet_until = models.TimeField(_("quiet until"), default=dt.time(8, 0))
    marketing_daily_cap = models.PositiveSmallIntegerField(
        _("marketing messages per member per day"), default=2, help_text=_("0: no limit."))
    opt_out_keywords = models.CharField(
        _("opt-out words"), max_length=200, default="STOP ยกเลิก หยุด",
        help_text=_("A member who texts one of these words back withdraws marketing consent."))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization"], name="uniq_messaging_settings")]

    def __str__(self) -> str:
        return f"messaging settings of {self.organization_id}"


class Broadcast(TenantModel):
    """One message to the members a segment selects (``conditions``, :mod:`sasom.segments`),
    sent by the worker in batches of ``NOTIFY_BROADCAST_PER_MINUTE``; marketing, so only to
    members with consent, within the daily cap, outside quiet hours."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        SENDING = "sending", _("Sending")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    name = models.CharField(_("name"), max_length=100)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body_th = models.TextField(_("text (Thai)"), blank=True)
    body_en = models.TextField(_("text (English)"), blank=True)
    conditions = models.JSONField(default=list, blank=True)
    # the page picked for the message's {news_link} (a portal news item: .links), as it was then
    link_title = models.CharField(_("linked page"), max_length=200, blank=True)
    link_url = models.CharField(max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    scheduled_at = models.DateTimeField(_("send at"))
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    selected = models.PositiveIntegerField(_("members selected"), default=0)
    processed = models.PositiveIntegerField(_("members processed"), default=0)
    cursor = models.BigIntegerField(default=0)  # the last member id processed
    created_by = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("broadcast")
        verbose_name_plural = _("broadcasts")
        ordering = ["-scheduled_at", "-id"]
        indexes = [models.Index(fields=["status", "scheduled_at"], name="broadcast_due_idx")]

    def __str__(self) -> str:
        return self.name
