"""Staff accounts and roles: who may hand out which role, and where branch roles may act."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from sasom.core.errors import Conflict, DomainError, Forbidden
from sasom.core.models import AuditEvent
from sasom.core.permissions import GRANTS
from sasom.organizations import services
from sasom.organizations.models import Role, Staff
from sasom.testing.factories import BranchFactory, StaffFactory

pytestmark = pytest.mark.django_db
GOOD_PASSWORD = "Kh0ng-Waan-2569"


def test_admin_hires_a_cashier_for_the_silom_branch(org, admin, branch2, system_actor):
    # when the admin creates a cashier account for B2
    cashier = services.staff_create(
        organization=org, by=admin, actor=system_actor, username="nid", password=GOOD_PASSWORD,
        role=Role.CASHIER, display_name="น้องนิด", branch_ids=[branch2.pk],
    )
    # then she can log in with that password, works in B2, and the hiring is audited without the password
    assert cashier.user.check_password(GOOD_PASSWORD)
    assert list(cashier.branches.values_list("code", flat=True)) == ["B2"]
    event = AuditEvent.objects.get(action="staff.create")
    assert event.changes["role"] == [None, "cashier"]
    assert event.changes["branches"] == [None, ["B2"]]
    assert GOOD_PASSWORD not in str(event.changes)


def test_branch_roles_need_branches_and_org_wide_roles_refuse_them(org, admin, branch, system_actor):
    with pytest.raises(DomainError) as exc:
        services.staff_create(organization=org, by=admin, actor=system_actor, username="a", password=GOOD_PASSWORD, role=Role.CASHIER)
    assert exc.value.code == services.BRANCHES_REQUIRED
    with pytest.raises(DomainError) as exc:
        services.staff_create(
            organization=org, by=admin, actor=system_actor, username="b", password=GOOD_PASSWORD,
            role=Role.MARKETING, branch_ids=[branch.pk],
        )
    assert exc.value.code == services.BRANCHES_NOT_ALLOWED
    assert not get_user_model().objects.filter(username__in=["a", "b"]).exists()


def test_a_branch_of_another_organization_cannot_be_given(org, other_org, admin, system_actor):
    foreign = BranchFactory(organization=other_org, code="Z1")
    with pytest.raises(DomainError) as exc:
        services.staff_create(
            organization=org, by=admin, actor=system_actor, username="c", password=GOOD_PASSWORD,
            role=Role.CASHIER, branch_ids=[foreign.pk],
        )
    assert exc.value.code == services.BRANCH_NOT_FOUND


def test_weak_password_and_taken_username_are_refused(org, admin, system_actor):
    with pytest.raises(DomainError) as exc:
        services.staff_create(organization=org, by=admin, actor=system_actor, username="d", password="1234", role=Role.AUDITOR)
    assert (exc.value.code, exc.value.field) == (services.PASSWORD_WEAK, "password")
    with pytest.raises(Conflict) as exc:
        services.staff_create(organization=org, by=admin, actor=system_actor, username="ADMIN", password=GOOD_PASSWORD, role=Role.AUDITOR)
    assert exc.value.code == services.USERNAME_TAKEN


def test_only_an_owner_makes_owners(org, owner, admin, make_staff, system_actor):
    marketing = make_staff(Role.MARKETING)
    # an admin may neither create an owner nor raise someone to owner
    with pytest.raises(Forbidden) as exc:
        services.staff_create(organization=org, by=admin, actor=system_actor, username="e", password=GOOD_PASSWORD, role=Role.OWNER)
    assert exc.value.code == services.OWNER_ONLY
    with pytest.raises(Forbidden):
        services.staff_update(staff=marketing, by=admin, actor=system_actor, role=Role.OWNER, display_name="")
    # nor touch an owner's account
    with pytest.raises(Forbidden):
        services.staff_reset_password(staff=owner, by=admin, actor=system_actor, password=GOOD_PASSWORD)
    with pytest.raises(Forbidden):
        services.staff_set_active(staff=owner, by=admin, actor=system_actor, is_active=False)
    # the owner can
    services.staff_update(staff=marketing, by=owner, actor=system_actor, role=Role.OWNER, display_name="หุ้นส่วน")
    assert Staff.objects.get(pk=marketing.pk).role == Role.OWNER


def test_nobody_deactivates_themselves_or_changes_their_own_role(admin, system_actor):
    with pytest.raises(Forbidden) as exc:
        services.staff_set_active(staff=admin, by=admin, actor=system_actor, is_active=False)
    assert exc.value.code == services.SELF_DEACTIVATE
    with pytest.raises(Forbidden) as exc:
        services.staff_update(staff=admin, by=admin, actor=system_actor, role=Role.AUDITOR, display_name="")
    assert exc.value.code == services.SELF_ROLE_CHANGE
    assert Staff.objects.get(pk=admin.pk).is_active


def test_an_owner_steps_a_co_owner_down_to_admin(owner, make_staff, system_actor):
    co_owner = make_staff(Role.OWNER)
    services.staff_update(staff=co_owner, by=owner, actor=system_actor, role=Role.ADMIN, display_name="")
    # then the former co-owner, now an admin, can no longer touch the owner
    with pytest.raises(Forbidden):
        services.staff_set_active(staff=owner, by=Staff.objects.get(pk=co_owner.pk), actor=system_actor, is_active=False)


def test_deactivated_staff_cannot_log_in_and_can_be_brought_back(client, admin, make_staff, system_actor):
    cashier = make_staff(Role.CASHIER, username="somsri")
    login = {"username": "somsri", "password": "pass-1234-word"}
    services.staff_set_active(staff=cashier, by=admin, actor=system_actor, is_active=False)
    assert client.post("/login/", login).status_code == 200  # the form again, with an error
    services.staff_set_active(staff=cashier, by=admin, actor=system_actor, is_active=True)
    assert client.post("/login/", login).status_code == 302
    assert list(AuditEvent.objects.filter(object_id=str(cashier.pk)).values_list("action", flat=True)) == [
        "staff.reactivate", "staff.deactivate",
    ]


def test_staff_update_moves_a_cashier_and_records_the_diff(admin, make_staff, branch, branch2, system_actor):
    cashier = make_staff(Role.CASHIER, branches=[branch])
    services.staff_update(
        staff=cashier, by=admin, actor=system_actor, role=Role.BRANCH_MANAGER, display_name="", branch_ids=[branch.pk, branch2.pk]
    )
    event = AuditEvent.objects.get(action="staff.update")
    assert event.changes["role"] == ["cashier", "branch_manager"]
    assert event.changes["branches"] == [["B1"], ["B1", "B2"]]


# --- screens ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.CASHIER, Role.MARKETING, Role.BRANCH_MANAGER, Role.SERVICE_COUNTER])
def test_staff_list_is_refused_without_staff_view(staff_client, role):
    client = staff_client(role)
    assert client.get("/org/staff/").status_code == 403
    assert client.get("/org/roles/").status_code == 403


@pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN, Role.AUDITOR])
def test_staff_list_and_roles_open_with_staff_view(staff_client, role):
    client = staff_client(role)
    assert client.get("/org/staff/").status_code == 200
    assert client.get("/org/roles/").status_code == 200


def test_auditor_reads_staff_but_changes_nothing(staff_client, make_staff):
    client = staff_client(Role.AUDITOR)
    cashier = make_staff(Role.CASHIER)
    assert client.get(f"/org/staff/{cashier.pk}/").status_code == 200
    assert client.post(f"/org/staff/{cashier.pk}/", {"role": "admin"}).status_code == 403
    assert client.get("/org/staff/new/").status_code == 403
    assert client.post(f"/org/staff/{cashier.pk}/active/", {"is_active": "0"}).status_code == 403
    assert client.get(f"/org/staff/{cashier.pk}/password/").status_code == 403
    assert Staff.objects.get(pk=cashier.pk).is_active


def test_staff_list_query_count_is_fixed(staff_client, org, branch, django_assert_num_queries):
    client = staff_client(Role.ADMIN)
    for _ in range(12):
        StaffFactory(organization=org, role=Role.CASHIER, branches=[branch])
    # session, user, staff, organization, OTP device, count, page, branches
    with django_assert_num_queries(8):
        response = client.get("/org/staff/")
    assert len(response.context["page"].object_list) == 13


def test_admin_creates_a_cashier_through_the_screen(staff_client, branch):
    client = staff_client(Role.ADMIN)
    response = client.post(
        "/org/staff/new/",
        {"username": "kaew", "display_name": "แก้ว", "password": GOOD_PASSWORD, "role": "cashier", "branches": [branch.pk]},
    )
    assert response.status_code == 302
    assert Staff.objects.get(user__username="kaew").branches.get() == branch


def test_the_screen_explains_a_missing_branch_on_the_branches_field(staff_client):
    response = staff_client(Role.ADMIN).post(
        "/org/staff/new/", {"username": "kaew", "password": GOOD_PASSWORD, "role": "cashier"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["branches"]


def test_owner_role_is_not_offered_to_an_admin(staff_client):
    response = staff_client(Role.ADMIN).get("/org/staff/new/")
    assert "owner" not in [v for v, _label in response.context["form"].fields["role"].choices]
    # and posting it anyway is refused
    response = staff_client(Role.ADMIN).post(
        "/org/staff/new/", {"username": "boss", "password": GOOD_PASSWORD, "role": "owner"}
    )
    assert response.status_code == 200
    assert not Staff.objects.filter(user__username="boss").exists()


def test_admin_edits_deactivates_and_resets_a_password_on_the_screen(staff_client, make_staff, branch, branch2):
    client = staff_client(Role.ADMIN)
    cashier = make_staff(Role.CASHIER, branches=[branch])
    response = client.post(f"/org/staff/{cashier.pk}/", {"display_name": "ต้น", "role": "cashier", "branches": [branch2.pk]})
    assert response.status_code == 302
    response = client.post(f"/org/staff/{cashier.pk}/password/", {"password": GOOD_PASSWORD, "password2": GOOD_PASSWORD})
    assert response.status_code == 302
    client.post(f"/org/staff/{cashier.pk}/active/", {"is_active": "0"})
    cashier = Staff.objects.select_related("user").get(pk=cashier.pk)
    assert (cashier.display_name, cashier.is_active) == ("ต้น", False)
    assert list(cashier.branches.all()) == [branch2]
    assert cashier.user.check_password(GOOD_PASSWORD)


def test_self_deactivation_shows_a_message_and_changes_nothing(staff_client):
    client = staff_client(Role.ADMIN)
    response = client.post(f"/org/staff/{client.staff.pk}/active/", {"is_active": "0"}, follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert Staff.objects.get(pk=client.staff.pk).is_active


def test_roles_table_follows_the_grant_table(staff_client):
    response = staff_client(Role.ADMIN).get("/org/roles/")
    rows = {row.code: row.held for row in response.context["rows"]}
    roles = [v for v, _label in response.context["roles"]]
    assert set(rows) == set(GRANTS)
    for code, held in rows.items():
        assert {r for r, h in zip(roles, held, strict=True) if h} == set(GRANTS[code])


def test_staff_of_another_organization_is_not_found(staff_client, other_org):
    foreign = StaffFactory(organization=other_org, role=Role.CASHIER)
    client = staff_client(Role.ADMIN)
    assert client.get(f"/org/staff/{foreign.pk}/").status_code == 404
    assert client.post(f"/org/staff/{foreign.pk}/active/", {"is_active": "0"}).status_code == 404
    assert foreign.user.username not in client.get("/org/staff/").content.decode()


def test_admin_sees_an_owners_page_read_only(staff_client, owner):
    client = staff_client(Role.ADMIN)
    response = client.get(f"/org/staff/{owner.pk}/")
    assert response.status_code == 200
    assert not response.context["can_manage"]
    assert client.post(f"/org/staff/{owner.pk}/", {"role": "owner", "display_name": "x"}).status_code == 403
