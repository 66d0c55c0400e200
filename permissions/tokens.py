"""API tokens: generation (shown once), look-up by hash, expiry, revocation and rate limits."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from core import ratelimit
from permissions.models import ApiToken

TOKEN_PREFIX = "tw_"
LAST_USED_RESOLUTION = timedelta(minutes=1)


def new_secret() -> tuple[str, str, str]:
    """(full token, display prefix, sha256) for a new token."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    return token, token[: len(TOKEN_PREFIX) + 6], digest(token)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def authenticate(raw: str) -> ApiToken | None:
    """The live token for ``raw``, or None when unknown, revoked or expired."""
    token = ApiToken.objects.select_related("organization").filter(key_hash=digest(raw.strip())).first()
    now = timezone.now()
    if token is None or token.revoked_at is not None or (token.expires_at and token.expires_at <= now):
        return None
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def over_rate_limit(token: ApiToken) -> bool:
    """A one-minute window per token (core/ratelimit.py)."""
    return ratelimit.over(f"token:{token.pk}", settings.API_TOKEN_RATE_LIMIT)
