from django.http import FileResponse, Http404
from django.views.decorators.http import require_GET

from children.models import ChildPhoto
from children.services import photo_directory
from core import links
from graphql_api.context import build_actor
from orgs.models import Organization

PURPOSE = "children.photo"
LINK_SECONDS = 15 * 60


def link_subject(photo_id: int, actor) -> str:
    """The link is bound to the photo and to the actor it was made for."""
    who = f"token-{actor.token.pk}" if actor.token is not None else f"user-{getattr(actor.user, 'pk', None)}"
    return f"{photo_id}.{who}"


def photo_url(photo_id: int, actor) -> str:
    return f"/files/child-photos/{photo_id}/?sig={links.sign(PURPOSE, link_subject(photo_id, actor))}"


@require_GET
def photo(request, photo_id: int):
    """A child's photo for a valid, unexpired link made for this actor, who must still see the child's PII."""
    actor = build_actor(request)
    if not links.valid(PURPOSE, link_subject(photo_id, actor), request.GET.get("sig", ""), LINK_SECONDS):
        raise Http404
    found = ChildPhoto.objects.select_related("child").filter(pk=photo_id).first()
    if found is None or not actor.can("children.view_child_pii", Organization(id=found.child.organization_id, path=found.child.org_path)):
        raise Http404
    path = photo_directory() / found.file_name
    if not path.is_file():
        raise Http404
    response = FileResponse(open(path, "rb"), content_type=found.content_type)
    response["Cache-Control"] = "private, no-store"
    return response
