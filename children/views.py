from django.http import HttpResponse
from django.views.decorators.http import require_GET

from children import excel, privacy
from children.models import ChildPhoto
from children.services import PHOTOS
from core import photos


def _find(actor, photo_id):
    found = ChildPhoto.objects.select_related("child").filter(pk=photo_id).first()
    return found if found is not None and privacy.photos_visible(actor.scope, found.child) else None


@require_GET
def photo(request, photo_id: int):
    return photos.serve(request, PHOTOS, photo_id, _find)


@require_GET
def import_template(request):
    """The roster import template (no data in it): for signed-in staff."""
    if not request.user.is_authenticated:
        return HttpResponse(status=403)
    response = HttpResponse(excel.template(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = "attachment; filename*=UTF-8''%E7%95%99%E5%AE%88%E5%84%BF%E7%AB%A5%E8%8A%B1%E5%90%8D%E5%86%8C%E6%A8%A1%E6%9D%BF.xlsx"
    return response
