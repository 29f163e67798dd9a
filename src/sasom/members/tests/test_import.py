from __future__ import annotations

import codecs

import pytest

from sasom.core.models import AuditEvent
from sasom.members.imports import members_import
from sasom.members.models import Card, Consent, Member
from sasom.testing.factories import CustomFieldFactory

pytestmark = pytest.mark.django_db

HEADER = "phone,first_name,last_name,member_type,home_branch,birth_on,card_number,marketing_consent,gender\n"


def do_import(org, actor, text, *, encoding="utf-8", **kw):
    return members_import(organization=org, actor=actor, raw=text.encode(encoding), **kw)


def test_all_valid_rows_are_imported_with_cards_and_consent(org, gen_type, vip_type, branch, actor):
    # given a file from the old POS with Thai dates and local phone numbers
    text = HEADER + (
        "081-111-1111,สมชาย,ใจดี,VIP,B1,15/08/2530,C001,1,ชาย\n"
        "0822222222,สมหญิง,รักเรียน,,,1992-02-29,,0,หญิง\n"
    )
    # when it is imported
    report = do_import(org, actor, text)
    # then both members exist with normalized phones, types, branch, cards and consent records
    assert report.ok and report.imported == 2 and report.encoding == "UTF-8"
    somchai = Member.objects.get(phone="+66811111111")
    assert somchai.member_type == vip_type and somchai.home_branch == branch
    assert str(somchai.birth_on) == "1987-08-15" and somchai.gender == "male"
    assert Card.objects.get(number="C001").member == somchai
    assert Consent.objects.get(member=somchai).channel == Consent.Channel.IMPORT
    assert Member.objects.get(phone="+66822222222").member_type == gen_type
    assert AuditEvent.objects.filter(action="members.import").count() == 1


def test_a_file_with_bad_rows_imports_nothing_and_names_row_and_field(org, gen_type, actor):
    text = HEADER + (
        "0811111111,สมชาย,ใจดี,,,,,,\n"
        "12345,สมศักดิ์,ผิดเบอร์,,,,,,\n"            # row 3: bad phone
        "0833333333,สมใจ,วันผิด,,,31/02/2530,,,\n"    # row 4: impossible date
        "0844444444,สมปอง,ไม่มีสาขา,,B9,,,,\n"        # row 5: unknown branch
        "0811111111,ซ้ำ,ในไฟล์,,,,,,\n"              # row 6: same phone as row 2
    )
    report = do_import(org, actor, text)
    assert report.imported == 0 and Member.objects.count() == 0
    found = {(e.row, e.field) for e in report.errors}
    assert found == {(3, "phone"), (4, "birth_on"), (5, "home_branch"), (6, "phone")}
    assert report.valid_rows == 1 and report.bad_rows == 4


def test_valid_only_mode_imports_exactly_the_valid_rows(org, gen_type, member, actor):
    text = HEADER + (
        "0811111111,สมชาย,ใจดี,,,,,,\n"
        "081-234-5678,ซ้ำ,กับฐานข้อมูล,,,,,,\n"  # the fixture member has this phone
        "0822222222,สมหญิง,ดีใจ,,,,,,\n"
    )
    report = do_import(org, actor, text, valid_only=True)
    assert report.imported == 2
    assert [(e.row, e.field) for e in report.errors] == [(3, "phone")]
    assert Member.objects.filter(organization=org).count() == 3


def test_check_only_imports_nothing(org, gen_type, actor):
    report = do_import(org, actor, HEADER + "0811111111,สมชาย,ใจดี,,,,,,\n", check_only=True)
    assert report.ok and report.valid_rows == 1 and report.imported == 0 and not Member.objects.exists()


def test_tis620_file_is_detected(org, gen_type, actor):
    report = do_import(org, actor, "phone,first_name,last_name\n0811111111,สมชาย,ใจดี\n", encoding="cp874")
    assert report.imported == 1 and report.encoding == "TIS-620"
    assert Member.objects.get().first_name == "สมชาย"


def test_utf8_with_bom_is_read(org, gen_type, actor):
    raw = codecs.BOM_UTF8 + "phone,first_name\n0811111111,สมชาย\n".encode()
    report = members_import(organization=org, actor=actor, raw=raw)
    assert report.imported == 1 and report.encoding == "UTF-8 (BOM)"


def test_wrong_header_names_the_columns(org, gen_type, actor):
    report = do_import(org, actor, "tel,first_name,nickname\n0811111111,สมชาย,ชาย\n")
    assert report.imported == 0 and not Member.objects.exists()
    messages = " ".join(e.message for e in report.errors)
    assert "tel" in messages and "nickname" in messages and "phone" in messages


def test_malformed_and_oversized_files_are_refused(org, gen_type, actor):
    report = do_import(org, actor, "phone,first_name\n0811111111,สมชาย,extra\n")
    assert report.errors[0].row == 2 and report.imported == 0
    big = members_import(organization=org, actor=actor, raw=b"x" * (5 * 1024 * 1024 + 1))
    assert big.file_error and big.imported == 0
    assert not do_import(org, actor, "").ok


def test_custom_fields_are_validated_by_kind(org, gen_type, actor):
    CustomFieldFactory(organization=org, key="shoe", kind="number")
    CustomFieldFactory(organization=org, key="size", kind="choice", choices=["S", "M", "L"])
    text = "phone,first_name,custom_shoe,custom_size\n0811111111,ก,42,M\n0822222222,ข,ใหญ่,XL\n"
    report = do_import(org, actor, text)
    assert {(e.row, e.field) for e in report.errors} == {(3, "custom_shoe"), (3, "custom_size")}
    report = do_import(org, actor, text, valid_only=True)
    assert Member.objects.get().custom == {"shoe": "42", "size": "M"}


def test_thai_headings_are_understood(org, gen_type, actor):
    report = do_import(org, actor, "เบอร์โทร,ชื่อ,นามสกุล,วันเกิด\n0811111111,สมชาย,ใจดี,01/01/2530\n")
    assert report.imported == 1
    assert str(Member.objects.get().birth_on) == "1987-01-01"


def test_generated_codes_skip_codes_typed_in_the_same_file(org, gen_type, actor):
    text = "code,phone,first_name\n,0811111111,ก\nM0000002,0822222222,ข\n,0833333333,ค\n"
    report = do_import(org, actor, text)
    assert report.imported == 3
    assert sorted(Member.objects.values_list("code", flat=True)) == ["M0000001", "M0000002", "M0000003"]
