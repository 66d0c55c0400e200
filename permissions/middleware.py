"""Who is acting in a request: ``request.actor`` for every view, and API tokens for partner units.

``Authorization: Bearer <token>`` for partner units on the GraphQL endpoint.

A request carrying a token is authenticated by the token alone (any session is ignored) and needs no CSRF
token: browsers cannot add this header cross-site without the server's consent. Unknown, expired or revoked
tokens get 401; a token over its rate gets 429 — each with a Chinese and English message.
"""

from django.contrib.auth.models import AnonymousUser
from django.http import JsonResponse
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from permissions import tokens
from permissions.actor import Actor


def _error(status: int, code: str, zh: str, en: str) -> JsonResponse:
    return JsonResponse({"errors": [{"message": zh, "messageEn": en, "extensions": {"code": code}}]}, status=status)


class BearerTokenMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.api_token = None
        header = request.headers.get("Authorization", "")
        if header[:7].lower() == "bearer " and request.path == reverse("graphql"):
            found = tokens.authenticate(header[7:])
            if found is None:
                return _error(401, "INVALID_TOKEN", "接口令牌无效、已过期或已吊销。", "The API token is invalid, expired or revoked.")
            token, request.api_scope = found
            if tokens.over_rate_limit(token):
                return _error(429, "RATE_LIMITED", "请求过于频繁，请稍后再试。", "Too many requests for this token; retry later.")
            request.api_token = token
            request._dont_enforce_csrf_checks = True
        return self.get_response(request)


class ActorMiddleware:
    """Sets ``request.actor`` (Actor.from_request), resolved on first use: the scope is only looked up by views
    that read it. Without a token, ``request.user`` comes from the same resolution (permissions.sessions: no SQL
    when nothing changed) instead of AuthenticationMiddleware's query. Place it after AuthenticationMiddleware and
    BearerTokenMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        actor = SimpleLazyObject(lambda: Actor.from_request(request))
        if getattr(request, "api_token", None) is None:
            request.user = SimpleLazyObject(lambda: actor.user or AnonymousUser())
        request.actor = actor
        return self.get_response(request)
