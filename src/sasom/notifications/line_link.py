"""Linking a member to their LINE user id, and LINE's webhook.

The portal shows a logged-in member a short code (:func:`line_link_code_issue`, kept as a keyed
hash, good for ``NOTIFY_LINE_LINK_MINUTES``). The member adds the shop's LINE Official Account
and sends it the code; LINE posts the message to the webhook, whose signature
(``X-Line-Signature``: HMAC-SHA256 of the body under the channel secret) is verified first
(:func:`line_webhook_handle`). The sender's user id is then linked to the member (one member per
LINE user and organization). ``follow`` and ``unfollow`` events turn ``following`` on and off:
a member who blocked the account is not sent LINE messages.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from linebot.v3 import WebhookParser
from linebot.v3.exceptions import InvalidSignatureError
from linebot.v3.webhooks import FollowEvent, MessageEvent, TextMessageContent, UnfollowEvent

from sasom.core.audit import Actor, audit_record
from sasom.core.errors import DomainError, NotFound
from sasom.members.models import Member
from sasom.organizations.models import Organization

from .channels import channel_settings
from .errors import E_LINE_NOT_CONFIGURED, E_LINE_SIGNATURE
from .message_language import member_language
from .models import Channel, ChannelConfig, LineLink, LineLinkCode
from .services import message_send

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
CODE_LENGTH = 8
PURPOSE_LINKED = "line_linked"


def _code_hash(organization_id: int, code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"line-link:{organization_id}:{code}".encode(),
                    hashlib.sha256).hexdigest()


def _normalized(text: str) -> str:
    return "".join(c for c in (text or "").upper() if c.isalnum())


def line_link_code_issue(*, member: Member, now: dt.datetime | None = None) -> tuple[str, dt.datetime]:
    """A new code for ``member`` (the older ones stop working) and when it expires."""
    now = now or timezone.now()
    expires_at = now + dt.timedelta(minutes=settings.NOTIFY_LINE_LINK_MINUTES)
    for _attempt in range(5):
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        try:
            with transaction.atomic():
                LineLinkCode.objects.filter(organization_id=member.organization_id, member=member,
                                            used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
                LineLinkCode.objects.create(organization_id=member.organization_id, member=member,
                                            code_hash=_code_hash(member.organization_id, code),
                                            created_at=now, expires_at=expires_at)
        except IntegrityError:  # the same code drawn twice (one chance in 32^8): draw again
            continue
        return code, expires_at
    raise RuntimeError("could not draw a free LINE link code")


@transaction.atomic
def line_unlink(*, member: Member, actor: Actor) -> bool:
    deleted, _rows = LineLink.objects.filter(organization_id=member.organization_id, member=member).delete()
    if deleted:
        audit_record(organization_id=member.organization_id, actor=actor, action="notify.line_unlink", obj=member)
    return bool(deleted)


def _link(organization: Organization, user_id: str, text: str, now: dt.datetime) -> bool:
    code = _normalized(text)
    if len(code) != CODE_LENGTH:
        return False
    row = LineLinkCode.objects.select_for_update().filter(
        organization=organization, code_hash=_code_hash(organization.pk, code), used_at__isnull=True,
        expires_at__gt=now).select_related("member").first()
    if row is None:
        return False
    row.used_at = now
    row.save(update_fields=["used_at"])
    # a LINE user links one member: moving it from another member of the shop
    LineLink.objects.filter(organization=organization, line_user_id=user_id).exclude(member=row.member).delete()
    LineLink.objects.update_or_create(organization=organization, member=row.member, defaults={
        "line_user_id": user_id, "following": True, "linked_at": now})
    audit_record(organization_id=organization.pk, actor=Actor.system("line-webhook"), action="notify.line_link",
                 obj=row.member)
    with translation.override(member_language(organization, row.member)):
        body = _("%(shop)s: your LINE is now linked to your membership %(code)s.") % {
            "shop": organization.name, "code": row.member.code}
    message_send(organization_id=organization.pk, channel=Channel.LINE, recipient=user_id, purpose=PURPOSE_LINKED,
                 body=body)
    return True


@transaction.atomic
def line_webhook_handle(*, organization: Organization, body: str, signature: str, now: dt.datetime | None = None) -> int:
    """Verify and act on one webhook delivery; returns how many events changed something."""
    now = now or timezone.now()
    config = ChannelConfig.objects.filter(organization=organization, channel=Channel.LINE, gateway="line").first()
    if config is None:
        raise NotFound(E_LINE_NOT_CONFIGURED, _("LINE is not set up for this shop."))
    _gateway, line_settings = channel_settings(config)
    channel_secret = line_settings.get("channel_secret")
    if not channel_secret:
        raise NotFound(E_LINE_NOT_CONFIGURED, _("LINE is not set up for this shop."))
    try:
        events = WebhookParser(channel_secret).parse(body, signature or "")
    except (InvalidSignatureError, ValueError):
        raise DomainError(E_LINE_SIGNATURE, "Invalid signature.", field="X-Line-Signature", status=400) from None
    changed = 0
    for event in events if isinstance(events, list) else []:
        user_id = getattr(getattr(event, "source", None), "user_id", None)
        if not user_id:
            continue
        links = LineLink.objects.filter(organization=organization, line_user_id=user_id)
        if isinstance(event, FollowEvent):
            changed += links.update(following=True)
        elif isinstance(event, UnfollowEvent):
            changed += links.update(following=False)
        elif isinstance(event, MessageEvent) and isinstance(event.message, TextMessageContent):
            changed += int(_link(organization, user_id, event.message.text, now))
    return changed

