"""The request's Actor, as resolvers read it (set for every request by permissions.middleware.ActorMiddleware)."""

from datetime import date

from django.utils import timezone
from strawberry import Info

from permissions.actor import Actor
from permissions.scope import EMPTY


def actor_of(info: Info) -> Actor:
    actor = getattr(info.context.request, "actor", None)
    return actor if actor is not None else Actor(scope=EMPTY)


def today(info: Info) -> date:
    """The local date of the request, read once (ages on a page of rows are all counted to the same day)."""
    request = info.context.request
    if "today" not in request.__dict__:
        request.today = timezone.localdate()
    return request.today
