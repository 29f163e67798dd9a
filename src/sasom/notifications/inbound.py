"""What SMS gateways send back: delivery reports and members' replies.

Each organization has two addresses to give its SMS provider (shown on the SMS channel's screen):
``/messaging/sms/<org>/<token>/report/`` for delivery reports and ``.../inbound/`` for replies. The
token is an HMAC of the organization under the server's secret key, so it needs no table and a
wrong one answers 404. Providers differ in how they name things, so both accept a JSON object, a
JSON list of objects or a form, and look for the usual field names (:data:`REF_FIELDS`, …).

- A report finds the message by the gateway's reference and marks it delivered (with the time)
  or failed (with the provider's reason); a report for an unknown reference changes nothing.
- A reply whose text is one of the organization's opt-out words withdraws the member's marketing
  consent (a ``Consent`` row, channel "SMS reply"), the way Thai SMS marketing rules expect; any
  other reply is ignored. The answer never says whether the phone belongs to a member.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from sasom.core.audit import Actor
from sasom.members.models import Consent, Member
from sasom.members.services import consent_record
from sasom.members.validation import try_normalize_phone
from sasom.organizations.models import Organization

from .models import Channel, Message
from .rules import messaging_settings

REF_FIELDS = ("message_id", "msgid", "msg_id", "messageid", "id", "reference", "ref", "uuid")
STATUS_FIELDS = ("status", "state", "dlr_status", "stat")
REASON_FIELDS = ("reason", "error", "error_text", "description", "err")
PHONE_FIELDS = ("from", "msisdn", "sender", "phone", "mobile", "source")
TEXT_FIELDS = ("text", "message", "body", "content", "msg")
DELIVERED = frozenset({"delivered", "delivrd", "success", "successful", "sent_to_handset"})
FAILED = frozenset({"failed", "undelivered", "undeliv", "undeliverable", "rejected", "rejectd", "expired",
                    "error", "blocked"})


def inbound_token(organization_id: int) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), f"sms-inbound:{organization_id}".encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def token_valid(organization_id: int, token: str) -> bool:
    return hmac.compare_digest(inbound_token(organization_id), token or "")


def items_of(body: bytes, content_type: str, form: Mapping[str, Any]) -> list[dict[str, str]]:
    """The request's items, each a dict of lower-case field names to text."""
    raw: Any
    if "json" in (content_type or ""):
        try:
            raw = json.loads(body.decode("utf-8") or "null")
        except (UnicodeDecodeError, ValueError):
            return []
    else:
        raw = {k: form.get(k) for k in form}
    rows = raw if isinstance(raw, list) else [raw]
    return [{str(k).lower(): str(v) for k, v in row.items() if v is not None}
            for row in rows[:1000] if isinstance(row, dict)]


def _first(item: Mapping[str, str], names: tuple[str, ...]) -> str:
    for name in names:
        if item.get(name, "").strip():
            return item[name].strip()
    return ""


@transaction.atomic
def delivery_reports_apply(*, organization: Organization, items: list[dict[str, str]]) -> int:
    """Apply delivery reports; returns how many messages changed. One UPDATE for the delivered
    ones and one per failure reason, whatever the number of reports in the request."""
    delivered: set[str] = set()
    failed: dict[str, set[str]] = {}
    for item in items:
        ref, status = _first(item, REF_FIELDS)[:100], _first(item, STATUS_FIELDS).lower()
        if not ref:
            continue
        if status in DELIVERED:
            delivered.add(ref)
        elif status in FAILED:
            failed.setdefault(f"gateway: {_first(item, REASON_FIELDS) or status}"[:500], set()).add(ref)
    sms = Message.objects.filter(organization=organization, channel=Channel.SMS)
    changed = 0
    if delivered:
        changed += sms.filter(provider_ref__in=delivered, status=Message.Status.SENT).update(
            status=Message.Status.DELIVERED, delivered_at=timezone.now())
    for reason, refs in failed.items():
        changed += sms.filter(provider_ref__in=refs, status__in=(Message.Status.SENT, Message.Status.DELIVERED)).update(
            status=Message.Status.FAILED, error=reason, delivered_at=None)
    return changed


def _opt_out_words(organization_id: int) -> frozenset[str]:
    return frozenset(w.casefold() for w in messaging_settings(organization_id).opt_out_keywords.split())


@transaction.atomic
def sms_replies_apply(*, organization: Organization, items: list[dict[str, str]]) -> int:
    """Apply members' replies; returns how many withdrew their marketing consent."""
    words = _opt_out_words(organization.pk)
    withdrawn = 0
    for item in items:
        text = _first(item, TEXT_FIELDS).strip().casefold()
        if not text or text.split()[0] not in words:
            continue
        phone = try_normalize_phone(_first(item, PHONE_FIELDS), organization.phone_region or "TH")
        member = (Member.objects.select_for_update().filter(organization=organization, phone=phone).first()
                  if phone else None)
        if member is None or not member.marketing_consent:
            continue
        consent_record(member=member, purpose=Consent.Purpose.MARKETING, granted=False, channel=Consent.Channel.SMS,
                       actor=Actor.system("sms-reply"))
        withdrawn += 1
    return withdrawn
