"""Logging in with phone + one-time code: the right code, wrong ones, expiry, limits, no enumeration."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.test import Client
from django.utils import timezone

from sasom.members.models import Member
from sasom.notifications.models import Message
from sasom.portal.models import LoginCode
from sasom.portal.session import MEMBER_KEY, ORGANIZATION_KEY, SEEN_KEY
from sasom.testing.factories import MemberFactory

from .conftest import PHONE_TYPED, last_code

pytestmark = pytest.mark.django_db


def test_right_code_logs_the_member_in_and_no_code_is_stored_in_clear(portal, member, outbox):
    # given a member's phone typed the Thai way
    client = Client()
    client.get(f"/m/{portal.org.code}/login/")
    key_before = client.session.session_key
    # when they ask for a code and type the one the SMS brought
    response = portal.ask_code(client)
    assert response.status_code == 302 and response["Location"].endswith("/login/code/")
    code = last_code(member.phone)
    response = portal.type_code(client, code)
    # then they are in, under a new session key, as that member of that organization
    assert response.status_code == 302 and response["Location"] == f"/m/{portal.org.code}/"
    assert client.session[MEMBER_KEY] == member.pk and client.session[ORGANIZATION_KEY] == portal.org.pk
    assert client.session.session_key != key_before
    assert "_auth_user_id" not in client.session
    # and the code is nowhere in the database in clear: the outbox body is masked, its sealed copy wiped
    message = Message.objects.get(recipient=member.phone)
    assert message.status == Message.Status.SENT and message.purpose == "portal_login"
    assert code not in message.body and "••••••" in message.body and message.sealed == ""
    row = LoginCode.objects.get(phone=member.phone)
    assert code not in (row.code_hash + row.salt) and len(row.code_hash) == 64 and row.used_at is not None
    # and the code works only once
    client.post(f"{portal.base}logout/")
    session = client.session
    session["portal.pending_code"] = row.pk
    session.save()
    assert portal.type_code(client, code).status_code == 200
    assert MEMBER_KEY not in client.session


def test_wrong_code_says_how_many_tries_are_left(portal, member):
    client = Client()
    portal.ask_code(client)
    response = portal.type_code(client, "000000" if last_code(member.phone) != "000000" else "111111")
    assert response.status_code == 200
    assert "4" in response.context["form"].errors["code"][0]
    assert MEMBER_KEY not in client.session


def test_expired_code_is_refused(portal, member):
    client = Client()
    portal.ask_code(client)
    code = last_code(member.phone)
    # when the member types it six minutes later
    LoginCode.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = portal.type_code(client, code)
    # then it is refused as expired
    assert response.status_code == 200
    assert MEMBER_KEY not in client.session
    assert response.context["form"].errors["code"]


def test_sixth_try_is_refused_even_with_the_right_code(portal, member):
    client = Client()
    portal.ask_code(client)
    code = last_code(member.phone)
    wrong = "000000" if code != "000000" else "111111"
    statuses = [portal.type_code(client, wrong).status_code for _ in range(5)]
    # then the fifth wrong try locks the code, and the right code no longer opens it
    assert statuses == [200, 200, 200, 200, 429]
    assert portal.type_code(client, code).status_code == 429
    assert MEMBER_KEY not in client.session
    assert LoginCode.objects.get().wrong_tries == 5


def test_resend_waits_sixty_seconds(portal, member, outbox):
    client = Client()
    portal.ask_code(client)
    # when a new code is asked for at once
    response = portal.ask_code(client)
    # then it is refused with the wait, and no second SMS goes out
    assert response.status_code == 429
    assert len(outbox.to(member.phone)) == 1
    # when a minute has passed
    LoginCode.objects.update(created_at=timezone.now() - dt.timedelta(seconds=61))
    with portal.capture(execute=True):
        response = client.post(f"/m/{portal.org.code}/login/resend/")
    # then a new code is sent and only the new one works
    assert response.status_code == 302
    assert len(outbox.to(member.phone)) == 2
    assert portal.type_code(client, last_code(member.phone)).status_code == 302


def test_hourly_cap_per_phone_and_per_address(portal, member, settings):
    client = Client()
    for _ in range(settings.PORTAL_CODES_PER_PHONE_HOUR):
        assert portal.ask_code(client).status_code == 302
        LoginCode.objects.update(created_at=timezone.now() - dt.timedelta(seconds=61))
    assert portal.ask_code(client).status_code == 429
    # and one address cannot ask for codes to many phones
    settings.PORTAL_CODES_PER_IP_HOUR = settings.PORTAL_CODES_PER_PHONE_HOUR
    response = portal.ask_code(Client(), "089-999-0000")
    assert response.status_code == 429


def test_unknown_phone_gets_the_same_answer_and_no_sms(portal, member, outbox):
    # given one phone of a member and one of nobody
    known, unknown = Client(), Client()
    # when both ask for a code
    r1 = portal.ask_code(known, PHONE_TYPED)
    r2 = portal.ask_code(unknown, "089-111-2222")
    # then both are sent to the same code page, which reads the same but for the masked number
    assert (r1.status_code, r1["Location"]) == (r2.status_code, r2["Location"])
    p1 = known.get(r1["Location"]).content.decode().replace("*******5678", "X")
    p2 = unknown.get(r2["Location"]).content.decode().replace("*******2222", "X")
    strip = lambda html: "\n".join(line for line in html.splitlines() if "csrfmiddlewaretoken" not in line)  # noqa: E731
    assert strip(p1) == strip(p2)
    # and only the member got an SMS; a guess for the unknown phone is refused like a wrong code
    assert len(outbox.outbox) == 1
    assert portal.type_code(unknown, "123456").status_code == 200
    # and the unknown phone has the same cooldown
    assert portal.ask_code(unknown, "089-111-2222").status_code == 429


@pytest.mark.parametrize("status", [Member.Status.SUSPENDED, Member.Status.CLOSED, Member.Status.ANONYMIZED])
def test_suspended_closed_or_anonymized_member_gets_no_code(portal, member, outbox, status):
    Member.objects.filter(pk=member.pk).update(status=status)
    client = Client()
    response = portal.ask_code(client)
    assert response.status_code == 302  # the same answer as anyone
    assert outbox.outbox == []
    assert LoginCode.objects.get().member is None


def test_member_suspended_after_login_is_logged_out(portal, member):
    client = portal.log_in(Client(), member)
    Member.objects.filter(pk=member.pk).update(status=Member.Status.SUSPENDED)
    response = client.get(portal.base)
    assert response.status_code == 302 and response["Location"] == f"{portal.base}login/"
    assert MEMBER_KEY not in client.session


def test_idle_session_ends_after_thirty_minutes(portal, member, settings):
    client = portal.log_in(Client(), member)
    assert client.get(portal.base).status_code == 200
    # when the member comes back after the idle time
    session = client.session
    session[SEEN_KEY] = int(time.time()) - settings.PORTAL_IDLE_SECONDS - 1
    session.save()
    response = client.get(portal.base)
    # then they are sent to the login, which says why
    assert response.status_code == 302 and response["Location"] == f"{portal.base}login/"
    assert MEMBER_KEY not in client.session
    page = client.get(response["Location"])
    assert page.context["expired"] is True


def test_activity_keeps_the_session(portal, member, settings):
    client = portal.log_in(Client(), member)
    session = client.session
    session[SEEN_KEY] = int(time.time()) - settings.PORTAL_IDLE_SECONDS + 120
    session.save()
    assert client.get(portal.base).status_code == 200
    assert client.session[SEEN_KEY] >= int(time.time()) - 5


def test_logout_ends_the_member_session(portal, member):
    client = portal.log_in(Client(), member)
    response = client.post(f"{portal.base}logout/")
    assert response.status_code == 302
    assert MEMBER_KEY not in client.session
    assert client.get(portal.base).status_code == 302
    # logout is a POST (a link cannot log a member out)
    assert client.get(f"{portal.base}logout/").status_code == 405


def test_invalid_phone_is_a_form_error(portal, member):
    response = portal.ask_code(Client(), "hello")
    assert response.status_code == 200
    assert response.context["form"].errors["phone"]
    assert not LoginCode.objects.exists()


def test_code_of_one_organization_does_not_open_another(portal, member, other_org):
    # given the same phone is a member in another organization too
    MemberFactory(organization=other_org, phone=member.phone, code="X1")
    client = Client()
    portal.ask_code(client)
    code = last_code(member.phone)
    # when the code is typed on the other organization's portal
    response = client.post(f"/m/{other_org.code}/login/code/", {"code": code})
    # then that portal has no pending code for this browser
    assert response.status_code == 302 and response["Location"] == f"/m/{other_org.code}/login/"
    assert MEMBER_KEY not in client.session


def test_unknown_organization_is_404(client, db):
    assert client.get("/m/no-such-shop/login/").status_code == 404
    assert client.get("/m/no-such-shop/").status_code == 404


def test_old_login_codes_are_purged(portal, member):
    portal.ask_code(Client())
    LoginCode.objects.update(created_at=timezone.now() - dt.timedelta(hours=25))
    portal.ask_code(Client(), "089-111-2222")
    from sasom.portal.services import login_codes_purge

    assert login_codes_purge() == 1
    assert list(LoginCode.objects.values_list("phone", flat=True)) == ["+66891112222"]


def test_the_login_codes_job_takes_the_date_it_runs_for(portal, member):
    import zoneinfo

    from sasom.core.jobs import job_run

    # given codes asked for at 10:00 on 1 and 2 March (Bangkok)
    bkk = zoneinfo.ZoneInfo("Asia/Bangkok")
    portal.ask_code(Client())
    portal.ask_code(Client(), "089-111-2222")
    first, second = LoginCode.objects.order_by("pk")
    LoginCode.objects.filter(pk=first.pk).update(created_at=dt.datetime(2026, 3, 1, 10, tzinfo=bkk))
    LoginCode.objects.filter(pk=second.pk).update(created_at=dt.datetime(2026, 3, 2, 10, tzinfo=bkk))
    # when the job runs for 3 March (kept: a day before its first instant) the older one goes
    assert job_run("login_codes_purge", on_date=dt.date(2026, 3, 3)).counts == {"deleted_codes": 1}
    assert list(LoginCode.objects.values_list("phone", flat=True)) == ["+66891112222"]
