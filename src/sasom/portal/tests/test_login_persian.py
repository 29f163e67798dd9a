"""The one-time login code SMS is written in the member's language of messages (Persian here),
else the organization's."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from sasom.portal.services import login_code_request

pytestmark = pytest.mark.django_db
PHONE = "+66812345678"  # the ``member`` fixture's


def _sent_body(outbox, org, capture, minutes_later=0):
    outbox.clear()
    with capture(execute=True):
        login_code_request(organization=org, phone=PHONE, ip=None,
                           now=timezone.now() + dt.timedelta(minutes=minutes_later))
    [sent] = outbox.to(PHONE)
    return sent.body


def test_a_persian_member_gets_the_login_code_in_persian(org, member, outbox, django_capture_on_commit_callbacks):
    member.language = "fa"
    member.save(update_fields=["language"])
    body = _sent_body(outbox, org, django_capture_on_commit_callbacks)
    assert body.startswith(f"{org.name}: کد ورود شما ")
    assert "هرگز آن را به کسی ندهید" in body


def test_a_member_without_a_language_gets_the_organizations(org, member, outbox, django_capture_on_commit_callbacks):
    assert member.language == ""
    body = _sent_body(outbox, org, django_capture_on_commit_callbacks)
    assert "کد ورود" not in body and "your login code" not in body  # Thai, the organization's language
    org.language = "fa"
    org.save(update_fields=["language"])
    body = _sent_body(outbox, org, django_capture_on_commit_callbacks, minutes_later=5)
    assert body.startswith(f"{org.name}: کد ورود شما ")
