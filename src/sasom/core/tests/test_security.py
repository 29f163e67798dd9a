"""Security properties of the back office as a whole: throttled logins, tenant isolation,
branch scope, CSRF, and a production configuration that passes Django's deployment checks."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import Client

from sasom.core.permissions import ensure_branch_in_scope
from sasom.organizations import selectors
from sasom.organizations.models import Branch, Role, Staff
from sasom.testing.factories import BranchFactory, StaffFactory, TerminalFactory

PASSWORD = "pass-1234-word"
ROOT = Path(__file__).resolve().parents[4]


# --- login throttling -------------------------------------------------------------------------


def _login(client: Client, username: str, password: str):
    return client.post("/login/", {"username": username, "password": password})


@pytest.mark.django_db
def test_five_wrong_passwords_lock_the_account(client, make_staff, settings):
    # given a cashier and someone guessing her password
    make_staff(Role.CASHIER, username="nid")
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(4):
        assert _login(client, "nid", "guess").status_code == 200
    # when the fifth guess fails
    response = _login(client, "nid", "guess")
    # then the account is locked: even the right password is refused, with the lock-out page
    assert response.status_code == 429
    response = _login(client, "nid", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_successful_login_resets_the_failure_count(client, make_staff):
    make_staff(Role.CASHIER, username="nid")
    # given four mistakes, then the right password
    for _ in range(4):
        _login(client, "nid", "guess")
    assert _login(client, "nid", PASSWORD).status_code == 302
    client.post("/logout/")
    # when she makes four more mistakes
    for _ in range(4):
        assert _login(client, "nid", "guess").status_code == 200
    # then she is not locked: the earlier four were forgotten
    assert _login(client, "nid", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_locking_one_username_leaves_the_others_alone(client, make_staff):
    make_staff(Role.CASHIER, username="nid")
    make_staff(Role.CASHIER, username="kaew")
    for _ in range(5):
        _login(client, "nid", "guess")
    assert _login(client, "kaew", PASSWORD).status_code == 302


# --- tenant isolation and branch scope --------------------------------------------------------


@pytest.fixture
def foreign(db, other_org):
    """Another organization's branch, terminal and staff member."""
    branch = BranchFactory(organization=other_org, code="B1", name="ร้านอื่น สาขา 1")
    return {
        "branch": branch,
        "terminal": TerminalFactory(branch=branch, code="OTHER-T1"),
        "staff": StaffFactory(organization=other_org, role=Role.ADMIN),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN, Role.AUDITOR])
def test_staff_of_one_organization_cannot_see_another_organizations_records(staff_client, foreign, role):
    client = staff_client(role)
    # lists do not show them
    assert "ร้านอื่น" not in client.get("/org/branches/").content.decode()
    assert foreign["staff"].user.username not in client.get("/org/staff/").content.decode()
    # and their pages do not exist
    for url in (
        f"/org/branches/{foreign['branch'].pk}/",
        f"/org/branches/{foreign['branch'].pk}/edit/",
        f"/org/terminals/{foreign['terminal'].pk}/edit/",
        f"/org/staff/{foreign['staff'].pk}/",
        f"/org/staff/{foreign['staff'].pk}/password/",
    ):
        assert client.get(url).status_code in (403, 404), url


@pytest.mark.django_db
def test_changes_aimed_at_another_organization_change_nothing(staff_client, foreign):
    client = staff_client(Role.OWNER)
    client.post(f"/org/branches/{foreign['branch'].pk}/active/", {"is_active": "0"})
    client.post(f"/org/staff/{foreign['staff'].pk}/active/", {"is_active": "0"})
    client.post(f"/org/staff/{foreign['staff'].pk}/", {"role": "auditor", "display_name": "x"})
    client.post(f"/org/branches/{foreign['branch'].pk}/terminals/new/", {"code": "X", "name": "X", "kind": "pos"})
    assert Branch.objects.get(pk=foreign["branch"].pk).is_active
    staff = Staff.objects.get(pk=foreign["staff"].pk)
    assert (staff.is_active, staff.role) == (True, Role.ADMIN)
    assert not foreign["branch"].terminals.filter(code="X").exists()


@pytest.mark.django_db
def test_branch_scoped_staff_act_only_in_their_branches(make_staff, branch, branch2, other_org):
    # given a B1 cashier and a B1 manager
    cashier = make_staff(Role.CASHIER, branches=[branch])
    manager = make_staff(Role.BRANCH_MANAGER, branches=[branch])
    b2_terminal = TerminalFactory(branch=branch2, code="B2-T1")
    # then B2 is outside their scope, and so is any branch of another organization
    for staff in (cashier, manager):
        ensure_branch_in_scope(staff, branch)
        with pytest.raises(PermissionDenied):
            ensure_branch_in_scope(staff, branch2)
        with pytest.raises(PermissionDenied):
            ensure_branch_in_scope(staff, BranchFactory(organization=other_org))
        assert list(selectors.branches_visible(staff)) == [branch]
        with pytest.raises(Http404):
            selectors.terminal_get(staff, b2_terminal.pk)
    # while an admin covers the whole organization
    admin = make_staff(Role.ADMIN)
    ensure_branch_in_scope(admin, branch2)
    assert selectors.terminal_get(admin, b2_terminal.pk) == b2_terminal


@pytest.mark.django_db
def test_branch_manager_cannot_open_another_branch(staff_client, branch, branch2):
    client = staff_client(Role.BRANCH_MANAGER, branches=[branch])
    assert client.get(f"/org/branches/{branch2.pk}/").status_code == 404


@pytest.mark.django_db
def test_a_deactivated_staff_members_open_session_stops_working(staff_client):
    client = staff_client(Role.ADMIN)
    Staff.objects.filter(pk=client.staff.pk).update(is_active=False)
    assert client.get("/org/branches/").status_code == 403


# --- CSRF -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_login_form_needs_its_csrf_token(make_staff):
    make_staff(Role.CASHIER, username="nid")
    client = Client(enforce_csrf_checks=True)
    # a forged post from another site carries no token: refused
    response = client.post("/login/", {"username": "nid", "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session
    # the real form carries one: accepted
    page = client.get("/login/")
    token = page.context["csrf_token"]
    response = client.post("/login/", {"username": "nid", "password": PASSWORD, "csrfmiddlewaretoken": str(token)})
    assert response.status_code == 302


@pytest.mark.django_db
def test_back_office_posts_need_the_csrf_token(make_staff, branch):
    admin = make_staff(Role.ADMIN)
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin.user, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(f"/org/branches/{branch.pk}/active/", {"is_active": "0"})
    assert response.status_code == 403
    assert Branch.objects.get(pk=branch.pk).is_active


# --- production configuration -----------------------------------------------------------------


def test_production_settings_pass_the_deployment_checks(tmp_path):
    # given the environment a production server runs with
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("SASOM_", "DJANGO_", "DATABASE_URL"))
    }
    env.update(
        SASOM_PRODUCTION="1",
        SASOM_SECRET_KEY=secrets.token_urlsafe(64),
        SASOM_ALLOWED_HOSTS="loyalty.example.com",
        SASOM_DATA_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="sasom.settings",
        PYTHONPATH=str(ROOT / "src"),
    )
    # when Django's deployment checks run
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "check", "--deploy", "--fail-level", "WARNING"],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    # then nothing is reported
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
