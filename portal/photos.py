"""Profile photos: checked, then re-encoded through Pillow so nothing of the upload survives.

Re-encoding drops EXIF (location, camera serial), ICC and any payload hidden after the image
data. Two square JPEG sizes are kept: the profile's and the directory's thumbnail.
"""

from __future__ import annotations

import io
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP"}
MIN_SIDE = 200
MAX_SIDE = 8000
# Decoding needs 3 bytes a pixel: 40 megapixels is 120 MB of memory for one upload.
MAX_PIXELS = 40_000_000
SIZES = (400, 128)


def _max_bytes() -> int:
    return settings.PORTAL_PHOTO_MAX_BYTES


def validate_photo(upload) -> None:
    """Raise ValidationError unless `upload` is a JPEG, PNG or WebP image of a sensible size."""
    if upload.size > _max_bytes():
        raise ValidationError(
            "This photo is %(size)s. Please choose one smaller than %(limit)s.",
            code="too_large",
            params={"size": filesizeformat(upload.size), "limit": filesizeformat(_max_bytes())},
        )
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                # What the header declares is checked before a single pixel is decoded.
                _check_declared(image)
                # Decoding the whole image finds truncated and corrupt files now, with a
                # message, rather than when it is re-encoded.
                image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ValidationError(
            "This file is not an image we can read. Please upload a JPEG, PNG or WebP photo.",
            code="invalid_image",
        ) from exc
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValidationError("This image is too large to process.", code="too_large") from exc
    finally:
        upload.seek(0)


def _check_declared(image: Image.Image) -> None:
    width, height = image.size
    if image.format not in ALLOWED_FORMATS:
        raise ValidationError("Please upload a JPEG, PNG or WebP photo.", code="invalid_format")
    if getattr(image, "is_animated", False):
        raise ValidationError(
            "This image is an animation. Please upload a still JPEG, PNG or WebP photo.",
            code="animated",
        )
    if min(width, height) < MIN_SIDE:
        raise ValidationError(
            "This photo is %(width)s×%(height)s pixels. Please choose one at least "
            "%(min)s pixels wide and high.",
            code="too_small",
            params={"width": width, "height": height, "min": MIN_SIDE},
        )
    if max(width, height) > MAX_SIDE or width * height > MAX_PIXELS:
        raise ValidationError(
            "This photo is %(width)s×%(height)s pixels. Please choose one at most "
            "%(max)s pixels wide and high, and of at most %(megapixels)s megapixels.",
            code="too_big",
            params={
                "width": width,
                "height": height,
                "max": MAX_SIDE,
                "megapixels": MAX_PIXELS // 1_000_000,
            },
        )


def reencode_photo(upload) -> dict[int, bytes]:
    """Square-crop, resize and re-encode a validated upload: {size: JPEG bytes}."""
    upload.seek(0)
    with Image.open(upload) as source:
        image = ImageOps.exif_transpose(source)
        if image.mode in ("RGBA", "LA", "P"):
            image = image.convert("RGBA")
            background = Image.new("RGB", image.size, (255, 255, 255))
            background.paste(image, mask=image.getchannel("A"))
            image = background
        else:
            image = image.convert("RGB")
        results = {}
        for size in SIZES:
            square = ImageOps.fit(image, (size, size), Image.Resampling.LANCZOS)
            buffer = io.BytesIO()
            # No exif/icc arguments: the new file carries pixels only.
            square.save(buffer, "JPEG", quality=85, optimize=True, progressive=True)
            results[size] = buffer.getvalue()
    return results
