"""Branches and terminals: who sees them, who sets them up, and the audit trail of each change."""

from __future__ import annotations

import pytest

from sasom.core.errors import Conflict, DomainError
from sasom.core.models import AuditEvent
from sasom.organizations import services
from sasom.organizations.models import Branch, Role, Terminal
from sasom.testing.factories import BranchFactory, TerminalFactory

pytestmark = pytest.mark.django_db


def test_admin_opens_a_branch_and_gives_it_two_registers(org, system_actor):
    # given a chain opening its Chiang Mai shop
    # when the admin adds the branch and two POS registers
    branch = services.branch_create(organization=org, actor=system_actor, code="b3", name="สาขาเชียงใหม่")
    services.terminal_create(branch=branch, actor=system_actor, code="b3-t1", name="POS 1")
    services.terminal_create(branch=branch, actor=system_actor, code="B3-T2", name="Counter", kind=Terminal.Kind.COUNTER)
    # then codes are stored upper-case, and each step is in the audit trail with its values
    assert branch.code == "B3"
    assert list(branch.terminals.values_list("code", "kind")) == [("B3-T1", "pos"), ("B3-T2", "counter")]
    event = AuditEvent.objects.get(action="branch.create")
    assert event.changes["name"] == [None, "สาขาเชียงใหม่"]
    assert AuditEvent.objects.filter(action="terminal.create").count() == 2


def test_branch_codes_are_unique_within_the_organization_only(org, other_org, branch, system_actor):
    # given B1 exists in this organization
    # when another organization also opens a B1, that is fine
    services.branch_create(organization=other_org, actor=system_actor, code="B1", name="อื่น")
    # then a second B1 here is refused on the code field
    with pytest.raises(Conflict) as exc:
        services.branch_create(organization=org, actor=system_actor, code="b1", name="ซ้ำ")
    assert exc.value.code == services.BRANCH_CODE_TAKEN
    assert exc.value.field == "code"


def test_edit_records_only_what_changed(branch, system_actor):
    # when the branch gets a phone number
    services.branch_update(branch=branch, actor=system_actor, code="B1", name=branch.name, phone="02-123-4567")
    # then the audit diff names the phone alone
    event = AuditEvent.objects.get(action="branch.update")
    assert event.changes == {"phone": ["", "02-123-4567"]}


def test_an_inactive_branch_takes_no_new_terminal(branch, system_actor):
    # given the branch closed
    services.branch_set_active(branch=branch, actor=system_actor, is_active=False)
    # when someone adds a register there, it is refused
    with pytest.raises(DomainError) as exc:
        services.terminal_create(branch=Branch.objects.get(pk=branch.pk), actor=system_actor, code="X", name="X")
    assert exc.value.code == services.BRANCH_INACTIVE
    assert AuditEvent.objects.filter(action="branch.deactivate").exists()


def test_terminal_codes_are_unique_across_branches(branch, branch2, terminal, system_actor):
    with pytest.raises(Conflict) as exc:
        services.terminal_create(branch=branch2, actor=system_actor, code="B1-T1", name="dup")
    assert exc.value.code == services.TERMINAL_CODE_TAKEN


# --- screens ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.CASHIER, Role.SERVICE_COUNTER, Role.MARKETING])
def test_branch_list_is_refused_to_roles_without_branches_view(staff_client, role):
    assert staff_client(role).get("/org/branches/").status_code == 403


@pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN, Role.AUDITOR, Role.BRANCH_MANAGER])
def test_branch_list_opens_for_roles_with_branches_view(staff_client, role):
    assert staff_client(role).get("/org/branches/").status_code == 200


def test_branch_manager_sees_only_their_branches(staff_client, branch, branch2):
    # given a manager of B1 only
    client = staff_client(Role.BRANCH_MANAGER, branches=[branch])
    # when they open the list
    response = client.get("/org/branches/")
    # then B2 is not there, and B2's page does not exist for them
    assert [b.code for b in response.context["branches"]] == ["B1"]
    assert client.get(f"/org/branches/{branch2.pk}/").status_code == 404
    assert client.get(f"/org/branches/{branch.pk}/").status_code == 200


def test_branch_manager_may_look_but_not_set_up(staff_client, branch):
    client = staff_client(Role.BRANCH_MANAGER, branches=[branch])
    assert client.get("/org/branches/new/").status_code == 403
    assert client.post(f"/org/branches/{branch.pk}/active/", {"is_active": "0"}).status_code == 403
    assert client.get(f"/org/branches/{branch.pk}/terminals/new/").status_code == 403
    assert Branch.objects.get(pk=branch.pk).is_active


def test_branch_list_query_count_does_not_grow_with_branches(staff_client, org, django_assert_num_queries):
    # given ten branches with terminals
    client = staff_client(Role.ADMIN)
    for i in range(10):
        b = BranchFactory(organization=org, code=f"X{i}")
        TerminalFactory(branch=b, code=f"X{i}-T1")
    # then the list costs a fixed number of queries
    # session, user, staff, organization, OTP device, branches with their counts
    with django_assert_num_queries(6):
        response = client.get("/org/branches/")
    assert len(response.context["branches"]) == 11  # B1 and the ten new ones


def test_admin_adds_a_branch_and_a_terminal_through_the_screens(staff_client, org):
    client = staff_client(Role.ADMIN)
    # when the admin fills in the branch form
    response = client.post("/org/branches/new/", {"code": "B9", "name": "สาขาบางนา", "address": "", "phone": ""})
    branch = Branch.objects.get(organization=org, code="B9")
    assert response.status_code == 302
    # and a terminal for it
    response = client.post(f"/org/branches/{branch.pk}/terminals/new/", {"code": "B9-T1", "name": "POS", "kind": "pos"})
    assert response.status_code == 302
    terminal = Terminal.objects.get(code="B9-T1")
    # and edits the terminal into an integration
    response = client.post(
        f"/org/terminals/{terminal.pk}/edit/", {"code": "B9-ERP", "name": "ERP", "kind": "integration", "is_active": "on"}
    )
    assert response.status_code == 302
    terminal.refresh_from_db()
    assert (terminal.code, terminal.kind) == ("B9-ERP", "integration")
    # then the audit trail names the admin
    event = AuditEvent.objects.get(action="terminal.update")
    assert event.actor_label == client.staff.user.username
    assert event.changes["code"] == ["B9-T1", "B9-ERP"]


def test_duplicate_code_shows_on_the_form_not_as_an_error_page(staff_client, branch):
    response = staff_client(Role.ADMIN).post("/org/branches/new/", {"code": "B1", "name": "dup"})
    assert response.status_code == 200
    assert response.context["form"].errors["code"]


def test_branch_of_another_organization_is_not_found(staff_client, other_org):
    foreign = BranchFactory(organization=other_org, code="Z1")
    client = staff_client(Role.ADMIN)
    assert client.get(f"/org/branches/{foreign.pk}/").status_code == 404
    assert client.post(f"/org/branches/{foreign.pk}/active/", {"is_active": "0"}).status_code == 404
    foreign.refresh_from_db()
    assert foreign.is_active
