"""API tokens: generation (shown once), look-up by hash, expiry, revocation and rate limits.

A request's token costs one cache round trip and no SQL when nothing changed, as a session does
(permissions.sessions): the token's row and Scope are kept under its hash with the scope version they were
resolved under and read in the same round trip as the version. Revoking a token bumps the version (as any grant
change does), so the very next request reads the row again and is refused; an expiry is checked on every request;
the unit's grants and the tree change the version too.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from core import ratelimit
from permissions import scope as scopes
from permissions.models import ApiToken
from permissions.scope import Scope

TOKEN_PREFIX = "tw_"
LAST_USED_RESOLUTION = timedelta(minutes=1)
KEPT_PREFIX = f"api-token:{scopes.SHAPE}:"  # + the token's hash: {"version", "until", "token", "scope"}


def new_secret() -> tuple[str, str, str]:
    """(full token, display prefix, sha256) for a new token."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    return token, token[: len(TOKEN_PREFIX) + 6], digest(token)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def authenticate(raw: str) -> tuple[ApiToken, Scope] | None:
    """The live token for ``raw`` and its Scope, or None when unknown, revoked or expired: from the cache when
    resolved under the current scope version and not past its expiry, else from the database (and kept)."""
    key_hash = digest(raw.strip())
    key = KEPT_PREFIX + key_hash
    found = cache.get_many([key, scopes.VERSION_KEY])
    version, kept = scopes.current_version(found.get(scopes.VERSION_KEY)), found.get(key)
    now = timezone.now()
    if kept is None or kept["version"] != version or now.timestamp() >= kept["until"]:
        token = ApiToken.objects.select_related("organization").filter(key_hash=key_hash).first()
        if token is None or token.revoked_at is not None or (token.expires_at and token.expires_at <= now):
            return None
        scope, until = scopes.for_token_until(token, version)
        kept = {"version": version, "token": token, "scope": scope,
                "until": min(until, token.expires_at.timestamp() if token.expires_at else until)}
        _keep(key, kept, now)
    token = kept["token"]
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
        _keep(key, kept, now)
    return token, kept["scope"]


def _keep(key: str, kept: dict, now) -> None:
    seconds = int(min(kept["until"] - now.timestamp(), scopes.CACHE_SECONDS))
    if seconds >= 1:
        cache.set(key, kept, seconds)


def over_rate_limit(token: ApiToken) -> bool:
    """A one-minute window per token (core/ratelimit.py)."""
    return ratelimit.over(f"token:{token.pk}", settings.API_TOKEN_RATE_LIMIT)
