"""The organization's logo on the cards' front: embedded in the PDF (an image on each front page,
none without a logo), on single cards and on A4 sheets."""

from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile
from PIL import Image
from pypdf import PdfReader

from sasom.organizations.models import Role
from sasom.reports import cards
from sasom.reports.tests.test_cards import people  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def png(colour=(200, 30, 30, 255)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (120, 60), colour).save(out, "PNG")
    return out.getvalue()


def printed(client, **form):
    answer = client.post("/reports/cards/", {"symbol": "barcode", "pdf": "1", **form})
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    return PdfReader(io.BytesIO(answer.content))


def test_the_logo_is_embedded_on_the_front(people, org, staff_client):  # noqa: F811
    client = staff_client(Role.OWNER)
    # given no logo: the front carries no picture
    plain = printed(client, member="M0000001", layout="single")
    assert len(plain.pages[0].images) == 0

    # when the organization has a logo
    org.logo.save("logo.png", ContentFile(png()), save=True)
    single = printed(client, member="M0000001", layout="single")

    # then the front page embeds it, with its pixels
    [image] = single.pages[0].images
    assert image.image.size == (120, 60)
    assert image.image.convert("RGB").getpixel((5, 5)) == (200, 30, 30)
    assert "Somchai" in single.pages[0].extract_text()
    # and on an A4 sheet every front draws it (three members: the picture drawn three times on the
    # page of fronts, none on the page of backs)
    sheet = printed(client, layout="sheet", statuses=["active"])
    fronts, backs = sheet.pages[0], sheet.pages[1]
    [logo] = fronts.images
    draw = logo.name.split(".")[0].encode() + b" Do"
    assert fronts.get_contents().get_data().count(draw) == 3
    assert backs.get_contents().get_data().count(draw) == 0


def test_a_missing_logo_file_prints_the_name_alone(people, org):  # noqa: F811
    org.logo.name = "logos/gone.png"
    assert cards.organization_logo(org) == ""
    org.logo.save("logo.png", ContentFile(png()), save=False)
    assert cards.organization_logo(org).startswith("data:image/png;base64,")
