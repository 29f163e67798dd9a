"""The opt-out link of marketing messages: ``{optout_link}`` in a broadcast's text becomes each
member's own address, ``/messaging/optout/<shop>/<member id>/<token>/``, the token an HMAC of
organization and member under the server's secret key (no table; a wrong one answers 404).

Opening the link only asks; pressing the button withdraws marketing consent (a ``Consent`` row,
channel "Web / portal"), so a mail scanner that follows links withdraws nothing. Pressing it again
changes nothing more."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from sasom.core.audit import Actor
from sasom.members.models import Consent, Member
from sasom.members.services import consent_record
from sasom.organizations.models import Organization

PLACEHOLDER = "optout_link"


def optout_token(organization_id: int, member_id: int) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), f"optout:{organization_id}:{member_id}".encode(), hashlib.sha256)
    return digest.hexdigest()[:24]


def optout_link(organization: Organization, member_id: int) -> str:
    return settings.PUBLIC_URL.rstrip("/") + reverse(
        "notifications:optout", args=[organization.code, member_id, optout_token(organization.pk, member_id)])


def optout_member(organization: Organization, member_id: int, token: str) -> Member | None:
    """The member the link names, or None when the token is wrong or the member gone."""
    if not hmac.compare_digest(optout_token(organization.pk, member_id), token or ""):
        return None
    return Member.objects.filter(organization=organization, pk=member_id, anonymized_at__isnull=True).first()


@transaction.atomic
def optout_apply(*, member: Member) -> bool:
    """Withdraw the member's marketing consent; False when it was already withdrawn."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    if not member.marketing_consent:
        return False
    consent_record(member=member, purpose=Consent.Purpose.MARKETING, granted=False, channel=Consent.Channel.WEB,
                   actor=Actor.system("opt-out link"))
    return True
