"""The members export is a file the import takes back: as new members (another organization, a
fresh start) or, in update mode keyed by member code, as changes to the members it lists
(issue 13)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sasom.members.exports import members_export
from sasom.members.imports import members_import
from sasom.members.models import Member
from sasom.organizations.models import Role
from sasom.testing.factories import MemberFactory, MemberTypeFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def exported(org, actor) -> str:
    data, _name, _type = members_export(organization_id=org.pk, actor=actor, fmt="csv", filters={},
                                        queryset=Member.objects.filter(organization=org))
    return data.decode("utf-8")


def test_an_export_imports_back_as_new_members(org, gen_type, actor):
    # given two members, one with a value the export guards against spreadsheet formulas
    MemberFactory(organization=org, member_type=gen_type, code="M1", phone="+66812345678",
                  first_name="สมชาย", occupation="-ช่าง-", email="som@example.com", tags=["กาแฟ"])
    MemberFactory(organization=org, member_type=gen_type, code="M2", phone="+66812345679", first_name="สมหญิง")
    text = exported(org, actor)
    # when the file is imported into another organization with the same member type
    other = OrganizationFactory(code="newshop")
    MemberTypeFactory(organization=other, code=gen_type.code, name="ทั่วไป", is_default=True)
    report = members_import(organization=other, actor=actor, raw=text.encode("utf-8"))
    # then both members are there, as they were
    assert report.ok, (report.file_error, report.errors)
    assert report.imported == 2
    copy = Member.objects.get(organization=other, code="M1")
    assert (copy.phone, copy.first_name, copy.occupation, copy.email, copy.tags) == (
        "+66812345678", "สมชาย", "-ช่าง-", "som@example.com", ["กาแฟ"])


def test_update_mode_changes_the_members_by_code_and_keeps_other_columns(org, gen_type, actor):
    # given a member, exported
    MemberFactory(organization=org, member_type=gen_type, code="M1", phone="+66812345678", first_name="สมชาย",
                  last_name="ใจดี", email="som@example.com")
    text = exported(org, actor)
    # when the file comes back with a new e-mail, in update mode
    changed = text.replace("som@example.com", "somchai@example.com")
    report = members_import(organization=org, actor=actor, raw=changed.encode("utf-8"), update=True)
    # then the member has it, and nothing else changed; no member was added
    assert report.ok and report.imported == 1, (report.file_error, report.errors)
    member = Member.objects.get(organization=org)
    assert (member.email, member.last_name, member.phone) == ("somchai@example.com", "ใจดี", "+66812345678")
    # and a file with only the columns to change changes only those
    report = members_import(organization=org, actor=actor, raw="code,first_name\nM1,สมชัย\n".encode(), update=True)
    assert report.ok, report.errors
    member.refresh_from_db()
    assert (member.first_name, member.email) == ("สมชัย", "somchai@example.com")


def test_update_mode_refuses_a_code_no_member_has(org, gen_type, actor):
    report = members_import(organization=org, actor=actor, raw=b"code,first_name\nM404,X\n", update=True)
    assert not report.ok and report.imported == 0
    assert (report.errors[0].row, report.errors[0].field) == (2, "code")


def test_the_import_page_offers_the_update_mode(staff_client, org, gen_type):
    client = staff_client(Role.ADMIN)
    MemberFactory(organization=org, member_type=gen_type, code="M1", phone="+66812345678", first_name="A")
    assert 'name="update"' in client.get("/members/import/").content.decode()
    upload = SimpleUploadedFile("m.csv", "code,first_name\nM1,สมชาย\n".encode())
    client.post("/members/import/", {"file": upload, "update": "on"})
    assert Member.objects.get(code="M1").first_name == "สมชาย"
