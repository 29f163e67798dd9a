"""Mailing labels: the chosen members' addresses on A4 label sheets, in the Thai postal order."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from sasom.core.models import AuditEvent
from sasom.notifications.labels import LAYOUTS, address_lines, label_sheets
from sasom.testing.factories import MemberFactory

pytestmark = pytest.mark.django_db


def test_a_thai_address_reads_as_an_envelope_does(member):
    member.title, member.first_name, member.last_name = "นาย", "สมชาย", "ใจดี"
    member.address_line, member.moo, member.soi, member.road = "99/1", "4", "สุขใจ", "พหลโยธิน"
    member.subdistrict, member.district, member.province, member.postcode = "สามเสนใน", "พญาไท", "กรุงเทพมหานคร", "10400"
    assert address_lines(member) == ["นาย สมชาย ใจดี", "99/1 หมู่ 4 ซอย สุขใจ ถนน พหลโยธิน", "สามเสนใน พญาไท",
                                     "กรุงเทพมหานคร 10400"]


def test_labels_fill_sheets_row_by_row_from_the_label_asked():
    layout = LAYOUTS["a4-21"]
    sheets = label_sheets(layout, [[f"M{i}"] for i in range(21)], start_at=20)
    # labels 20 and 21 of the first sheet (the bottom row's 2nd and 3rd), then 19 on the next
    assert [len(s) for s in sheets] == [2, 19]
    first = sheets[0][0]
    assert (first["lines"], first["left"], first["top"]) == (["M0"], round(7.25 + 63.5 + 2.5, 2), round(15.15 + 6 * 38.1, 2))
    assert (sheets[1][0]["left"], sheets[1][0]["top"]) == (7.25, 15.15)


def test_marketing_prints_labels_of_members_with_an_address(staff_client, org, member_type):
    for i, province in enumerate(("เชียงใหม่", "", "ขอนแก่น")):
        MemberFactory(organization=org, member_type=member_type, code=f"L{i}", phone=f"+6681000000{i}",
                      first_name=f"คน{i}", province=province, postcode="50000" if province else "",
                      marketing_consent=True)
    marketing = staff_client("marketing")
    data = {"layout": "a4-14", "start_at": "1", "consent_only": "on"}
    counted = marketing.post("/messaging/labels/", {**data, "count": "1"})
    assert counted.status_code == 200 and counted.context["counts"] == {"selected": 3, "printable": 2}
    pdf = marketing.post("/messaging/labels/", {**data, "pdf": "1"})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    document = PdfReader(io.BytesIO(pdf.content))
    text = document.pages[0].extract_text()
    assert len(document.pages) == 1 and "คน0" in text and "เชียงใหม่ 50000" in text and "คน1" not in text
    event = AuditEvent.objects.get(action="notify.labels_print")
    assert event.changes == {"printed": [None, 2], "without_address": [None, 1]}
    assert staff_client("cashier").get("/messaging/labels/").status_code == 403


def test_the_segment_form_offers_tiers_gender_age_and_tags(staff_client, org, member_type):
    from sasom.core.audit import Actor
    from sasom.tiers.services import TierIn, ladder_configure

    ladder_configure(organization_id=org.pk, actor=Actor.system(),
                     name="Tiers", tiers=[TierIn("GOLD", "Gold", 1000)])
    for i, (gender, tags) in enumerate((("female", ["wine"]), ("male", ["wine"]), ("female", ["beer"]))):
        MemberFactory(organization=org, member_type=member_type, code=f"S{i}", phone=f"+6682000000{i}",
                      gender=gender, tags=tags, province="ลำปาง", postcode="52000", marketing_consent=True)
    marketing = staff_client("marketing")
    page = marketing.get("/messaging/labels/").content.decode()
    assert 'value="GOLD"' in page and 'name="min_age"' in page
    counted = marketing.post("/messaging/labels/", {"layout": "a4-21", "start_at": "1", "count": "1",
                                                    "genders": ["female"], "tags": "wine, cheese"})
    assert counted.context["counts"] == {"selected": 1, "printable": 1}
    refused = marketing.post("/messaging/labels/", {"layout": "a4-21", "start_at": "1", "count": "1",
                                                    "min_age": "200"})
    assert refused.context["form"].errors["min_age"]


def test_a_long_mailing_fills_a_second_sheet_from_the_label_asked(org, member_type):
    from sasom.core.audit import Actor
    from sasom.members.models import Member
    from sasom.notifications.labels import labels_pdf

    for i in range(25):
        MemberFactory(organization=org, member_type=member_type, code=f"P{i:02d}", phone=f"+668300000{i:02d}",
                      first_name=f"ผู้รับ{i:02d}", province="ภูเก็ต", postcode="83000")
    pdf = labels_pdf(organization=org, members=Member.objects.filter(organization=org), layout=LAYOUTS["a4-21"],
                     start_at=3, actor=Actor.system())
    pages = PdfReader(io.BytesIO(pdf)).pages
    # 2 labels skipped + 25 = 27 places: one full sheet of 21 and 6 on the second
    assert len(pages) == 2
    assert pages[1].extract_text().count("ภูเก็ต 83000") == 6


def test_envelopes_carry_the_shops_return_address_one_a_page(staff_client, org, branch, member_type):
    branch.address = "12 ถนนนิมมานเหมินท์\nเชียงใหม่ 50200"
    branch.save()
    for i in range(3):
        MemberFactory(organization=org, member_type=member_type, code=f"E{i}", phone=f"+6684000000{i}",
                      first_name=f"ผู้รับ{i}", province="ตรัง", postcode="92000", marketing_consent=True)
    marketing = staff_client("marketing")
    answer = marketing.post("/messaging/labels/", {"layout": "dl", "start_at": "1", "consent_only": "on",
                                                   "return_branch": str(branch.pk), "pdf": "1"})
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    pages = PdfReader(io.BytesIO(answer.content)).pages
    assert len(pages) == 3
    first = pages[0].extract_text()
    assert org.name in first and "นิมมานเหมินท์" in first and "ตรัง 92000" in first
    # a DL envelope: 220 × 110 mm
    box = pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (220, 110)


def test_the_segment_form_takes_custom_fields_and_consent(staff_client, org, member_type):
    for i, (pet, consent) in enumerate((("cat", True), ("cat", False), ("dog", True))):
        MemberFactory(organization=org, member_type=member_type, code=f"C{i}", phone=f"+6685000000{i}",
                      custom={"pet": pet}, marketing_consent=consent, province="น่าน", postcode="55000")
    marketing = staff_client("marketing")
    base = {"layout": "a4-21", "start_at": "1", "count": "1"}
    counted = marketing.post("/messaging/labels/", {**base, "custom_key": "pet", "custom_value": "cat",
                                                    "consent": "no"})
    assert counted.context["counts"] == {"selected": 1, "printable": 1}
    refused = marketing.post("/messaging/labels/", {**base, "custom_key": "pet"})  # a key without a value
    assert refused.context["form"].errors["custom_value"]
