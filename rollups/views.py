from django.views.decorators.http import require_GET

from core import photos
from rollups import reports
from rollups.models import ReportPhoto


def _find(actor, photo_id):
    """A report's photos are for whoever may see the report (the subordinate and the superior that asked)."""
    return ReportPhoto.objects.filter(pk=photo_id, report__in=reports.visible_reports(actor)).first()


@require_GET
def photo(request, photo_id: int):
    return photos.serve(request, reports.PHOTOS, photo_id, _find)
