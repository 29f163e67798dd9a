"""A back-office form that creates or spends runs once per display (``core.forms_once``): a
second POST of the same form (double click, refresh, back and resend) changes nothing and goes
where the first went; every such form carries the token."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

from sasom.core.forms_once import FIELD
from sasom.core.models import FormSubmission
from sasom.ledger import views as ledger_views
from sasom.ledger.models import Entry
from sasom.organizations.models import Role

pytestmark = pytest.mark.django_db

TOKEN = re.compile(rf'name="{FIELD}" value="([^"]+)"')


def test_the_same_form_sent_twice_adjusts_points_once(staff_client, member):
    # given the points adjustment form, shown once
    client = staff_client(Role.ADMIN)
    url = reverse("ledger:adjust", args=[member.pk])
    token = TOKEN.search(client.get(url).content.decode()).group(1)
    form = {"points": "50", "reason": "goodwill", FIELD: token}

    # when it is sent twice (a double click, or the browser's "resend")
    first = client.post(url, form)
    second = client.post(url, form)

    # then one adjustment, and the second answer goes where the first went
    assert Entry.objects.filter(kind="adjust").count() == 1
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"]
    page = client.get(second["Location"]).content.decode()
    assert "already sent" in page or "ส่งไปแล้ว" in page


def test_a_form_shown_again_carries_a_new_token(staff_client, member):
    client = staff_client(Role.ADMIN)
    url = reverse("ledger:adjust", args=[member.pk])
    tokens = {TOKEN.search(client.get(url).content.decode()).group(1) for _ in range(3)}
    assert len(tokens) == 3


def test_a_form_refused_by_its_checks_can_be_corrected_and_sent(staff_client, member):
    # given a form sent with an error (zero points) and shown again
    client = staff_client(Role.ADMIN)
    url = reverse("ledger:adjust", args=[member.pk])
    token = TOKEN.search(client.get(url).content.decode()).group(1)
    again = client.post(url, {"points": "0", "reason": "x", FIELD: token})
    assert again.status_code == 200
    # when it is corrected and sent with the token it now carries
    fresh = TOKEN.search(again.content.decode()).group(1)
    done = client.post(url, {"points": "5", "reason": "x", FIELD: fresh})
    # then it runs
    assert done.status_code == 302 and Entry.objects.filter(kind="adjust").count() == 1


def test_a_view_that_fails_gives_its_token_back(staff_client, member, monkeypatch):
    client = staff_client(Role.ADMIN)
    client.raise_request_exception = False
    url = reverse("ledger:adjust", args=[member.pk])

    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(ledger_views, "points_adjust", broken)
    assert client.post(url, {"points": "5", "reason": "x", FIELD: "t-1"}).status_code == 500
    assert not FormSubmission.objects.filter(token="t-1").exists()


# Forms that may be sent again as they are: previews, mailing labels (a PDF, printed again on
# purpose) and the authenticator set-up, whose answers do not create or spend. The cashier's sale screens have their own change.
NOT_ONCE = {
    "earning/templates/earning/preview.html", "members/templates/members/lifecycle.html",
    "organizations/templates/organizations/security.html", "notifications/templates/notifications/labels.html",
}


def test_every_back_office_post_form_carries_a_token():
    root = Path(__file__).resolve().parents[2]
    missing = []
    for path in sorted(root.glob("*/templates/**/*.html")):
        rel = path.relative_to(root).as_posix()
        if rel.startswith(("core/", "portal/", "checkout/")) or rel in NOT_ONCE:
            continue
        for form in re.findall(r"<form[^>]*>", path.read_text()):
            if re.search(r'method="post"', form, re.I):
                after = path.read_text().split(form, 1)[1][:200]
                if "{% form_token %}" not in after:
                    missing.append(rel)
    assert not missing, missing
