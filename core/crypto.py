"""Encryption of personal data at rest and the keyed hash (blind index) for exact look-up.

Values are Fernet tokens under ``settings.FIELD_ENCRYPTION_KEYS`` (newest first; older keys still decrypt,
so keys rotate by prepending one and re-encrypting). The blind index is an HMAC-SHA256 of the normalized
value under ``settings.BLIND_INDEX_KEY``: equal inputs give equal digests, the digest reveals nothing.
"""

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k.encode()) for k in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(value: str) -> str:
    return fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    return fernet().decrypt(token.encode()).decode()


def rotate(token: str) -> str:
    """The same value under the newest key."""
    return fernet().rotate(token.encode()).decode()


def blind_index(value: str) -> str:
    return hmac.new(settings.BLIND_INDEX_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()
