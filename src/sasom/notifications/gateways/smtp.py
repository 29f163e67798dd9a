"""E-mail through the shop's SMTP server (Django's SMTP e-mail backend)."""

from __future__ import annotations

import smtplib
from email.utils import formataddr, make_msgid
from typing import Any

from django.core.mail import EmailMessage, get_connection
from django.utils.translation import gettext_lazy as _

from sasom.notifications.backends import DeliveryError, Outgoing
from sasom.notifications.models import Channel

from .base import (
    CHOICE,
    EMAIL,
    INT,
    SECRET,
    TEXT,
    TIMEOUT_SECONDS,
    Delivery,
    Gateway,
    Option,
    Settings,
)


class Smtp(Gateway):
    key = "smtp"
    label = _("SMTP server")
    channel = Channel.EMAIL
    options = (
        Option("host", _("Server"), TEXT, max_length=200),
        Option("port", _("Port"), INT, default=587),
        Option("security", _("Security"), CHOICE, default="starttls", choices=(
            ("starttls", _("STARTTLS (port 587)")), ("ssl", _("SSL/TLS (port 465)")), ("none", _("None (local relay only)")))),
        Option("username", _("User name"), TEXT, required=False, max_length=200),
        Option("password", _("Password"), SECRET, required=False, max_length=200),
        Option("from_email", _("From address"), EMAIL, max_length=254),
        Option("from_name", _("From name"), TEXT, required=False, max_length=100),
    )

    @staticmethod
    def connection(settings: Settings) -> tuple[Any, str]:
        """Django's SMTP backend for these settings, and the sender ("Name <address>")."""
        security = settings.get("security")
        connection = get_connection(
            "django.core.mail.backends.smtp.EmailBackend", host=settings.get("host"), port=int(settings.get("port")),
            username=settings.get("username") or None, password=settings.get("password") or None,
            use_tls=security == "starttls", use_ssl=security == "ssl", timeout=TIMEOUT_SECONDS, fail_silently=False,
        )
        sender = settings.get("from_email")
        if settings.get("from_name"):
            sender = formataddr((settings.get("from_name"), sender))
        return connection, sender

    def send(self, outgoing: Outgoing, settings: Settings) -> Delivery:
        connection, sender = self.connection(settings)
        subject = outgoing.subject or outgoing.body.split("\n", 1)[0][:78]
        message_id = make_msgid(idstring=f"sasom.{outgoing.message_id}",
                                domain=str(settings.get("from_email")).rpartition("@")[2] or "localhost")
        email = EmailMessage(subject=subject, body=outgoing.body, from_email=sender, to=[outgoing.recipient],
                             connection=connection, headers={"Message-ID": message_id})
        try:
            email.send()
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPAuthenticationError) as error:
            raise DeliveryError(f"SMTP refused: {error}", permanent=True) from None
        except (smtplib.SMTPException, OSError) as error:
            raise DeliveryError(f"SMTP: {error}") from None
        return Delivery(provider_ref=message_id[:100])

