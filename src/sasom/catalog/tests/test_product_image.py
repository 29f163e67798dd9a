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

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


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
    assert saved.status_code == 302 and milk.image.name.startswith("products/milk")
    assert milk.image.url in client.get(f"/catalog/products/{milk.pk}/").content.decode()
    # and removing it clears it
    client.post(f"/catalog/products/{milk.pk}/", form(remove_image="on"))
    milk.refresh_from_db()
    assert not milk.image


@pytest.mark.parametrize("upload", [SimpleUploadedFile("milk.exe", b"MZ", "application/octet-stream"),
                                    SimpleUploadedFile("big.png", b"0" * (2 * 1024 * 1024 + 1), "image/png")])
def test_what_is_not_a_small_picture_is_a_form_error(staff_client, milk, upload):
    answer = staff_client(Role.ADMIN).post(f"/catalog/products/{milk.pk}/", form(name_th="เปลี่ยน", image=upload))
    assert answer.status_code == 400
    milk.refresh_from_db()
    assert not milk.image and milk.name_th == "นมจืด"  # nothing of the form was stored


def test_the_api_gives_the_pictures_path(org, milk, actor):
    services.product_image_set(product=milk, actor=actor, image=SimpleUploadedFile("m.png", PNG, "image/png"))
    out = ProductOut.of(Product.objects.prefetch_related("barcodes").get(pk=milk.pk))
    assert out.image and out.image.startswith("/media/products/m")


def test_an_svg_picture_is_refused(org):
    # an SVG served from the shop's own address could carry a script that runs as the back office
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    from sasom.core.uploads import image_validator

    with pytest.raises(ValidationError):
        image_validator(SimpleUploadedFile("logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>"))
