"""Any SMS provider with an HTTP API: a configurable JSON or form POST.

The shop names the address, how the number is written, the field names for the number, the
text and the sender, constant extra fields, and how the request is authenticated: HTTP basic,
a header (``Authorization: Bearer …``, ``X-API-Key: …``) or a key inside the address
(``{key}`` in the URL, as Kavenegar and some other Persian gateways do). Any 2xx answer is a
success; ``ref_field`` names the answer's JSON field that holds the provider's message id
(dotted path, e.g. ``return.messageid``)."""

from __future__ import annotations

import base64
import json
import urllib.parse
from typing import Any

from django.utils.translation import gettext_lazy as _

from sasom.notifications.backends import Outgoing
from sasom.notifications.models import Channel

from .base import (
    CHOICE,
    JSON,
    SECRET,
    TEXT,
    URL,
    Delivery,
    Gateway,
    Option,
    Settings,
    http_post,
    msisdn,
)

NUMBER_STYLES = (("e164", _("+66812345678")), ("digits", _("66812345678")), ("local", _("0812345678")))


class HttpPost(Gateway):
    key = "http_post"
    label = _("Other SMS provider (HTTP POST)")
    channel = Channel.SMS
    options = (
        Option("url", _("Address"), URL, max_length=500,
               help=_("https://… ; with the key in the address, write {key} where it goes.")),
        Option("encoding", _("Body"), CHOICE, default="json", choices=(("json", _("JSON")), ("form", _("Form fields")))),
        Option("number_style", _("Number written as"), CHOICE, default="e164", choices=NUMBER_STYLES),
        Option("recipient_field", _("Field for the number"), TEXT, default="to", max_length=50),
        Option("message_field", _("Field for the text"), TEXT, default="message", max_length=50),
        Option("sender_field", _("Field for the sender"), TEXT, required=False, default="sender", max_length=50),
        Option("sender", _("Sender name"), TEXT, required=False, max_length=30),
        Option("extra", _("Constant fields (JSON object)"), JSON, required=False, default="", max_length=1000),
        Option("auth", _("Authentication"), CHOICE, default="header", choices=(
            ("none", _("None")), ("basic", _("HTTP basic")), ("header", _("A header")), ("url", _("Key in the address")))),
        Option("username", _("User name (basic)"), TEXT, required=False, max_length=100),
        Option("header_name", _("Header name"), TEXT, required=False, default="Authorization", max_length=60),
        Option("secret", _("Password, header value or key"), SECRET, required=False, max_length=500),
        Option("ref_field", _("Answer field with the message id"), TEXT, required=False, max_length=100),
    )

    def send(self, outgoing: Outgoing, settings: Settings) -> Delivery:
        fields: dict[str, Any] = dict(json.loads(settings.get("extra") or "{}"))
        fields[settings.get("recipient_field") or "to"] = msisdn(outgoing.recipient, settings.get("number_style") or "e164")
        fields[settings.get("message_field") or "message"] = outgoing.body
        if settings.get("sender_field") and settings.get("sender"):
            fields[settings.get("sender_field")] = settings.get("sender")
        url = settings.get("url")
        headers = {"Accept": "application/json"}
        auth, secret = settings.get("auth"), settings.get("secret")
        if auth == "basic":
            headers["Authorization"] = "Basic " + base64.b64encode(f"{settings.get('username')}:{secret}".encode()).decode()
        elif auth == "header":
            headers[settings.get("header_name") or "Authorization"] = secret
        elif auth == "url":
            url = url.replace("{key}", urllib.parse.quote(secret, safe=""))
        if settings.get("encoding") == "form":
            data = urllib.parse.urlencode(fields).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        else:
            data = json.dumps(fields, ensure_ascii=False).encode()
            headers["Content-Type"] = "application/json; charset=utf-8"
        answer = http_post(url, data=data, headers=headers)
        return Delivery(provider_ref=_dig(answer.json(), settings.get("ref_field")))


def _dig(data: Any, path: str) -> str:
    if not path:
        return ""
    for part in path.split("."):
        if isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        elif isinstance(data, dict):
            data = data.get(part)
        else:
            return ""
    return "" if data is None or isinstance(data, dict | list) else str(data)[:100]
