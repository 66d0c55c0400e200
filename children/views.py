from django.views.decorators.http import require_GET

from children import privacy
from children.models import ChildPhoto
from children.services import PHOTOS
from core import photos


def _find(actor, photo_id):
    found = ChildPhoto.objects.select_related("child").filter(pk=photo_id).first()
    return found if found is not None and privacy.photos_visible(actor.scope, found.child) else None


@require_GET
def photo(request, photo_id: int):
    return photos.serve(request, PHOTOS, photo_id, _find)
