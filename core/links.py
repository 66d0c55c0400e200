"""Expiring signed links for private files: the signature names the object, the view re-checks permission."""

import base64

from django.core import signing

DEFAULT_SECONDS = 3600


def sign(purpose: str, value) -> str:
    return signing.TimestampSigner(salt=purpose).sign(str(value)).split(":", 1)[1]


def valid(purpose: str, value, signature: str, max_age: int = DEFAULT_SECONDS) -> bool:
    try:
        return signing.TimestampSigner(salt=purpose).unsign(f"{value}:{signature}", max_age=max_age) == str(value)
    except signing.BadSignature:
        return False


def global_id(type_name: str, pk) -> str:
    """An object's ID as the API and the console name it (Relay's global ID: base64 of "Type:pk"), for links that
    notifications put into the console, written without importing the API layer."""
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()
