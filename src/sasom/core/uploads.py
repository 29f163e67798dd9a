"""What a picture people upload may be (rewards, coupons, products): its file extensions."""

from __future__ import annotations

from django.core.validators import FileExtensionValidator

IMAGE_EXTENSIONS = ["png", "jpg", "jpeg", "gif", "webp", "svg"]
image_validator = FileExtensionValidator(IMAGE_EXTENSIONS)
