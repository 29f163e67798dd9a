"""Pictures people upload (products, rewards, coupons, news): read as images, never trusted by name.

:func:`picture_prepared` opens the upload as an image, turns it upright, makes it at most
``max_side`` pixels on its longer side and stores it again as JPEG (PNG when it has
transparency) under a random name: no script can ride in (an SVG or an HTML file named
``.png`` is refused), and members' phones download little. :class:`PictureField` does the same
for a form.
"""

from __future__ import annotations

import io
import uuid
from typing import Any

from django import forms
from django.core.files.base import ContentFile
from django.core.validators import FileExtensionValidator
from django.utils.translation import gettext as _

# No SVG: served from our own address, a picture with a script in it would run as the back office.
IMAGE_EXTENSIONS = ["png", "jpg", "jpeg", "gif", "webp"]
image_validator = FileExtensionValidator(IMAGE_EXTENSIONS)
MAX_SIDE = 1200  # pixels: sharp on any phone, light on the shop's connection
MAX_UPLOAD = 10 * 1024 * 1024


class PictureRefused(ValueError):
    """The upload is not a picture Sasom keeps; ``str()`` is the message for the person."""


def picture_prepared(upload: Any, *, max_side: int = MAX_SIDE, max_bytes: int = MAX_UPLOAD) -> ContentFile[bytes]:
    """The upload re-encoded (see the module's text), or :class:`PictureRefused`."""
    from PIL import Image, ImageOps, UnidentifiedImageError  # noqa: PLC0415 - only an upload needs it

    if (getattr(upload, "size", 0) or 0) > max_bytes:
        raise PictureRefused(_("The picture is larger than %(mb)s MB.") % {"mb": max_bytes // (1024 * 1024)})
    try:
        with Image.open(upload) as opened:
            opened.load()
            picture = ImageOps.exif_transpose(opened)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise PictureRefused(_("This file is not a picture (use JPEG, PNG or WebP).")) from None
    picture.thumbnail((max_side, max_side))
    out = io.BytesIO()
    if picture.mode in ("RGBA", "LA") or (picture.mode == "P" and "transparency" in picture.info):
        picture.save(out, "PNG", optimize=True)
        extension = "png"
    else:
        picture.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
        extension = "jpg"
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.{extension}")


class PictureField(forms.FileField):
    """A form's picture: its cleaned value is the re-encoded file (or the kept/cleared one)."""

    def __init__(self, *args: Any, max_side: int = MAX_SIDE, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}))
        super().__init__(*args, **kwargs)
        self.max_side = max_side

    def clean(self, data: Any, initial: Any = None) -> Any:
        value = super().clean(data, initial)
        if not value or value is initial or not hasattr(value, "read"):
            return value
        try:
            return picture_prepared(value, max_side=self.max_side)
        except PictureRefused as refused:
            raise forms.ValidationError(str(refused), code="not_a_picture") from None
