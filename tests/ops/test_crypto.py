"""The encrypted stream of backup archives (``ops.crypto``): what is written reads back,
and a wrong key, a changed, moved or missing chunk and extra bytes are each refused."""

from __future__ import annotations

import io
import os
import re
import struct

import pytest
from cryptography.fernet import Fernet

from ops import crypto

KEY = crypto.parse_key(Fernet.generate_key().decode())


@pytest.fixture(autouse=True)
def _small_chunks(monkeypatch) -> None:
    monkeypatch.setattr(crypto, "CHUNK", 16)  # many chunks from a few bytes


def _sealed(plain: bytes, key: bytes = KEY) -> bytes:
    out = io.BytesIO()
    writer = crypto.EncryptingWriter(out, key)
    for start in range(0, len(plain), 7):  # written in pieces, as tarfile does
        writer.write(plain[start : start + 7])
    writer.close()
    return out.getvalue()


def _opened(sealed: bytes, key: bytes = KEY) -> bytes:
    return io.BufferedReader(crypto.DecryptingReader(io.BytesIO(sealed), key)).read()


def _chunks(sealed: bytes) -> list[bytes]:
    chunks, at = [], crypto.HEADER_BYTES
    while at < len(sealed):
        (length,) = struct.unpack(">I", sealed[at : at + 4])
        chunks.append(sealed[at : at + 4 + length])
        at += 4 + length
    return chunks


@pytest.mark.parametrize("size", [0, 1, 16, 17, 100])
def test_what_is_written_reads_back(size) -> None:
    plain = os.urandom(size)
    assert _opened(_sealed(plain)) == plain


def test_a_wrong_key_a_change_a_move_a_cut_and_extra_bytes_are_refused() -> None:
    sealed = _sealed(bytes(range(100)))
    header, chunks = sealed[: crypto.HEADER_BYTES], _chunks(sealed)
    assert len(chunks) == 7

    other = crypto.parse_key(Fernet.generate_key().decode())
    flipped = bytearray(sealed)
    flipped[-5] ^= 1
    cases = {
        "another key": lambda: _opened(sealed, other),
        "damaged (part 7)": lambda: _opened(bytes(flipped)),
        "damaged (part 1)": lambda: _opened(header + chunks[1] + chunks[0] + b"".join(chunks[2:])),
        "cut short": lambda: _opened(header + b"".join(chunks[:-1])),
        "bytes after its end": lambda: _opened(sealed + b"x"),
    }
    for words, read in cases.items():
        with pytest.raises(crypto.CryptoError, match=re.escape(words)):
            read()


def test_a_key_that_is_not_32_bytes_of_base64_is_refused() -> None:
    for text in ("", "short", "!" * 44):
        with pytest.raises(crypto.CryptoError, match="not a key"):
            crypto.parse_key(text)
