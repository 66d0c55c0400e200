"""Personal fields at rest (core.crypto.encrypt / decrypt / rotate): AES-GCM tokens, no longer than Fernet's,
Fernet tokens written before them still read, rotation re-seals both, every failure is InvalidToken."""

import base64

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import call_command
from django.db import connection

from children.models import Child
from core import crypto

VALUES = ["", "张小明", "420626201203150013", "13872109876", "湖北省襄阳市保康县马良镇 3 组 12 号" * 40, "x" * 10_000]


def old_fernet_token(value: str, key: str) -> str:
    """A token as core.crypto wrote them before GCM (MultiFernet.encrypt is the first key's Fernet.encrypt)."""
    return Fernet(key.encode()).encrypt(value.encode()).decode()


@pytest.mark.parametrize("value", VALUES)
def test_values_round_trip_as_gcm_tokens(value):
    token = crypto.encrypt(value)
    assert token.startswith(crypto.FIELD_PREFIX) and token.isascii()
    assert (not value or value not in token) and crypto.decrypt(token) == value


def test_a_gcm_token_is_shorter_than_fernets_for_every_length(settings):
    """The columns held Fernet tokens: a value of any length fits after rotation, nothing was widened."""
    key = settings.FIELD_ENCRYPTION_KEYS[0]
    for length in range(300):
        for value in ("9" * length, "镇" * length):
            assert len(crypto.encrypt(value)) < len(old_fernet_token(value, key)), (length, value[:1])


def test_two_encryptions_of_the_same_value_differ():
    first, second = crypto.encrypt("420626201203150013"), crypto.encrypt("420626201203150013")
    nonce = slice(crypto.KEY_ID_BYTES, crypto.KEY_ID_BYTES + crypto.NONCE_BYTES)
    assert raw(first)[nonce] != raw(second)[nonce] and first != second


def raw(token: str) -> bytes:
    return base64.urlsafe_b64decode(token.removeprefix(crypto.FIELD_PREFIX))


def sealed(data: bytes) -> str:
    return crypto.FIELD_PREFIX + base64.urlsafe_b64encode(data).decode()


@pytest.mark.parametrize("value", VALUES)
def test_fernet_tokens_written_before_gcm_still_decrypt_under_any_configured_key(settings, value):
    older = settings.FIELD_ENCRYPTION_KEYS[0]
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), older]
    assert crypto.decrypt(old_fernet_token(value, older)) == value


def test_rotate_turns_fernet_and_older_keys_into_gcm_under_the_newest(settings):
    older = settings.FIELD_ENCRYPTION_KEYS[0]
    tokens = {"fernet": old_fernet_token("张小明", older), "gcm": crypto.encrypt("张小明")}
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), older]
    rotated = {kind: crypto.rotate(token) for kind, token in tokens.items()}
    settings.FIELD_ENCRYPTION_KEYS = settings.FIELD_ENCRYPTION_KEYS[:1]  # the older key removed
    for kind, token in rotated.items():
        assert token.startswith(crypto.FIELD_PREFIX) and crypto.decrypt(token) == "张小明", kind
        with pytest.raises(InvalidToken):
            crypto.decrypt(tokens[kind])


def altered(token: str, change: str) -> str:
    data = raw(token)
    if change == "flip a ciphertext byte":
        return sealed(data[:-20] + bytes([data[-20] ^ 1]) + data[-19:])
    if change == "flip a tag byte":
        return sealed(data[:-1] + bytes([data[-1] ^ 1]))
    if change == "flip a nonce byte":
        return sealed(data[:10] + bytes([data[10] ^ 1]) + data[11:])
    if change == "unknown key id":
        return sealed(b"\x00" * crypto.KEY_ID_BYTES + data[crypto.KEY_ID_BYTES:])
    if change == "cut short":
        return sealed(data[:crypto.KEY_ID_BYTES + 4])
    if change == "not base64":
        return crypto.FIELD_PREFIX + "!!!!"
    if change == "a fernet token altered":
        return old_fernet_token("420626201203150013", Fernet.generate_key().decode())
    raise AssertionError(change)


@pytest.mark.parametrize("change", ["flip a ciphertext byte", "flip a tag byte", "flip a nonce byte", "unknown key id",
                                    "cut short", "not base64", "a fernet token altered"])
def test_altered_tokens_fail_with_invalid_token(change):
    with pytest.raises(InvalidToken):
        crypto.decrypt(altered(crypto.encrypt("420626201203150013"), change))


def test_a_token_under_another_configured_key_id_fails(settings):
    """The key id chooses the key: a token whose id is swapped for another configured key's does not decrypt."""
    older = settings.FIELD_ENCRYPTION_KEYS[0]
    token = crypto.encrypt("13872109876")
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), older]
    newest_id = raw(crypto.encrypt("x"))[:crypto.KEY_ID_BYTES]
    assert newest_id != raw(token)[:crypto.KEY_ID_BYTES]
    with pytest.raises(InvalidToken):
        crypto.decrypt(sealed(newest_id + raw(token)[crypto.KEY_ID_BYTES:]))


@pytest.mark.django_db
def test_the_rotate_command_reseals_fernet_rows_as_gcm(settings):
    target = Child.objects.get(name="张小明")
    guardian = target.guardians.first()
    key = settings.FIELD_ENCRYPTION_KEYS[0]
    with connection.cursor() as cursor:  # rows as written before GCM
        cursor.execute("UPDATE children_child SET id_number = %s WHERE id = %s",
                       [old_fernet_token(target.id_number, key), target.pk])
        cursor.execute("UPDATE children_guardian SET phone = %s WHERE id = %s",
                       [old_fernet_token(guardian.phone, key), guardian.pk])
    assert Child.objects.get(pk=target.pk).id_number == target.id_number  # read as they are
    call_command("rotate_field_keys", stdout=open("/dev/null", "w"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT c.id_number, g.phone FROM children_child c "
                       "JOIN children_guardian g ON g.child_id = c.id WHERE g.id = %s", [guardian.pk])
        tokens = cursor.fetchone()
    assert all(token.startswith(crypto.FIELD_PREFIX) for token in tokens), tokens
    assert Child.objects.get(pk=target.pk).id_number == target.id_number
    assert target.guardians.get(pk=guardian.pk).phone == guardian.phone
