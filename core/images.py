"""Uploaded photos: checked to be real JPEG or PNG images of a bounded size, re-encoded without EXIF, GPS or
comments.

The size is read from the header (``Image.open`` is lazy) and an image above ``max_pixels`` is refused
before anything is decoded: a 389 KB PNG may declare 20000×20000 pixels, 1.2 GB once decoded. Pillow's own
decompression-bomb check (an error above twice ``Image.MAX_IMAGE_PIXELS``, a warning above it, which a
warnings filter may turn into an error) stays as a second wall and reads as the same refusal.
"""

from io import BytesIO

from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED = {"JPEG": "image/jpeg", "PNG": "image/png"}


class NotAnImage(Exception):
    pass


class TooLarge(Exception):
    pass


def clean(data: bytes, max_pixels: int) -> tuple[bytes, str]:
    """(re-encoded bytes, content type). Orientation is applied, then every metadata block dropped."""
    try:
        with Image.open(BytesIO(data), formats=list(ALLOWED)) as probe:
            width, height = probe.size
            if width * height > max_pixels:
                raise TooLarge
            probe.verify()
        image = Image.open(BytesIO(data), formats=list(ALLOWED))
        kind = image.format
        if kind not in ALLOWED:  # e.g. MPO, which Pillow's JPEG plugin opens
            raise NotAnImage(kind)
        image = ImageOps.exif_transpose(image)
        out = BytesIO()
        if kind == "JPEG":
            image.convert("RGB").save(out, "JPEG", quality=88, exif=b"", comment=b"")
        else:
            image.save(out, "PNG")
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise TooLarge from None
    # a truncated or malformed file fails here, while verifying or decoding (PNG text chunks that inflate
    # beyond Pillow's limit raise ValueError)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise NotAnImage(str(error)) from error
    return out.getvalue(), ALLOWED[kind]
