"""The request's Actor, built once per request by the view and read by resolvers."""

from strawberry import Info

from permissions.actor import Actor
from permissions.scope import EMPTY


def build_actor(request) -> Actor:
    ip = request.META.get("REMOTE_ADDR")
    if getattr(request, "api_token", None) is not None:
        return Actor.for_token(request.api_token, ip=ip)
    return Actor.for_user(getattr(request, "user", None), ip=ip)


def actor_of(info: Info) -> Actor:
    request = info.context.request
    actor = getattr(request, "actor", None)
    return actor if actor is not None else Actor(scope=EMPTY)
