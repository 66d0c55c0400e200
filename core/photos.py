"""Private photos (a child's file, a wish's delivery, later activities): size and type checked, EXIF/GPS and
comments stripped, stored under VAR_DIR/private/<kind>/ and served only through expiring links that are bound
to the actor they were made for; the serving view re-checks the actor's permission on every request."""

import uuid
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404

from core import images, links
from core.errors import CommonErrorCode, ServiceError, plain_number

LINK_SECONDS = 15 * 60


def directory(kind: str) -> Path:
    path = Path(settings.VAR_DIR) / "private" / kind
    path.mkdir(parents=True, exist_ok=True)
    return path


def clean(upload) -> tuple[bytes, str, str]:
    """(cleaned bytes, content type, new file name) or FILE_TOO_LARGE / PHOTO_TOO_LARGE / PHOTO_TYPE."""
    if upload.size > settings.PHOTO_MAX_BYTES:
        raise ServiceError(CommonErrorCode.FILE_TOO_LARGE, "file", limit=settings.PHOTO_MAX_BYTES // (1024 * 1024))
    try:
        data, content_type = images.clean(upload.read(), settings.PHOTO_MAX_PIXELS)
    except images.TooLarge:
        raise ServiceError(CommonErrorCode.PHOTO_TOO_LARGE, "file", wan=plain_number(settings.PHOTO_MAX_PIXELS / 10**4),
                           megapixels=plain_number(settings.PHOTO_MAX_PIXELS / 10**6)) from None
    except images.NotAnImage:
        raise ServiceError(CommonErrorCode.PHOTO_TYPE, "file") from None
    return data, content_type, f"{uuid.uuid4().hex}.{'jpg' if content_type == 'image/jpeg' else 'png'}"


def write(kind: str, name: str, data: bytes) -> None:
    """Call last in the service: a failed write then undoes the row that names the file."""
    (directory(kind) / name).write_bytes(data)


def store_many(kind: str, uploads, make_row, limit: int) -> list:
    """Check and strip every upload, insert a row per photo (``make_row(file_name, content_type)`` builds
    an unsaved one), then write the files. Call inside the service's transaction: a bad upload changes
    nothing, and a failed write undoes the rows."""
    if len(uploads) > limit:
        raise ServiceError(CommonErrorCode.INVALID, "photos", detail=f"≤ {limit}")
    cleaned = [clean(upload) for upload in uploads]
    rows = [make_row(name, content_type) for _data, content_type, name in cleaned]
    if rows:
        type(rows[0]).objects.bulk_create(rows)
    for data, _content_type, name in cleaned:
        write(kind, name, data)
    return rows


def discard(kind: str, name: str) -> None:
    (directory(kind) / name).unlink(missing_ok=True)


def _subject(photo_id: int, actor) -> str:
    who = f"token-{actor.token.pk}" if actor.token is not None else f"user-{getattr(actor.user, 'pk', None)}"
    return f"{photo_id}.{who}"


def url(kind: str, photo_id: int, actor) -> str:
    return f"/files/{kind}/{photo_id}/?sig={links.sign(kind, _subject(photo_id, actor))}"


def serve(request, kind: str, photo_id: int, find):
    """The file for a valid, unexpired link made for this actor; ``find(actor, photo_id)`` returns the photo
    row only if the actor may still see it. Anything else is 404, with no hint."""
    actor = request.actor
    if not links.valid(kind, _subject(photo_id, actor), request.GET.get("sig", ""), LINK_SECONDS):
        raise Http404
    photo = find(actor, photo_id)
    path = directory(kind) / photo.file_name if photo is not None else None
    if path is None or not path.is_file():
        raise Http404
    response = FileResponse(open(path, "rb"), content_type=photo.content_type)
    response["Cache-Control"] = "private, no-store"
    return response
