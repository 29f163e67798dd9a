"""Member cards (CR80): one member from the member file, a segment on A4 sheets, a reprint after a
lost card, the audit of every print, the branch scope and the big print in the worker.

Somchai lost card C-001 and got C-002 in its place; Malee has no card (her code is printed and
encoded); Wichai's home branch is B2. The PDFs are read back with pypdf."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from sasom.core.audit import Actor
from sasom.core.models import AuditEvent
from sasom.members.models import Card
from sasom.members.services import card_issue, card_replace
from sasom.organizations.models import Role
from sasom.reports import cards
from sasom.reports.models import ReportExport
from sasom.testing.factories import MemberFactory, MemberTypeFactory

pytestmark = pytest.mark.django_db
MM = 72 / 25.4  # PDF points in a millimetre


@pytest.fixture
def people(org, branch, branch2, member_type):
    vip = MemberTypeFactory(organization=org, code="VIP", name="Gold VIP")
    somchai = MemberFactory(organization=org, member_type=member_type, code="M0000001", first_name="Somchai",
                            last_name="Jaidee", home_branch=branch, expires_on=dt.date(2027, 3, 31))
    malee = MemberFactory(organization=org, member_type=vip, code="M0000002", first_name="Malee",
                          last_name="Sukjai", home_branch=branch)
    wichai = MemberFactory(organization=org, member_type=vip, code="M0000003", first_name="Wichai",
                           last_name="Rakdee", home_branch=branch2)
    lost = card_issue(member=somchai, number="C-001", actor=Actor.system(), today=dt.date(2026, 1, 5))
    card_replace(card=lost, new_number="C-002", actor=Actor.system(), lost=True, today=dt.date(2026, 11, 1))
    return {"somchai": somchai, "malee": malee, "wichai": wichai, "vip": vip}


def pdf_of(response):
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return PdfReader(io.BytesIO(response.content))


def size_mm(page):
    return round(float(page.mediabox.width) / MM, 1), round(float(page.mediabox.height) / MM, 1)


def test_a_reprint_after_a_lost_card_carries_the_new_number_on_a_cr80_page(people, staff_client):
    client = staff_client(Role.OWNER)
    # given the member file offers to print the card
    detail = client.get(f"/members/{people['somchai'].pk}/")
    assert b"/reports/cards/?member=M0000001" in detail.content
    assert client.get("/reports/cards/?member=M0000001&layout=single").context["form"]["member"].value() == "M0000001"
    # when the card is printed alone, for a card printer
    pdf = pdf_of(client.post("/reports/cards/", {"member": "M0000001", "layout": "single", "symbol": "barcode",
                                                 "pdf": "1"}))
    # then a front and a back, each a CR80 page
    assert len(pdf.pages) == 2 and {size_mm(p) for p in pdf.pages} == {(85.6, 54.0)}
    front, back = (p.extract_text() for p in pdf.pages)
    assert "Somchai Jaidee" in front and "M0000001" in front and "31/03/2570" in front  # Buddhist era, in Thai
    assert "C-002" in back and "C-001" not in back
    assert Card.objects.get(number="C-001").status == Card.Status.LOST
    # and the print is audited: who, how many, which card
    event = AuditEvent.objects.get(action="cards.print")
    assert event.actor_user_id == client.staff.user_id and event.object_repr == "M0000001"
    assert event.changes["printed"] == [None, 1] and event.changes["card_number"] == [None, "C-002"]


def test_a_segment_prints_on_a4_sheets_of_ten_fronts_then_backs(people, org, staff_client):
    for i in range(9):
        MemberFactory(organization=org, member_type=people["vip"], code=f"V{i:07d}", first_name=f"Guest{i}")
    client = staff_client(Role.OWNER)
    # when every member of the VIP type is printed with a QR code (11 members: two sheets)
    count = client.post("/reports/cards/", {"layout": "sheet", "symbol": "qr", "member_types": [people["vip"].pk],
                                            "count": "1"})
    assert count.context["count"] == 11
    pdf = pdf_of(client.post("/reports/cards/", {"layout": "sheet", "symbol": "qr", "statuses": ["active"],
                                                 "member_types": [people["vip"].pk], "pdf": "1"}))
    # then two A4 sheets, each a page of fronts and a page of backs
    assert len(pdf.pages) == 4 and {size_mm(p) for p in pdf.pages} == {(210.0, 297.0)}
    fronts = pdf.pages[0].extract_text()
    assert "Malee Sukjai" in fronts and "Gold VIP" in fronts and "M0000003" in fronts and "Somchai" not in fronts
    assert fronts.count("M0") + fronts.count("V0") == 10 and "M0000002" in pdf.pages[1].extract_text()
    assert "V0000008" in pdf.pages[2].extract_text() and "V0000008" in pdf.pages[3].extract_text()
    event = AuditEvent.objects.get(action="cards.print")
    assert event.changes["printed"] == [None, 11]
    assert {"kind": "member_type", "ids": [people["vip"].pk]} in event.changes["segment"][1]


def test_a_branch_manager_prints_the_members_of_their_branches_only(people, staff_client, branch):
    manager = staff_client(Role.BRANCH_MANAGER, branches=[branch])
    pdf = pdf_of(manager.post("/reports/cards/", {"layout": "single", "symbol": "barcode",
                                                  "member_types": [people["vip"].pk], "pdf": "1"}))
    text = " ".join(p.extract_text() for p in pdf.pages)
    assert len(pdf.pages) == 2 and "M0000002" in text and "M0000003" not in text  # Wichai is B2's
    other = manager.post("/reports/cards/", {"member": "M0000003", "layout": "single", "symbol": "qr", "pdf": "1"})
    assert other.status_code == 400 and other.context["code"] == "reports.cards_no_member"
    assert "member" in other.context["form"].errors and AuditEvent.objects.filter(action="cards.print").count() == 1
    assert staff_client(Role.CASHIER).get("/reports/cards/").status_code == 403


def test_bad_input_is_a_400_naming_the_field(people, staff_client, monkeypatch):
    client = staff_client(Role.OWNER)
    bad = client.post("/reports/cards/", {"layout": "poster", "symbol": "qr", "pdf": "1"})
    assert bad.status_code == 400 and "layout" in bad.context["form"].errors
    segment = client.post("/reports/cards/", {"layout": "sheet", "symbol": "qr", "birth_months": ["13"]})
    assert segment.status_code == 400 and "birth_months" in segment.context["form"].errors
    ages = client.post("/reports/cards/", {"layout": "sheet", "symbol": "qr", "min_age": "60", "max_age": "20"})
    assert ages.status_code == 400 and {"min_age", "max_age"} & set(ages.context["form"].errors)
    monkeypatch.setattr(cards, "MAX_CARDS", 2)
    many = client.post("/reports/cards/", {"layout": "sheet", "symbol": "qr", "pdf": "1"})
    assert many.status_code == 400 and many.context["code"] == "reports.cards_too_many"
    assert "member_types" in many.context["form"].errors


def test_a_big_print_runs_in_the_worker_once_with_progress(people, staff_client, settings, tmp_path, monkeypatch,
                                                          django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.DATA_DIR = tmp_path
    monkeypatch.setattr(cards, "INLINE_CARDS", 1)
    client = staff_client(Role.OWNER)
    form = client.get("/reports/cards/")
    token = form.content.split(b'name="_form_token" value="')[1].split(b'"')[0].decode()
    body = {"layout": "single", "symbol": "barcode", "pdf": "1", "_form_token": token}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/reports/cards/", body)
    export = ReportExport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/reports/cards/exports/{export.pk}/"
    assert (export.slug, export.status, export.rows_done, export.rows_total) == ("member-cards", "done", 3, 3)
    assert f"/reports/exports/{export.pk}/download/".encode() in client.get(response["Location"]).content
    download = client.get(f"/reports/exports/{export.pk}/download/")
    pdf = PdfReader(io.BytesIO(b"".join(download.streaming_content)))
    assert len(pdf.pages) == 6 and "C-002" in pdf.pages[1].extract_text()
    # a second click on the same form prints nothing more
    again = client.post("/reports/cards/", body)
    assert again.status_code == 302 and ReportExport.objects.count() == 1
    assert AuditEvent.objects.filter(action="cards.print").count() == 1
    assert staff_client(Role.ADMIN).get(response["Location"]).status_code == 404
