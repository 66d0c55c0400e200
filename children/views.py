from django.views.decorators.http import require_GET

from children.models import ChildPhoto
from children.services import PHOTOS
from core import photos
from orgs.models import Organization


def _find(actor, photo_id):
    """Children's photos need the PII permission over the child's organization."""
    found = ChildPhoto.objects.select_related("child").filter(pk=photo_id).first()
    if found is None or not actor.can("children.view_child_pii", Organization(id=found.child.organization_id, path=found.child.org_path)):
        return None
    return found


@require_GET
def photo(request, photo_id: int):
    return photos.serve(request, PHOTOS, photo_id, _find)
