"""Children's photos: consent, EXIF/GPS stripped on upload, private expiring links bound to the actor."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image
from strawberry import relay

from children.models import Child, ChildPhoto
from children.services import PHOTOS as PHOTO_KIND, record_consent
from core import photos
from permissions.actor import Actor
from tests.conftest import GraphQLClient

pytestmark = pytest.mark.django_db

UPLOAD = """
mutation Upload($file: Upload!, $id: ID!) {
  addChildPhoto(input: {childId: $id, file: $file, caption: "六一儿童节"}) { child { photos { caption url } } errors { field code } }
}"""

PHOTOS = "query($id: ID!) { child(id: $id) { photos { url } } }"


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (32, 24), "orange")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (30.0, 36.0, 0.0), 3: "E", 4: (114.0, 18.0, 0.0)}  # GPS IFD
    out = BytesIO()
    image.save(out, "JPEG", exif=exif, comment=b"taken at home")
    return out.getvalue()


def child() -> Child:
    return Child.objects.get(name="张小明")


def gid(c: Child) -> str:
    return str(relay.GlobalID("Child", str(c.pk)))


def upload(client, data: bytes, name="photo.jpg", content_type="image/jpeg"):
    return client.upload(UPLOAD, {"file": SimpleUploadedFile(name, data, content_type=content_type)}, {"id": gid(child())})


def consent_to_photos():
    from datetime import date

    record_consent(Actor.system("test"), child_id=child().pk, given_by="张德厚", relation="祖父", given_on=date(2026, 11, 1), photos=True)


def test_photos_are_refused_without_the_guardians_consent(as_user):
    result = upload(as_user("maliang_league_staff"), jpeg_with_gps()).json()["data"]["addChildPhoto"]
    assert result["errors"] == [{"field": None, "code": "CONSENT_REQUIRED"}]
    assert not ChildPhoto.objects.exists()


def test_uploaded_jpeg_loses_its_exif_and_gps(as_user):
    original = jpeg_with_gps()
    assert Image.open(BytesIO(original)).getexif().get_ifd(0x8825)  # the fixture really carries GPS
    consent_to_photos()
    result = upload(as_user("maliang_league_staff"), original).json()["data"]["addChildPhoto"]
    assert result["errors"] == [] and result["child"]["photos"][0]["caption"] == "六一儿童节"
    stored = (photos.directory(PHOTO_KIND) / ChildPhoto.objects.get().file_name).read_bytes()
    image = Image.open(BytesIO(stored))
    assert not image.getexif() and "comment" not in image.info and b"PhoneMaker" not in stored


def test_photo_link_is_private_expiring_and_bound_to_its_actor(as_user, monkeypatch):
    consent_to_photos()
    staff = as_user("maliang_league_staff")
    upload(staff, jpeg_with_gps())
    url = staff(PHOTOS, {"id": gid(child())})["child"]["photos"][0]["url"]
    assert staff.client.get(url).status_code == 200
    assert staff.client.get(url)["Content-Type"] == "image/jpeg"
    assert Client().get(url).status_code == 404  # anonymous
    assert as_user("baokang_league_admin").client.get(url).status_code == 404  # a link made for someone else
    assert staff.client.get(url[:-3] + "abc").status_code == 404  # tampered
    assert as_user("huangbao_league_staff")(PHOTOS, {"id": gid(child())})["child"] is None
    monkeypatch.setattr(photos, "LINK_SECONDS", -1)
    assert staff.client.get(url).status_code == 404  # expired


def test_viewers_without_pii_get_no_photos(as_user):
    consent_to_photos()
    upload(as_user("maliang_league_staff"), jpeg_with_gps())
    from django.contrib.auth import get_user_model

    from permissions.services import grant_role
    from tests.permissions.helpers import org

    get_user_model().objects.create_user("maliang_viewer3", password="x")
    grant_role(Actor.system("test"), organization_id=org("马良镇团委").pk, role="VIEWER", username="maliang_viewer3")
    assert as_user("maliang_viewer3")(PHOTOS, {"id": gid(child())})["child"]["photos"] == []


def test_not_an_image_and_too_large_are_typed_errors(as_user, settings):
    consent_to_photos()
    staff = as_user("maliang_league_staff")
    wrong = upload(staff, b"%PDF-1.4 not a photo", name="x.jpg").json()["data"]["addChildPhoto"]
    assert wrong["errors"] == [{"field": "file", "code": "PHOTO_TYPE"}]
    settings.PHOTO_MAX_BYTES = 100
    big = upload(staff, jpeg_with_gps()).json()["data"]["addChildPhoto"]
    assert big["errors"] == [{"field": "file", "code": "FILE_TOO_LARGE"}]
    assert not ChildPhoto.objects.exists()


def test_multipart_upload_needs_csrf_for_a_session():
    from tests.conftest import user

    client = Client(enforce_csrf_checks=True)
    client.force_login(user("maliang_league_staff"))
    response = upload(GraphQLClient(client), jpeg_with_gps())
    assert response.status_code == 403


def test_anonymization_deletes_photos_and_their_files(as_user):
    from children.services import anonymize_on_request

    consent_to_photos()
    upload(as_user("maliang_league_staff"), jpeg_with_gps())
    path = photos.directory(PHOTO_KIND) / ChildPhoto.objects.get().file_name
    assert path.exists()
    anonymize_on_request(Actor.system("test"), child_id=child().pk, reason="监护人申请删除")
    assert not path.exists() and not ChildPhoto.objects.exists()


def png(width: int, height: int) -> bytes:
    """A real, complete 1-bit PNG of width×height black pixels: kilobytes on disk, width×height once decoded."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    row, compressor, pixels = b"\x00" * (1 + (width + 7) // 8), zlib.compressobj(9), []
    for start in range(0, height, 1000):
        pixels.append(compressor.compress(row * min(1000, height - start)))
    pixels.append(compressor.flush())
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", b"".join(pixels)) + chunk(b"IEND", b""))


