"""Encryption of personal data at rest and the keyed hash (blind index) for exact look-up.

Field values are sealed with AES-256-GCM: ``gcm1.`` then base64url of the key's id (8 bytes), a random 96-bit
nonce and the ciphertext with its 16-byte tag, e.g. 77 characters for an 18-digit ID number (a Fernet token of
the same value has 120: the new token is always shorter, so every column that held Fernet tokens holds these).
The keys are derived (HKDF, an ``info`` of their own) from each of ``settings.FIELD_ENCRYPTION_KEYS`` (newest
first; older keys still decrypt, so keys rotate by prepending one and running ``manage.py rotate_field_keys``),
so no other secret is needed. GCM because a page of 50 children decrypts over a hundred values per request:
about 2.3 µs each here against 8-16 µs for Fernet (AES-CBC and an HMAC through Fernet's Python layers).
Random nonces are safe far beyond this data (the limit is 2**32 values per key; a province is a few million).
Fernet tokens (written before GCM, recognised by lacking the prefix) still decrypt, so a database keeps working
while ``rotate_field_keys`` re-seals it. Every failure (altered token, key no longer configured) raises
Fernet's ``InvalidToken``, one type for callers.

The blind index is an HMAC-SHA256 of the normalized value under ``settings.BLIND_INDEX_KEY``: equal inputs give
equal digests, the digest reveals nothing.

Files at rest (job results and uploaded imports) are sealed as a stream under keys derived from the same
FIELD_ENCRYPTION_KEYS (``FileWriter`` / ``read_file``): a header (magic, the key's id, a random salt), then
AES-256-GCM chunks of 64 KiB under a key of the file's own (HKDF of the configured key and the salt). A chunk's
nonce is its index and a "last chunk" flag, and every chunk authenticates the header, so chunks cannot be
altered, reordered, dropped or cut off at the end without decryption failing (the STREAM construction).
Writing and reading keep one chunk in memory.
"""

import base64
import binascii
import hashlib
import hmac
import os
import struct
from collections.abc import Iterator
from functools import cache, lru_cache
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.signals import setting_changed


FIELD_PREFIX = "gcm1."
KEY_ID_BYTES, NONCE_BYTES = 8, 12


def _hkdf(secret: bytes, info: bytes, salt: bytes | None = None) -> bytes:
    return HKDF(algorithm=SHA256(), length=32, salt=salt, info=info).derive(secret)


@lru_cache(maxsize=4)
def _field_ciphers(keys: tuple[str, ...]) -> dict[bytes, AESGCM]:
    """{key id: cipher} for each configured key, newest first (dicts keep their order)."""
    secrets = [base64.urlsafe_b64decode(k) for k in keys]
    return {_hkdf(s, b"fields at rest: key id")[:KEY_ID_BYTES]: AESGCM(_hkdf(s, b"fields at rest: key"))
            for s in secrets}


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    """Only to read the tokens written before GCM."""
    return MultiFernet([Fernet(k.encode()) for k in keys])


@cache
def _keys() -> tuple[str, ...]:
    """``settings.FIELD_ENCRYPTION_KEYS``, read once: a page decrypts over a hundred values, and each read of a
    setting goes through Django's lazy settings object (3% of a page's CPU). Forgotten when the setting changes."""
    return tuple(settings.FIELD_ENCRYPTION_KEYS)


@cache
def _ciphers() -> dict[bytes, AESGCM]:
    """``_field_ciphers`` of the configured keys, found by one call (a page decrypts over a hundred values)."""
    return _field_ciphers(_keys())


def _forget_keys(setting, **kwargs):
    if setting == "FIELD_ENCRYPTION_KEYS":
        _keys.cache_clear()
        _ciphers.cache_clear()


setting_changed.connect(_forget_keys)


def encrypt(value: str) -> str:
    key_id, cipher = next(iter(_field_ciphers(_keys()).items()))
    nonce = os.urandom(NONCE_BYTES)
    sealed = key_id + nonce + cipher.encrypt(nonce, value.encode(), None)
    return FIELD_PREFIX + base64.urlsafe_b64encode(sealed).decode()


_URLSAFE = bytes.maketrans(b"-_", b"+/")


def decrypt(token: str) -> str:
    """The value of a GCM or (older) Fernet token; InvalidToken if altered or under no configured key. The token's
    base64 is read as ``base64.urlsafe_b64decode`` reads it, without its three Python calls (a page of children
    decrypts over a hundred values)."""
    if not token.startswith(FIELD_PREFIX):
        return _fernet(_keys()).decrypt(token.encode()).decode()
    try:
        sealed = binascii.a2b_base64(token[_PREFIX_LENGTH:].encode("ascii").translate(_URLSAFE))
        return _ciphers()[sealed[:KEY_ID_BYTES]].decrypt(sealed[KEY_ID_BYTES:_SEALED_AT], sealed[_SEALED_AT:],
                                                         None).decode()
    except (KeyError, ValueError, InvalidTag):  # unknown key id, bad base64 or too short, altered
        raise InvalidToken from None


