"""ThaiBulkSMS API v2: ``POST /sms`` with HTTP basic auth (API key and secret), form fields
``msisdn``, ``message``, ``sender`` and ``force`` (``standard`` or ``corporate`` credit).

A 201 answer lists the numbers it accepted (``phone_number_list``: ``message_id``,
``used_credit``) and those it refused (``bad_phone_number_list``). The address is the setting
``NOTIFY_THAIBULKSMS_URL`` (tests point it at a fake on loopback)."""

from __future__ import annotations

import base64
import urllib.parse

from django.conf import settings as django_settings
from django.utils.translation import gettext_lazy as _

from sasom.notifications.backends import DeliveryError, Outgoing
from sasom.notifications.models import Channel

from .base import CHOICE, SECRET, TEXT, Delivery, Gateway, Option, Settings, http_post, msisdn


class ThaiBulkSms(Gateway):
    key = "thaibulksms"
    label = _("ThaiBulkSMS (API v2)")
    channel = Channel.SMS
    options = (
        Option("api_key", _("API key"), TEXT, max_length=100),
        Option("api_secret", _("API secret"), SECRET, max_length=100),
        Option("sender", _("Sender name"), TEXT, max_length=11,
               help=_("As approved by ThaiBulkSMS, up to 11 letters (e.g. SHOPNAME).")),
        Option("force", _("Credit type"), CHOICE, default="standard",
               choices=(("standard", _("Standard")), ("corporate", _("Corporate")))),
    )

    def send(self, outgoing: Outgoing, settings: Settings) -> Delivery:
        number = msisdn(outgoing.recipient, "local")
        form = {"msisdn": number, "message": outgoing.body, "sender": settings.get("sender"),
                "force": settings.get("force") or "standard"}
        token = base64.b64encode(f"{settings.get('api_key')}:{settings.get('api_secret')}".encode()).decode()
        answer = http_post(django_settings.NOTIFY_THAIBULKSMS_URL, data=urllib.parse.urlencode(form).encode(),
                           headers={"Authorization": f"Basic {token}", "Accept": "application/json",
                                    "Content-Type": "application/x-www-form-urlencoded"})
        data = answer.json() or {}
        accepted = data.get("phone_number_list") or []
        if not accepted:
            bad = data.get("bad_phone_number_list") or []
            reason = bad[0].get("message", "refused") if bad and isinstance(bad[0], dict) else "no number accepted"
            raise DeliveryError(f"ThaiBulkSMS refused the number: {reason}", permanent=True)
        first = accepted[0] if isinstance(accepted[0], dict) else {}
        used = first.get("used_credit")
        return Delivery(provider_ref=str(first.get("message_id", ""))[:100],
                        segments=int(used) if isinstance(used, int | float) else None)
