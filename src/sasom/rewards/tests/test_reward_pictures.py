"""A reward's and a coupon type's picture: read as an image and stored again, never trusted by name."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from sasom.rewards.forms import CouponTemplateForm, RewardForm

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _png(size=(2400, 600)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "blue").save(out, "PNG")
    return out.getvalue()


def reward_data(**extra):
    return {"code": "R1", "name": "แก้วน้ำ", "name_en": "", "description": "", "points_cost": "100",
            "cash_copay": "0", "stock_mode": "unlimited", "limit_period": "lifetime", "is_active": "on",
            "sort_order": "0", **extra}


def test_a_reward_picture_is_stored_again_smaller(org):
    form = RewardForm(reward_data(), {"image": SimpleUploadedFile("cup.png", _png(), "image/png")},
                      organization=org)
    assert form.is_valid(), form.errors
    reward = form.save(commit=False)
    reward.organization = org
    reward.save()
    with Image.open(reward.image.path) as stored:
        # a plain picture becomes a JPEG at most 1200 pixels wide, under a name of its own
        assert stored.format == "JPEG" and stored.size == (1200, 300)
    assert reward.image.name.startswith("rewards/") and "cup" not in reward.image.name


@pytest.mark.parametrize("form_class", [RewardForm, CouponTemplateForm])
def test_a_page_named_like_a_picture_is_a_form_error(org, form_class):
    upload = SimpleUploadedFile("promo.png", b"<html><script>alert(1)</script></html>", "image/png")
    form = form_class(reward_data(), {"image": upload}, organization=org)
    assert not form.is_valid()
    assert form.has_error("image", "not_a_picture")
