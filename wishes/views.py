from django.views.decorators.http import require_GET

from core import photos
from orgs.models import Organization
from wishes.models import WishPhoto
from wishes.services import PHOTOS, VIEW


def _find(actor, photo_id):
    """Delivery photos are for the staff who may see the wish's record."""
    found = WishPhoto.objects.select_related("wish").filter(pk=photo_id).first()
    if found is None or not actor.can(VIEW, Organization(id=found.wish.organization_id, path=found.wish.org_path)):
        return None
    return found


@require_GET
def photo(request, photo_id: int):
    return photos.serve(request, PHOTOS, photo_id, _find)
