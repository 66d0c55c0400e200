from django.views.decorators.http import require_GET

from core import photos
from wishes import services
from wishes.models import WishPhoto
from wishes.services import PHOTOS


def _find(actor, photo_id):
    found = WishPhoto.objects.select_related("wish__child").filter(pk=photo_id).first()
    return found if found is not None and services.photos_visible(actor.scope, found.wish) else None


@require_GET
def photo(request, photo_id: int):
    return photos.serve(request, PHOTOS, photo_id, _find)