UPLOAD_MESSAGE = """
mutation Upload($file: Upload!, $id: ID!) {
  addChildPhoto(input: {childId: $id, file: $file}) { errors { field code message } }
}"""


@pytest.fixture
def decodes(monkeypatch):
    """Counts the images Pillow decodes."""
    from PIL import ImageFile

    calls, load = [], ImageFile.ImageFile.load
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda image: calls.append(image.size) or load(image))
    return calls


def upload_png(client, data: bytes, **headers) -> list[dict]:
    response = client.upload(UPLOAD_MESSAGE, {"file": SimpleUploadedFile("big.png", data, content_type="image/png")},
                             {"id": gid(child())}, **headers)
    assert response.status_code == 200, response.content
    return response.json()["data"]["addChildPhoto"]["errors"]


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")  # Pillow's own, for 144 MP
@pytest.mark.parametrize("width, height", [
    pytest.param(20000, 20000, id="400 MP: failed with an internal error"),
    pytest.param(12000, 12000, id="144 MP: accepted after 9 s of CPU"),
    pytest.param(8000, 6000, id="48 MP: below Pillow's own limit"),
])
def test_a_decompression_bomb_is_refused_from_its_header_before_any_decoding(as_user, decodes, width, height):
    consent_to_photos()
    bomb = png(width, height)
    assert len(bomb) < 100 * 1024
    staff = as_user("maliang_league_staff")

    assert upload_png(staff, bomb) == [{"field": "file", "code": "PHOTO_TOO_LARGE", "message": "图片尺寸过大（最多 4000 万像素）。"}]
    assert upload_png(staff, bomb, HTTP_ACCEPT_LANGUAGE="en")[0]["message"] == "The image is too large (at most 40 megapixels)."
    assert decodes == [] and not ChildPhoto.objects.exists()


def test_the_pixel_limit_is_inclusive_and_configurable(as_user, settings, decodes):
    consent_to_photos()
    staff = as_user("maliang_league_staff")
    settings.PHOTO_MAX_PIXELS = 32 * 24 - 1  # jpeg_with_gps() is 32×24
    assert upload(staff, jpeg_with_gps()).json()["data"]["addChildPhoto"]["errors"] == [{"field": "file", "code": "PHOTO_TOO_LARGE"}]
    assert decodes == []
    settings.PHOTO_MAX_PIXELS = 32 * 24
    assert upload(staff, jpeg_with_gps()).json()["data"]["addChildPhoto"]["errors"] == []
    assert (32, 24) in decodes  # the spy sees a decode when there is one


@pytest.mark.filterwarnings("error::PIL.Image.DecompressionBombWarning")
@pytest.mark.parametrize("side", [
    pytest.param(20000, id="Pillow's DecompressionBombError (400 MP)"),
    pytest.param(12000, id="Pillow's DecompressionBombWarning, raised as an error (144 MP)"),
])
def test_pillows_own_bomb_check_is_the_same_typed_error_when_the_limit_is_set_above_it(as_user, settings, side):
    consent_to_photos()
    settings.PHOTO_MAX_PIXELS = 10**9
    assert [e["code"] for e in upload_png(as_user("maliang_league_staff"), png(side, side))] == ["PHOTO_TOO_LARGE"]


def test_a_truncated_image_is_a_typed_error_not_a_crash(as_user):
    consent_to_photos()
    truncated = jpeg_with_gps()[:-200]
    assert upload(as_user("maliang_league_staff"), truncated).json()["data"]["addChildPhoto"]["errors"] == \
        [{"field": "file", "code": "PHOTO_TYPE"}]


def test_every_photo_upload_shares_the_pixel_limit():
    """Child, wish delivery, activity, campaign and report photos all go through core.photos.clean."""
    from core.errors import ServiceError

    with pytest.raises(ServiceError) as refused:
        photos.clean(SimpleUploadedFile("big.png", png(20000, 20000), content_type="image/png"))
    assert refused.value.code.name == "PHOTO_TOO_LARGE"
