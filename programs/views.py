from django.views.decorators.http import require_GET

from children import privacy
from core import photos
from programs import campaigns
from programs.models import ActivityPhoto, CampaignAttachment


def _attachment(actor, photo_id):
    """A notice's pages are for whoever may see the campaign (its announcer's scope or what it covers)."""
    found = CampaignAttachment.objects.filter(pk=photo_id).first()
    return found if found is not None and campaigns.visible(actor).filter(pk=found.campaign_id).exists() else None


def _activity_photo(actor, photo_id):
    found = ActivityPhoto.objects.select_related("activity").filter(pk=photo_id).first()
    return found if found is not None and privacy.photos_visible(actor.scope, found.activity) else None


@require_GET
def attachment(request, photo_id: int):
    return photos.serve(request, campaigns.ATTACHMENTS, photo_id, _attachment)


@require_GET
def activity_photo(request, photo_id: int):
    return photos.serve(request, campaigns.PHOTOS, photo_id, _activity_photo)
