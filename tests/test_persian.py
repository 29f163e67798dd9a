"""Persian (fa) as a shipped language: chosen by staff, members and API callers; pages and PDFs
right to left, with numbers, phones and codes kept left to right; Persian text in the PDFs.

The portal's pages in fa are in ``portal/tests/test_persian.py``; the browser walk at phone width in
``tests/browser/test_persian.py``.
"""

from __future__ import annotations

import io
import json
import re

import pytest
from django.test import Client
from django.utils import translation
from pypdf import PdfReader

from sasom.core.audit import Actor
from sasom.integrations import auth
from sasom.integrations.services import api_key_create
from sasom.members.models import Member
from sasom.organizations.models import Role

pytestmark = pytest.mark.django_db
PERSIAN_LETTERS = re.compile("[\u0600-\u06ff]{2,}")
TAKEN = "Another member already has this phone number."


@pytest.fixture
def pos(org, terminal, member_type):
    auth._cache.clear()
    auth._buckets.clear()
    issued = api_key_create(organization_id=org.id, label="POS", actor=Actor.system(), terminal=terminal)
    return Client(HTTP_AUTHORIZATION=f"Bearer {issued.key}")


def _register(client: Client, body: dict, language: str):
    return client.post("/api/v1/members", data=json.dumps(body), content_type="application/json",
                       HTTP_ACCEPT_LANGUAGE=language)


def test_an_api_refusal_speaks_the_callers_language_and_keeps_its_code(pos, member):
    # given a member with +66812345678; when a POS registers the same phone in three languages
    answers = {lang: _register(pos, {"phone": "+66 81 234 5678", "first_name": "نو"}, lang)
               for lang in ("fa", "th", "en")}
    # then each is the same 409 with the same code and field
    assert {(a.status_code, a.json()["code"], a.json()["field"]) for a in answers.values()} == {
        (409, "member.phone_taken", "phone")}
    # and the message is the catalogue's text for that language: Persian for fa
    persian = answers["fa"].json()["message"]
    with translation.override("fa"):
        assert persian == translation.gettext(TAKEN)
    assert PERSIAN_LETTERS.search(persian) and persian != TAKEN
    assert answers["en"].json()["message"] == TAKEN
    assert answers["th"].json()["message"] not in (TAKEN, persian)
    assert Member.objects.count() == 1


def test_a_bad_phone_in_persian_names_the_field(pos):
    response = _register(pos, {"phone": "12"}, "fa")
    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["field"]) == ("member.phone_invalid", "phone")
    assert PERSIAN_LETTERS.search(body["message"]), body


def test_a_member_can_choose_persian_for_their_messages(pos):
    created = _register(pos, {"phone": "0812345670", "first_name": "سارا", "language": "fa"}, "en")
    assert created.status_code == 201, created.content
    assert created.json()["language"] == "fa"
    assert Member.objects.get().language == Member.Language.PERSIAN
    refused = _register(pos, {"phone": "0812345671", "language": "ar"}, "en")
    assert refused.status_code == 422 and refused.json()["field"] == "language"


def _page(client: Client, path: str, language: str) -> str:
    client.cookies["django_language"] = language
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


def test_the_back_office_is_right_to_left_in_persian_only(staff_client, member):
    client = staff_client(Role.OWNER)
    persian = _page(client, f"/members/{member.pk}/", "fa")
    assert re.search(r'<html lang="fa" dir="rtl">', persian)
    # the phone keeps its left-to-right order inside the right-to-left page
    assert '<dd id="member-phone"><bdi dir="ltr" class="ltr">+66812345678</bdi></dd>' in persian
    # and the menu and page read in Persian
    assert PERSIAN_LETTERS.search(re.sub(r"<[^>]+>", " ", persian))
    assert re.search(r'<html lang="th" dir="ltr">', _page(client, f"/members/{member.pk}/", "th"))
    assert re.search(r'<html lang="en" dir="ltr">', _page(client, "/members/", "en"))


def test_staff_switch_to_persian_from_the_menu(staff_client):
    client = staff_client(Role.OWNER)
    page = client.get("/members/").content.decode()
    assert 'name="language" value="fa"' in page
    switched = client.post("/language/", {"language": "fa", "next": "/members/"})
    assert switched.status_code == 302
    assert '<html lang="fa" dir="rtl">' in client.get("/members/").content.decode()


def test_a_report_pdf_in_persian_carries_persian_text(staff_client, org):
    # given a Persian shop name and the owner's screens in Persian
    org.name = "فروشگاه نمونه"
    org.save(update_fields=["name"])
    client = staff_client(Role.OWNER)
    client.cookies["django_language"] = "fa"
    # when a report is printed as a PDF
    response = client.get("/reports/redemption-detail/?date_from=2026-11-01&date_to=2026-11-15&status=all&format=pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    pages = PdfReader(io.BytesIO(response.content)).pages
    text = "".join(page.extract_text() for page in pages)
    fonts = {str(font.get_object()["/BaseFont"]).split("+")[-1] for page in pages
             for font in page["/Resources"]["/Font"].values()}
    # then the page's words are Persian glyphs a reader can extract, not empty boxes
    with translation.override("fa"):
        page_word = translation.gettext("Page")
    assert PERSIAN_LETTERS.search(page_word)
    assert PERSIAN_LETTERS.search(text), text[:300]
    assert "\ufffd" not in text
    # set in the Persian font of the stack (fonts-farsiweb), not whatever fallback has Arabic letters
    assert fonts & {"Nazli", "Homa"}, fonts
