"""A product's picture: uploaded on its form, refused when it is not a picture or too large,
removed; its path in the API."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sasom.catalog import services
from sasom.catalog.api_schemas import ProductOut
from sasom.catalog.models import Product
from sasom.core.roles import Role


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGBA", (4, 3), (0, 128, 0, 200)).save(out, "PNG")
    return out.getvalue()


PNG = _png()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def milk(org, actor):
    return services.product_create(organization_id=org.id, actor=actor, sku="MILK-1", name_th="นมจืด",
                                   base_price=Decimal("12.00"))


def form(**extra):
    return {"sku": "MILK-1", "name_th": "นมจืด", "category": "", "brand": "", "pack_size": "1", "base_price": "12",
            "is_active": "on", "barcodes": "", **extra}


def test_a_picture_is_uploaded_shown_and_removed(staff_client, milk):
    client = staff_client(Role.ADMIN)
    # when a png is uploaded with the product's form
    saved = client.post(f"/catalog/products/{milk.pk}/", form(image=SimpleUploadedFile("milk.png", PNG, "image/png")))
    milk.refresh_from_db()
    # then the product has it, the form and the API show it
    assert saved.status_code == 302 and milk.image.name.startswith("products/")
    assert milk.image.name.endswith(".png")  # stored again as a picture, under a name of its own
    assert milk.image.url in client.get(f"/catalog/products/{milk.pk}/").content.decode()
    # and removing it clears it
    client.post(f"/catalog/products/{milk.pk}/", form(remove_image="on"))
    milk.refresh_from_db()
    assert not milk.image


@pytest.mark.parametrize("upload", [SimpleUploadedFile("milk.exe", b"MZ", "application/octet-stream"),
                                    SimpleUploadedFile("big.png", b"0" * (2 * 1024 * 1024 + 1), "image/png"),
                                    # a page with a script, named like a picture
                                    SimpleUploadedFile("milk.png", b"<html><script>alert(1)</script>", "image/png")])
def test_what_is_not_a_small_picture_is_a_form_error(staff_client, milk, upload):
    answer = staff_client(Role.ADMIN).post(f"/catalog/products/{milk.pk}/", form(name_th="เปลี่ยน", image=upload))
    assert answer.status_code == 400
    milk.refresh_from_db()
    assert not milk.image and milk.name_th == "นมจืด"  # nothing of the form was stored


def test_the_api_gives_the_pictures_path(org, milk, actor):
    services.product_image_set(product=milk, actor=actor, image=SimpleUploadedFile("m.png", PNG, "image/png"))
    out = ProductOut.of(Product.objects.prefetch_related("barcodes").get(pk=milk.pk))
    assert out.image and out.image.startswith("/media/products/")


def test_an_svg_picture_is_refused(org):
    # an SVG served from the shop's own address could carry a script that runs as the back office
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    from sasom.core.uploads import image_validator

    with pytest.raises(ValidationError):
        image_validator(SimpleUploadedFile("logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>"))


def test_a_big_photo_is_made_smaller_and_upright(org, milk, actor):
    import io

    from PIL import Image

    # given a 3000 x 2000 JPEG taken with the phone on its side (EXIF orientation 6: turn 90 degrees)
    raw = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.new("RGB", (3000, 2000), "red").save(raw, "JPEG", exif=exif)
    upload = SimpleUploadedFile("photo.jpg", raw.getvalue(), "image/jpeg")
    # when it becomes the product's picture
    services.product_image_set(product=milk, actor=actor, image=upload)
    milk.refresh_from_db()
    # then it is stored upright, at most 1200 pixels on its longer side, as JPEG
    with Image.open(milk.image.path) as stored:
        assert stored.format == "JPEG" and stored.size == (800, 1200)
