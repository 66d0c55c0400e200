"""Delivery photos (发放现场): multipart upload, EXIF/GPS stripped, the child's photo consent, private links."""

from datetime import date
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from children.models import Child
from children.services import record_consent
from core import photos
from tests.children.test_photos import jpeg_with_gps
from tests.permissions.helpers import SYSTEM
from tests.wishes.helpers import new_donor, wish_gid, wish_in
from wishes.models import State, Wish, WishPhoto
from wishes.services import PHOTOS

pytestmark = pytest.mark.django_db

DELIVER = """
mutation RecordDelivery($input: RecordDeliveryInput!) {
  recordDelivery(input: $input) { wish { state photos { url } } errors { field code } }
}"""


def deliver(client, wish: Wish, count: int = 1):
    files = {f"input.photos.{i}": SimpleUploadedFile(f"scene{i}.jpg", jpeg_with_gps(), "image/jpeg") for i in range(count)}
    variables = {"input": {"wishId": wish_gid(wish), "note": "在马良镇中心小学发放", "photos": [None] * count}}
    payload = client.upload(DELIVER, files, variables).json()
    assert payload.get("data"), payload
    return payload["data"]["recordDelivery"]


def claimed_child_wish() -> Wish:
    return wish_in("CLAIMED", donor=new_donor("photo_donor"), child_id=Child.objects.get(name="张小明").pk)


def test_delivery_photos_need_the_childs_photo_consent(as_user):
    wish = claimed_child_wish()
    result = deliver(as_user("maliang_league_staff"), wish)
    assert result["errors"] == [{"field": None, "code": "CONSENT_REQUIRED"}]
    wish.refresh_from_db()
    assert wish.state == State.CLAIMED and not WishPhoto.objects.exists()  # nothing half-written


def test_delivery_with_photos_strips_exif_and_serves_them_privately(as_user):
    wish = claimed_child_wish()
    record_consent(SYSTEM, child_id=wish.child_id, given_by="张德厚", relation="祖父", given_on=date(2026, 11, 1), photos=True)
    staff = as_user("maliang_league_staff")
    result = deliver(staff, wish, count=2)
    assert result["errors"] == [] and result["wish"]["state"] == "DELIVERED" and len(result["wish"]["photos"]) == 2
    stored = (photos.directory(PHOTOS) / WishPhoto.objects.first().file_name).read_bytes()
    assert not Image.open(BytesIO(stored)).getexif() and b"PhoneMaker" not in stored
    url = result["wish"]["photos"][0]["url"]
    assert staff.client.get(url).status_code == 200
    assert Client().get(url).status_code == 404
    assert as_user("huangbao_league_staff").client.get(url).status_code == 404


def test_a_wish_without_a_child_needs_no_consent_and_bad_files_are_refused(as_user):
    wish = wish_in("CLAIMED", donor=new_donor("household_donor"))
    assert wish.child_id is None
    staff = as_user("maliang_league_staff")
    bad = staff.upload(DELIVER, {"input.photos.0": SimpleUploadedFile("x.jpg", b"not an image", "image/jpeg")},
                       {"input": {"wishId": wish_gid(wish), "photos": [None]}}).json()["data"]["recordDelivery"]
    assert bad["errors"] == [{"field": "file", "code": "PHOTO_TYPE"}]
    assert deliver(staff, wish)["errors"] == []
