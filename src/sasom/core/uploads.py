"""What a picture people upload may be (rewards, coupons, products): its file extensions."""

from __future__ import annotations

from django.core.validators import FileExtensionValidator

# No SVG: served from our own address, a picture with a script in it would run as the back office.
IMAGE_EXTENSIONS = ["png", "jpg", "jpeg", "gif", "webp"]
image_validator = FileExtensionValidator(IMAGE_EXTENSIONS)
