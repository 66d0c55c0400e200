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