_PREFIX_LENGTH, _SEALED_AT = len(FIELD_PREFIX), KEY_ID_BYTES + NONCE_BYTES


def rotate(token: str) -> str:
    """The same value as a GCM token under the newest key."""
    return encrypt(decrypt(token))


def blind_index(value: str) -> str:
    return hmac.new(settings.BLIND_INDEX_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


# Files at rest -------------------------------------------------------------------------------------------

MAGIC = b"TWF\x01"
SALT_BYTES, TAG_BYTES = 16, 16
HEADER_BYTES = len(MAGIC) + KEY_ID_BYTES + SALT_BYTES
CHUNK = 64 * 1024


class UnreadableFile(Exception):
    """Not a sealed file, sealed under a key no longer configured, or altered."""


@lru_cache(maxsize=4)
def _file_keys(keys: tuple[str, ...]) -> dict[bytes, bytes]:
    """{key id: file master key} for each configured key, newest first (dicts keep their order)."""
    masters = [_hkdf(base64.urlsafe_b64decode(k), b"files at rest: master") for k in keys]
    return {_hkdf(master, b"files at rest: key id")[:KEY_ID_BYTES]: master for master in masters}


def _chunk_cipher(master: bytes, salt: bytes) -> AESGCM:
    return AESGCM(_hkdf(master, b"files at rest: file key", salt))


def _nonce(index: int, last: bool) -> bytes:
    return struct.pack(">QI", index, 1 if last else 0)  # 12 bytes; the key is the file's own, so no nonce repeats


class FileWriter:
    """A write-only binary stream that seals what it is given into ``path`` (``with FileWriter(path) as out``).

    The sealed file appears at ``path`` only when the block ends without an error (written beside it, then
    renamed); on an error the partial file is removed. It offers no ``seek``/``tell``: zipfile (xlsxwriter)
    then writes a streamed zip, so a workbook goes to disk sealed and never whole in memory."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._partial = self.path.with_name(f".{self.path.name}.{os.urandom(6).hex()}.partial")
        key_id, master = next(iter(_file_keys(_keys()).items()))
        salt = os.urandom(SALT_BYTES)
        self._header = MAGIC + key_id + salt
        self._cipher = _chunk_cipher(master, salt)
        self._buffer = bytearray()
        self._index = 0
        self._out = open(self._partial, "xb")
        self._out.write(self._header)

    def write(self, data) -> int:
        self._buffer += data
        if len(self._buffer) > CHUNK:  # keep at least one byte back: the last chunk is sealed as the last
            cut = (len(self._buffer) - 1) // CHUNK * CHUNK
            view = memoryview(self._buffer)
            for start in range(0, cut, CHUNK):
                self._seal(view[start:start + CHUNK], last=False)
            view.release()
            del self._buffer[:cut]
        return len(data)

    def flush(self) -> None:
        pass

    def _seal(self, chunk, last: bool) -> None:
        self._out.write(self._cipher.encrypt(_nonce(self._index, last), bytes(chunk), self._header))
        self._index += 1

    def close(self) -> None:
        if self._out.closed:
            return
        self._seal(self._buffer, last=True)
        self._buffer.clear()
        self._out.close()
        os.replace(self._partial, self.path)

    def discard(self) -> None:
        self._out.close()
        self._partial.unlink(missing_ok=True)

    def __enter__(self) -> "FileWriter":
        return self

    def __exit__(self, kind, error, traceback) -> None:
        if kind is None:
            self.close()
        else:
            self.discard()


def read_file(path: Path) -> Iterator[bytes]:
    """The clear content of a sealed file, chunk by chunk. The header and key are checked at once
    (UnreadableFile, or FileNotFoundError); each chunk is authenticated before it is given out."""
    source = open(path, "rb")
    try:
        header = source.read(HEADER_BYTES)
        master = _file_keys(_keys()).get(header[len(MAGIC):len(MAGIC) + KEY_ID_BYTES])
        if len(header) < HEADER_BYTES or not header.startswith(MAGIC) or master is None:
            raise UnreadableFile(str(path))
    except BaseException:
        source.close()
        raise
    return _chunks(source, header, _chunk_cipher(master, header[-SALT_BYTES:]))


def _chunks(source, header: bytes, cipher: AESGCM) -> Iterator[bytes]:
    with source:
        index, sealed = 0, source.read(CHUNK + TAG_BYTES)
        while True:
            following = source.read(CHUNK + TAG_BYTES)
            try:
                clear = cipher.decrypt(_nonce(index, not following), sealed, header)
            except InvalidTag:
                raise UnreadableFile(f"{source.name}: chunk {index}") from None
            yield clear
            if not following:
                return
            index, sealed = index + 1, following


def clear_size(path: Path) -> int:
    """The size of a sealed file's clear content, from its size on disk."""
    sealed = Path(path).stat().st_size - HEADER_BYTES
    chunks = -(-sealed // (CHUNK + TAG_BYTES))
    return sealed - chunks * TAG_BYTES
