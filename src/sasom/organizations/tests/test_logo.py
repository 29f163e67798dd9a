"""The organization's logo (printed on member cards): the owner uploads it on the settings page,
it is stored again as a picture under a random name, a file that is not a picture is refused on
its field, clearing takes it away, and each change is audited."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from sasom.core.models import AuditEvent
from sasom.organizations.models import Organization, Role
from sasom.organizations.tests.test_settings import VALID

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def picture(size=(2000, 1000), mode="RGB", fmt="JPEG") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (15, 118, 110) if mode == "RGB" else (15, 118, 110, 128)).save(out, fmt)
    return out.getvalue()


def test_the_owner_uploads_a_logo_stored_again_as_a_smaller_picture(org, staff_client):
    client = staff_client(Role.OWNER)
    assert b'enctype="multipart/form-data"' in client.get("/org/settings/").content
    # when a big JPEG named like anything is uploaded
    upload = SimpleUploadedFile("my shop.jpg", picture(), content_type="image/jpeg")
    answer = client.post("/org/settings/", {**VALID, "sales_since": "", "logo": upload})
    # then it is kept re-encoded, at most 600 pixels wide, under a random name
    assert answer.status_code == 302
    org.refresh_from_db()
    assert org.logo.name.startswith("logos/") and "my shop" not in org.logo.name
    with org.logo.open("rb") as stored, Image.open(stored) as image:
        assert image.size == (600, 300)
    event = AuditEvent.objects.get(action="organization.logo")
    assert event.changes["logo"] == ["", org.logo.name]

    # and saving the settings again without a file keeps it
    client.post("/org/settings/", {**VALID, "sales_since": ""})
    org.refresh_from_db()
    assert org.logo

    # and clearing it takes it away
    client.post("/org/settings/", {**VALID, "sales_since": "", "logo-clear": "on"})
    assert not Organization.objects.get(pk=org.pk).logo


def test_a_file_that_is_not_a_picture_is_refused_on_its_field(org, staff_client):
    script = SimpleUploadedFile("logo.png", b"<svg onload='alert(1)'></svg>", content_type="image/png")
    answer = staff_client(Role.OWNER).post("/org/settings/", {**VALID, "sales_since": "", "logo": script})
    assert answer.status_code == 200 and "logo" in answer.context["form"].errors
    assert not Organization.objects.get(pk=org.pk).logo
