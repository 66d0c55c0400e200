"""The request's Actor, as resolvers read it (set for every request by permissions.middleware.ActorMiddleware)."""

from strawberry import Info

from permissions.actor import Actor
from permissions.scope import EMPTY


def actor_of(info: Info) -> Actor:
    actor = getattr(info.context.request, "actor", None)
    return actor if actor is not None else Actor(scope=EMPTY)
