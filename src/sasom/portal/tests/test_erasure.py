"""PDPA erasure reaches the portal's traces: the outbox and the login codes name the phone."""

from __future__ import annotations

import pytest
from django.test import Client

from sasom.core.audit import Actor
from sasom.members.services import member_anonymize
from sasom.notifications.models import Message
from sasom.portal.models import LoginCode

pytestmark = pytest.mark.django_db


def test_anonymizing_a_member_erases_the_phone_from_messages_and_login_codes(portal, member, org):
    # given Khun Somchai logged into the portal once: an SMS and a login code name his phone
    portal.log_in(Client(), member)
    phone = member.phone
    assert Message.objects.filter(organization=org, recipient=phone).count() == 1
    assert LoginCode.objects.filter(organization=org, phone=phone).count() == 1
    # and another customer's message, which must stay as it is
    other = Message.objects.create(organization=org, channel="sms", recipient="+66899999999", purpose="x", body="hi")

    # when he asks to be forgotten
    member_anonymize(member=member, actor=Actor.system(), reason="PDPA request")

    # then no message or login code names his phone any more; the message's record stays
    assert not Message.objects.filter(recipient=phone).exists()
    assert not LoginCode.objects.filter(phone=phone).exists()
    erased = Message.objects.exclude(pk=other.pk).get(organization=org)
    assert erased.recipient == "(erased)" and erased.body == "(erased)" and erased.sealed == ""
    other.refresh_from_db()
    assert other.recipient == "+66899999999" and other.body == "hi"
