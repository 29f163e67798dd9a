"""Two-step login for owners and administrators."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from sasom.core.errors import DomainError, Forbidden
from sasom.core.models import AuditEvent
from sasom.organizations import security
from sasom.organizations.models import Role

pytestmark = pytest.mark.django_db
PASSWORD = "pass-1234-word"


def code_for(device: TOTPDevice, *, offset_steps: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset_steps):06d}"


def test_owner_enrolls_an_authenticator(owner, system_actor):
    # given the owner starts the setup
    device = security.totp_enroll_begin(staff=owner, actor=system_actor)
    assert not device.confirmed
    # when they type the code their phone shows
    security.totp_enroll_confirm(staff=owner, actor=system_actor, token=code_for(device))
    # then the device is confirmed and the change is audited
    assert TOTPDevice.objects.get(user=owner.user).confirmed
    assert AuditEvent.objects.filter(action="staff.totp_enroll", object_id=str(owner.pk)).exists()


def test_a_wrong_code_confirms_nothing_and_is_counted(owner, system_actor):
    device = security.totp_enroll_begin(staff=owner, actor=system_actor)
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
    with pytest.raises(DomainError) as exc:
        security.totp_enroll_confirm(staff=owner, actor=system_actor, token=wrong)
    assert exc.value.code == security.TOTP_CODE_INVALID
    device.refresh_from_db()
    assert not device.confirmed
    assert device.throttling_failure_count == 1  # survives the refusal: guessing is throttled


def test_cashier_cannot_enroll(make_staff, system_actor):
    with pytest.raises(Forbidden) as exc:
        security.totp_enroll_begin(staff=make_staff(Role.CASHIER), actor=system_actor)
    assert exc.value.code == security.TOTP_ROLE_NOT_ALLOWED


def test_removal_needs_a_valid_code(admin, system_actor):
    device = security.totp_enroll_begin(staff=admin, actor=system_actor)
    security.totp_enroll_confirm(staff=admin, actor=system_actor, token=code_for(device))
    with pytest.raises(DomainError):
        security.totp_remove(staff=admin, actor=system_actor, token="000000" if code_for(device) != "000000" else "111111")
    assert TOTPDevice.objects.filter(user=admin.user, confirmed=True).exists()
    # a little later (after the throttling pause the wrong code caused), with the next step's code
    # (the code used to confirm cannot be replayed)
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    device.throttling_failure_timestamp -= dt.timedelta(seconds=10)
    device.tolerance = 2
    device.save()
    security.totp_remove(staff=admin, actor=system_actor, token=code_for(device, offset_steps=1))
    assert not TOTPDevice.objects.filter(user=admin.user).exists()
    assert AuditEvent.objects.filter(action="staff.totp_remove").exists()


@pytest.mark.parametrize("role", [Role.CASHIER, Role.AUDITOR, Role.MARKETING])
def test_security_page_is_refused_to_other_roles(staff_client, role):
    assert staff_client(role).get("/org/security/").status_code == 403


def test_security_page_shows_a_qr_code_during_setup(staff_client):
    client = staff_client(Role.ADMIN)
    assert client.get("/org/security/").status_code == 200
    client.post("/org/security/", {"action": "begin"})
    response = client.get("/org/security/")
    body = response.content.decode()
    assert "<svg" in body
    assert response.context["uri"].startswith("otpauth://totp/Sasom")
    assert response.context["secret"] in response.context["uri"]


def test_after_enrollment_a_new_login_asks_for_the_code_then_reaches_the_dashboard(make_staff):
    owner = make_staff(Role.OWNER, username="boss")
    # given the owner enrolled through the security page
    client = Client()
    assert client.post("/login/", {"username": "boss", "password": PASSWORD}).status_code == 302
    client.post("/org/security/", {"action": "begin"})
    device = TOTPDevice.objects.get(user=owner.user)
    response = client.post("/org/security/", {"action": "confirm", "token": code_for(device)})
    assert response.status_code == 302
    assert client.get("/").status_code == 200  # this session proved the code already
    # when they log in again in a new session
    fresh = Client()
    assert fresh.post("/login/", {"username": "boss", "password": PASSWORD}).status_code == 302
    response = fresh.get("/")
    # then they are sent to the code step
    assert response.status_code == 302
    assert response["Location"].startswith("/login/otp/")
    # and the next step's code takes them to the dashboard
    device.refresh_from_db()
    device.tolerance = 2
    device.save()
    response = fresh.post(
        "/login/otp/", {"otp_device": device.persistent_id, "otp_token": code_for(device, offset_steps=1), "next": "/"}
    )
    assert response.status_code == 302
    assert fresh.get("/").status_code == 200


def test_wrong_code_on_the_security_page_is_a_form_error(staff_client):
    client = staff_client(Role.OWNER)
    client.post("/org/security/", {"action": "begin"})
    response = client.post("/org/security/", {"action": "confirm", "token": "12ab"})
    assert response.status_code == 200
    assert response.context["form"].errors["token"]
    assert not TOTPDevice.objects.filter(confirmed=True).exists()
