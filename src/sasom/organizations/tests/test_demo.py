"""``sasom demo``: one command gives a shop to click through, and running it twice is harmless."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from sasom.demo import DEMO_CODE, DEMO_PASSWORD, DEMO_SECTIONS
from sasom.members.models import Member, MemberType
from sasom.organizations.models import Branch, Organization, Role, Staff, Terminal
from sasom.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("sasom_demo", *args, stdout=out)
    return out.getvalue()


def test_demo_builds_a_chain_with_every_role_and_the_asked_members():
    # when the demo is built with 30 members
    output = run("--members", "30", "--seed", "7")
    # then there is one organization with 3 branches and 2 terminals each
    org = Organization.objects.get(code=DEMO_CODE)
    assert org.name == "มินิมาร์ทสะสม"
    assert list(Branch.objects.filter(organization=org).values_list("code", flat=True)) == ["B1", "B2", "B3"]
    assert sorted(Terminal.objects.filter(organization=org).values_list("code", flat=True)) == [
        "B1-T1", "B1-T2", "B2-T1", "B2-T2", "B3-T1", "B3-T2",
    ]
    # and one login per role, all with the printed demo password; branch roles have branches
    staff = Staff.objects.filter(organization=org).select_related("user")
    assert {s.role for s in staff} == set(Role.values)
    for s in staff:
        assert s.user.check_password(DEMO_PASSWORD)
        assert s.branches.exists() == s.is_branch_scoped
    assert Member.objects.filter(organization=org).count() == 30
    assert MemberType.objects.filter(organization=org).exists()
    # and the output reports each section, the logins and where to go
    for name, _build in DEMO_SECTIONS:
        assert name in output
    assert "cashier1" in output and DEMO_PASSWORD in output and "demo" in output
    assert "http://127.0.0.1:8000/" in output
    # and how a member logs into the portal, with a demo member's phone that can log in
    portal_member = Member.objects.filter(organization=org, status=Member.Status.ACTIVE,
                                          phone__isnull=False).order_by("id").first()
    assert "http://127.0.0.1:8000/m/demo/" in output and portal_member.phone in output


def test_second_run_changes_nothing_and_prints_the_logins_again():
    run("--members", "10")
    # when the demo is asked for again
    output = run("--members", "25")
    # then nothing was duplicated or added
    assert Organization.objects.filter(code=DEMO_CODE).count() == 1
    assert Member.objects.count() == 10
    assert Staff.objects.count() == 7
    assert "already exists" in output and "manager1" in output


def test_the_demo_names_the_address_the_server_binds_and_whether_it_starts(monkeypatch):
    run("--members", "5")
    # when the server will bind another address, and scripts/demo.sh starts it right after
    monkeypatch.setenv("SASOM_BIND", "0.0.0.0:9000")
    monkeypatch.setenv("SASOM_DEMO_SERVES", "1")
    serving = run()
    # and when the demo is built on its own
    monkeypatch.delenv("SASOM_DEMO_SERVES")
    alone = run()
    # then both name that address, and only the second asks the user to start the server
    assert "http://0.0.0.0:9000/m/demo/" in serving and ":8000" not in serving
    assert "The server starts now: open http://0.0.0.0:9000/" in serving and "Start the server" not in serving
    assert "Start the server with 'sasom serve', then open http://0.0.0.0:9000/" in alone


def test_reset_rebuilds_the_demo_from_scratch():
    run("--members", "10")
    output = run("--members", "5", "--reset")
    org = Organization.objects.get(code=DEMO_CODE)
    assert Member.objects.filter(organization=org).count() == 5
    assert Staff.objects.filter(organization=org).count() == 7
    assert get_user_model().objects.filter(username="owner").count() == 1
    assert "members" in output


def test_same_seed_gives_the_same_members():
    run("--members", "8", "--seed", "3")
    first = list(Member.objects.order_by("code").values_list("code", "first_name", "last_name", "phone"))
    run("--members", "8", "--seed", "3", "--reset")
    again = list(Member.objects.order_by("code").values_list("code", "first_name", "last_name", "phone"))
    assert first == again


def test_demo_refuses_to_take_over_an_existing_username():
    # given a real shop already has a user called "admin"
    UserFactory(username="admin")
    # then the demo stops with a clear message and leaves nothing half-built
    with pytest.raises(CommandError, match="admin"):
        run("--members", "3")
    assert not Organization.objects.filter(code=DEMO_CODE).exists()
