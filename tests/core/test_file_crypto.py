"""Files sealed at rest (core.crypto.FileWriter / read_file): round trips at chunk boundaries, constant memory,
tampering, truncation and reordering detected, key rotation."""

import os
import tracemalloc

import pytest
from cryptography.fernet import Fernet

from core import crypto

SIZES = [0, 1, crypto.CHUNK - 1, crypto.CHUNK, crypto.CHUNK + 1, 3 * crypto.CHUNK, 3 * crypto.CHUNK + 17]


def seal(path, data: bytes, piece: int = 1000) -> None:
    with crypto.FileWriter(path) as out:
        for start in range(0, len(data), piece):
            out.write(data[start:start + piece])


def clear(path) -> bytes:
    return b"".join(crypto.read_file(path))


@pytest.mark.parametrize("size", SIZES)
def test_a_sealed_file_reads_back_whole_and_its_clear_size_is_known(tmp_path, size):
    data = os.urandom(size)
    seal(tmp_path / "f", data)
    assert clear(tmp_path / "f") == data
    assert crypto.clear_size(tmp_path / "f") == size
    raw = (tmp_path / "f").read_bytes()
    assert raw.startswith(crypto.MAGIC) and (size < 16 or data[:16] not in raw)


def test_the_same_content_seals_differently_each_time(tmp_path):
    data = b"\x00" * 1000
    seal(tmp_path / "a", data)
    seal(tmp_path / "b", data)
    assert (tmp_path / "a").read_bytes() != (tmp_path / "b").read_bytes()


def test_writing_keeps_one_chunk_in_memory(tmp_path):
    piece = os.urandom(256 * 1024)
    tracemalloc.start()
    try:
        with crypto.FileWriter(tmp_path / "big") as out:
            for _ in range(40):  # 10 MiB
                out.write(piece)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < len(piece) + 4 * crypto.CHUNK, peak
    assert crypto.clear_size(tmp_path / "big") == 40 * len(piece)


def test_a_failed_write_leaves_no_file(tmp_path):
    with pytest.raises(RuntimeError):
        with crypto.FileWriter(tmp_path / "f") as out:
            out.write(b"half")
            raise RuntimeError("export failed")
    assert list(tmp_path.iterdir()) == []


def chunks_of(raw: bytes) -> tuple[bytes, list[bytes]]:
    step = crypto.CHUNK + crypto.TAG_BYTES
    body = raw[crypto.HEADER_BYTES:]
    return raw[:crypto.HEADER_BYTES], [body[i:i + step] for i in range(0, len(body), step)]


@pytest.mark.parametrize("change", ["flip a byte", "drop the last chunk", "swap two chunks", "other header"])
def test_altered_files_are_refused(tmp_path, change):
    seal(tmp_path / "f", os.urandom(3 * crypto.CHUNK + 5))
    seal(tmp_path / "g", os.urandom(3 * crypto.CHUNK + 5))
    header, chunks = chunks_of((tmp_path / "f").read_bytes())
    if change == "flip a byte":
        chunks[1] = chunks[1][:10] + bytes([chunks[1][10] ^ 1]) + chunks[1][11:]
    elif change == "drop the last chunk":
        chunks = chunks[:-1]
    elif change == "swap two chunks":
        chunks[0], chunks[1] = chunks[1], chunks[0]
    else:
        header = chunks_of((tmp_path / "g").read_bytes())[0]
    (tmp_path / "f").write_bytes(header + b"".join(chunks))
    with pytest.raises(crypto.UnreadableFile):
        clear(tmp_path / "f")


def test_not_a_sealed_file_is_refused_at_once(tmp_path):
    (tmp_path / "clear.xlsx").write_bytes(b"PK\x03\x04 a clear workbook written before sealing")
    with pytest.raises(crypto.UnreadableFile):
        crypto.read_file(tmp_path / "clear.xlsx")


def test_older_keys_still_decrypt_and_the_newest_encrypts(tmp_path, settings):
    old = list(settings.FIELD_ENCRYPTION_KEYS)
    seal(tmp_path / "old", b"sealed under the old key")
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), *old]
    assert clear(tmp_path / "old") == b"sealed under the old key"
    seal(tmp_path / "new", b"sealed under the new key")
    settings.FIELD_ENCRYPTION_KEYS = settings.FIELD_ENCRYPTION_KEYS[:1]  # the old key removed
    assert clear(tmp_path / "new") == b"sealed under the new key"
    with pytest.raises(crypto.UnreadableFile):
        crypto.read_file(tmp_path / "old")
