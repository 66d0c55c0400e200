"""Signed-in sessions for the price of one cache round trip and no SQL when nothing changed.

``SESSION_ENGINE = "permissions.sessions"``: Django's cached_db sessions (the cache first, the database behind it),
whose cache read also fetches, in the same round trip, the scope version and the session's *sign-in*: the user
row and its Scope as resolved by an earlier request. ``signed_in(request)`` serves them when the sign-in was
resolved under the current scope version, for the same user and the same session hash, and has not outlived the
scope's expiry; otherwise it resolves them as Django does (user row, session hash check) plus the scope, and
stores them for the next request. Every change to roles, grants, the tree or an account (deactivation, password,
name) bumps the scope version (permissions.scope.bump_version), so it shows on the very next request; signing
out deletes the session, and with it the only way to its sign-in.
"""

from django.contrib import auth
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends import cached_db
from django.utils import timezone

from permissions import scope as scopes

SIGN_IN_PREFIX = f"signin:{scopes.SHAPE}:"


class SessionStore(cached_db.SessionStore):
    """cached_db, with the session's sign-in and the scope version read in the same round trip (``ahead``)."""

    def load(self):
        keys = [self.cache_key, scopes.VERSION_KEY, SIGN_IN_PREFIX + self.session_key]
        try:
            found = self._cache.get_many(keys)
        except Exception:  # as cached_db: a key the cache refuses resets the session
            found = {}
        self.ahead = {"version": found.get(scopes.VERSION_KEY), "sign_in": found.get(keys[2])}
        if keys[0] in found:
            return found[keys[0]]
        return super().load()

    def keep_sign_in(self, sign_in: dict, seconds: int) -> None:
        self._cache.set(SIGN_IN_PREFIX + self.session_key, sign_in, seconds)


def signed_in(request):
    """The session's user (AnonymousUser when nobody) and Scope, from the cache when nothing changed."""
    session = getattr(request, "session", None)
    if session is None:  # a request built without the session middleware (RequestFactory)
        user = getattr(request, "user", None) or AnonymousUser()
        return user, scopes.for_user(user)
    user_id = session.get(auth.SESSION_KEY)  # loads the session (one cache round trip: see SessionStore)
    if user_id is None:
        return AnonymousUser(), scopes.EMPTY
    ahead = getattr(session, "ahead", {})
    version, kept = scopes.current_version(ahead.get("version")), ahead.get("sign_in")
    if (kept is not None and kept["version"] == version and kept["user_id"] == user_id
            and kept["hash"] == session.get(auth.HASH_SESSION_KEY) and timezone.now().timestamp() < kept["until"]):
        return kept["user"], kept["scope"]
    user = auth.get_user(request)
    scope, until = scopes.for_user_until(user, version)
    if user.is_authenticated and session.session_key and hasattr(session, "keep_sign_in"):
        now = timezone.now().timestamp()
        until = min(until, now + session.get_expiry_age())
        if until - now >= 1:
            session.keep_sign_in({"version": version, "user_id": user_id, "hash": session.get(auth.HASH_SESSION_KEY),
                                  "until": until, "user": user, "scope": scope}, int(until - now))
    return user, scope
