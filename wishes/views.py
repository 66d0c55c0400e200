from django.views.decorators.http import require_GET

from core import photos
from wishes import services
from wishes.models import WishPhoto
from wishes.services import PHOTOS


def _find(actor, photo_id):
    found = WishPhoto.objects.select_related("wish__child").filter(pk=photo_id).first()
    if found is None:
        return None
    visible = services.photos_visible(actor.scope, found.wish) or services.photos_shown_to_claimant(actor, found.wish)
    return found if visible else None


@require_GET
def photo(request, photo_id: int):
    return photos.serve(request, PHOTOS, photo_id, _find)
