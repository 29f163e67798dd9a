"""Deny by default: every back-office URL refuses anonymous users and roles without the grant."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from sasom.core.permissions import GRANTS, role_has
from sasom.organizations.models import Role


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
            yield from _walk(p.url_patterns, ns)
        elif isinstance(p, URLPattern):
            yield prefix, p


def backoffice_views():
    for prefix, pattern in _walk(get_resolver().url_patterns):
        if prefix.startswith(("admin:", "api:")) or not prefix:
            continue
        yield f"{prefix}{pattern.name}", pattern.callback


def test_every_backoffice_view_is_public_or_names_its_permissions():
    # given every URL the back office serves
    # then each one either says it is public or names permissions that exist in the grant table
    for name, view in backoffice_views():
        perms = getattr(view, "sasom_permissions", None)
        public = getattr(view, "sasom_public", False)
        assert public or perms, f"{name} has neither @require_perm nor @public_view"
        for perm in perms or ():
            assert perm in GRANTS, f"{name} names unknown permission {perm}"


def test_auditor_holds_no_write_permission():
    writes = [p for p in GRANTS if not p.endswith((".view", ".export"))]
    assert writes
    assert not [p for p in writes if role_has(Role.AUDITOR, p)]


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.django_db
def test_user_without_staff_profile_is_refused(client, django_user_model):
    user = django_user_model.objects.create_user("nobody", password="x-very-long-pass")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/").status_code == 403


@pytest.mark.django_db
def test_audit_trail_is_refused_to_cashier_and_open_to_auditor(staff_client):
    assert staff_client(Role.CASHIER).get("/audit/").status_code == 403
    assert staff_client(Role.AUDITOR).get("/audit/").status_code == 200


@pytest.mark.django_db
def test_login_is_throttled_after_repeated_failures(client, make_staff, settings):
    # given a staff member
    staff = make_staff(Role.CASHIER, username="somchai")
    # when someone tries wrong passwords past the limit
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": "somchai", "password": "wrong"})
    # then even the right password is refused for now
    response = client.post("/login/", {"username": "somchai", "password": "pass-1234-word"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert staff.user.username == "somchai"


@pytest.mark.django_db
def test_api_docs_load_no_script_from_another_host(client):
    # shops go offline: the API docs page must use our own static files
    html = client.get("/api/v1/docs").content.decode()
    assert "swagger-ui-bundle.js" in html
    assert "cdn." not in html and "https://" not in html.split("<body")[0]
