"""DEBUG is off unless asked for (SASOM_DEBUG=1), the demo included; a failure answers a friendly
page (or the API's JSON) with a reference id that the log holds with the traceback (issue 13)."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys

import pytest
from django.test import Client
from django.urls import reverse

from sasom.core.audit import Actor
from sasom.integrations import auth
from sasom.integrations.services import api_key_create
from sasom.ledger import views as ledger_views
from sasom.members import api as members_api
from sasom.organizations.models import Role

pytestmark = pytest.mark.django_db


def _debug_with(env: dict[str, str]) -> str:
    clean = {k: v for k, v in os.environ.items() if k not in ("SASOM_DEBUG", "SASOM_PRODUCTION")}
    code = "import sasom.settings as s; print(s.DEBUG)"
    return subprocess.run([sys.executable, "-c", code], env={**clean, **env}, capture_output=True, text=True,
                          check=True).stdout.strip()


def test_debug_is_off_unless_asked_for():
    assert _debug_with({}) == "False"
    assert _debug_with({"SASOM_DEBUG": "1"}) == "True"


def _broken(**kwargs):
    raise RuntimeError("the disk is full")


def test_a_failing_page_is_friendly_and_its_reference_is_in_the_log(staff_client, member, monkeypatch, caplog):
    # given a back-office page whose service fails
    monkeypatch.setattr(ledger_views, "points_adjust", _broken)
    client = staff_client(Role.ADMIN)
    client.raise_request_exception = False
    # when it is used
    with caplog.at_level(logging.ERROR, logger="sasom.errors"):
        response = client.post(reverse("ledger:adjust", args=[member.pk]), {"points": "5", "reason": "x"})
    # then a friendly page with a reference id, no traceback, and the log has both
    page = response.content.decode()
    assert response.status_code == 500
    reference = re.search(r'id="error-reference">(E-[0-9A-F]{8})<', page).group(1)
    assert "Traceback" not in page and "the disk is full" not in page
    logged = [r for r in caplog.records if r.name == "sasom.errors"]
    assert reference in logged[0].getMessage() and logged[0].exc_info[1].args == ("the disk is full",)


def test_a_failing_api_call_gives_its_reference(member, monkeypatch, caplog, org, terminal):
    auth._cache.clear()
    issued = api_key_create(organization_id=org.id, label="k", actor=Actor.system(), terminal=terminal)
    monkeypatch.setattr(members_api, "member_lookup", lambda *a, **k: _broken())
    client = Client(HTTP_AUTHORIZATION=f"Bearer {issued.key}", raise_request_exception=False)
    with caplog.at_level(logging.ERROR, logger="sasom.errors"):
        response = client.get("/api/v1/members/lookup?phone=0812345678")
    assert response.status_code == 500
    reference = response.json()["reference"]
    assert any(reference in r.getMessage() for r in caplog.records if r.name == "sasom.errors")


def test_a_refused_or_missing_page_is_not_logged_as_a_server_error(staff_client, caplog):
    client = staff_client(Role.CASHIER)
    with caplog.at_level(logging.ERROR, logger="sasom.errors"):
        forbidden = client.get("/org/staff/")
        missing = client.get("/members/999999/")
    assert (forbidden.status_code, missing.status_code) == (403, 404)
    assert not [r for r in caplog.records if r.name == "sasom.errors"]
