"""The portal and the staff side never grant each other anything."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import get_resolver

from sasom.organizations.models import Role
from sasom.portal import urls as portal_urls
from sasom.portal.session import MEMBER_KEY

pytestmark = pytest.mark.django_db

OPEN_PAGES = {"login", "code", "resend", "logout"}


def test_every_portal_page_but_the_login_needs_a_member_session():
    # the back office's deny-by-default passes portal pages (they are public to staff auth) ...
    for pattern in portal_urls.urlpatterns:
        assert getattr(pattern.callback, "sasom_public", False), pattern.name
        # ... so each one that is not the login itself must check the member session
        if pattern.name not in OPEN_PAGES:
            assert getattr(pattern.callback, "portal_member_required", False), pattern.name
    assert "portal" in get_resolver().namespace_dict


@pytest.mark.parametrize("path", ["", "points/", "coupons/", "coupons/1/", "rewards/", "me/", "me/export/"])
def test_anonymous_and_staff_are_sent_to_the_portal_login(staff_client, org, path):
    for client in (Client(), staff_client(Role.OWNER)):
        response = client.get(f"/m/{org.code}/{path}")
        assert response.status_code == 302 and response["Location"] == f"/m/{org.code}/login/"


def test_member_session_opens_neither_the_back_office_nor_the_api(portal, member):
    client = portal.log_in(Client(), member)
    for path in ("/", "/members/", f"/members/{member.pk}/", f"/members/{member.pk}/export/",
                 f"/points/members/{member.pk}/", "/audit/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), path
    for path in (f"/api/v1/members/{member.code}", f"/api/v1/members/{member.code}/balance",
                 f"/api/v1/members/{member.code}/entries"):
        assert client.get(path).status_code == 401, path


def test_member_session_of_one_organization_is_not_valid_in_another(portal, member, other_org):
    client = portal.log_in(Client(), member)
    for path in ("", "points/", "me/export/"):
        response = client.get(f"/m/{other_org.code}/{path}")
        assert response.status_code == 302 and response["Location"] == f"/m/{other_org.code}/login/"


def test_staff_and_member_in_one_browser_stay_apart(portal, member, make_staff):
    # given a cashier who is also a member logs in to both in one browser
    staff = make_staff(Role.CASHIER)
    client = Client()
    client.force_login(staff.user, backend="django.contrib.auth.backends.ModelBackend")
    portal.log_in(client, member)
    assert client.get("/members/").status_code == 200
    assert client.get(portal.base).status_code == 200
    # when the member logs out of the portal
    client.post(f"{portal.base}logout/")
    # then the portal is closed and the staff login is left as it was
    assert MEMBER_KEY not in client.session
    assert client.get(portal.base).status_code == 302
    assert client.get("/members/").status_code == 200


def test_portal_forms_need_the_csrf_token(org, member):
    client = Client(enforce_csrf_checks=True)
    assert client.post(f"/m/{org.code}/login/", {"phone": member.phone}).status_code == 403
