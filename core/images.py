"""Uploaded photos: checked to be real JPEG or PNG images and re-encoded without EXIF, GPS or comments."""

from io import BytesIO

from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED = {"JPEG": "image/jpeg", "PNG": "image/png"}


class NotAnImage(ValueError):
    pass


def clean(data: bytes) -> tuple[bytes, str]:
    """(re-encoded bytes, content type). Orientation is applied, then every metadata block dropped."""
    try:
        with Image.open(BytesIO(data)) as probe:
            probe.verify()
        image = Image.open(BytesIO(data))
        kind = image.format
        if kind not in ALLOWED:
            raise NotAnImage(kind)
        image = ImageOps.exif_transpose(image)
    except (UnidentifiedImageError, OSError, SyntaxError) as error:
        raise NotAnImage(str(error)) from error
    out = BytesIO()
    if kind == "JPEG":
        image.convert("RGB").save(out, "JPEG", quality=88, exif=b"", comment=b"")
    else:
        image.save(out, "PNG")
    return out.getvalue(), ALLOWED[kind]
