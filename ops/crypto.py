"""Backup archives encrypted as a stream, with a key from the environment.

An archive holds national IDs and phone numbers, and it may be larger than memory, so it
is encrypted as it is written and decrypted as it is read, chunk by chunk, with AES-256-GCM
from ``cryptography``. ``cryptography`` offers AES-GCM one message at a time and no
streaming format of its own (Fernet needs the whole message in memory), so the chunks are
framed here, following the STREAM construction (Hoang, Reyhanitabar, Rogaway and Vizár,
2015; the same framing as Tink's streaming AEAD):

    header   MAGIC (8 bytes) · nonce prefix (7 random bytes) · key check (16 bytes)
    chunk    length of the ciphertext (4 bytes, big-endian) · ciphertext with its GCM tag

Each chunk holds up to ``CHUNK`` bytes of plain text and is sealed with the nonce
``prefix · counter (4 bytes) · last (1 byte: 1 for the final chunk, else 0)`` and the
header as associated data. So a chunk cannot be changed, dropped, moved or taken from
another archive, and an archive cut short — its final chunk never arrives — is refused
rather than read as a shorter one. The key check (an HMAC of a fixed text under the key)
tells a wrong key apart from a damaged archive without revealing anything of the key.

The key (``PISHRAN_BACKUP_KEY``) is 32 random bytes in URL-safe base64, the same text as
``cryptography.fernet.Fernet.generate_key()`` prints."""

from __future__ import annotations

import base64
import binascii
import hmac
import io
import os
import struct
from hashlib import sha256
from typing import IO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"PSHRNEC1"
CHUNK = 1 << 20
_PREFIX = 7
_CHECK = 16
HEADER_BYTES = len(MAGIC) + _PREFIX + _CHECK
_TAG = 16


class CryptoError(Exception):
    """An archive that cannot be decrypted, or a key that is not one; the message says why
    in one line."""


def parse_key(text: str) -> bytes:
    """The 32 bytes of a key given as URL-safe base64 (``PISHRAN_BACKUP_KEY``)."""
    try:
        key = base64.urlsafe_b64decode(text.strip().encode())
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != 32:
        raise CryptoError(
            "PISHRAN_BACKUP_KEY is not a key: 32 bytes in URL-safe base64 (44 characters) "
            "are expected"
        )
    return key


def _key_check(key: bytes) -> bytes:
    return hmac.new(key, b"pishran backup key check", sha256).digest()[:_CHECK]


def _nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    return prefix + struct.pack(">I?", counter, last)


def is_encrypted(head: bytes) -> bool:
    return head.startswith(MAGIC)


class EncryptingWriter(io.RawIOBase):
    """A write-only stream that encrypts what is written to it into ``raw``; ``close``
    seals the final chunk (without it the archive reads as truncated)."""

    def __init__(self, raw: IO[bytes], key: bytes) -> None:
        super().__init__()
        self._raw, self._aead = raw, AESGCM(key)
        self._prefix = os.urandom(_PREFIX)
        self._header = MAGIC + self._prefix + _key_check(key)
        self._buffer = bytearray()
        self._counter = 0
        raw.write(self._header)

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self._buffer += data
        while len(self._buffer) > CHUNK:  # keep at least one byte back for the final chunk
            self._seal(bytes(self._buffer[:CHUNK]), last=False)
            del self._buffer[:CHUNK]
        return len(data)

    def _seal(self, plain: bytes, *, last: bool) -> None:
        if self._counter == 0xFFFFFFFF:
            raise CryptoError("the archive is too large for one encrypted stream")
        sealed = self._aead.encrypt(_nonce(self._prefix, self._counter, last), plain, self._header)
        self._raw.write(struct.pack(">I", len(sealed)) + sealed)
        self._counter += 1

    def close(self) -> None:
        if not self.closed:
            self._seal(bytes(self._buffer), last=True)
            self._buffer.clear()
        super().close()


class DecryptingReader(io.RawIOBase):
    """A read-only stream of the plain text of an encrypted archive read from ``raw``;
    raises ``CryptoError`` on a wrong key, a damaged chunk or a truncated archive."""

    def __init__(self, raw: IO[bytes], key: bytes) -> None:
        super().__init__()
        header = raw.read(HEADER_BYTES)
        if len(header) < HEADER_BYTES or not is_encrypted(header):
            raise CryptoError("the archive is not an encrypted backup, or it is cut short")
        if not hmac.compare_digest(header[-_CHECK:], _key_check(key)):
            raise CryptoError("the archive was encrypted with another key (PISHRAN_BACKUP_KEY)")
        self._raw, self._aead, self._header = raw, AESGCM(key), header
        self._prefix = header[len(MAGIC) : len(MAGIC) + _PREFIX]
        self._counter = 0
        self._pending = b""
        self._offset = 0
        self._done = False

    def readable(self) -> bool:
        return True

    def _next_chunk(self) -> bytes:
        size = self._raw.read(4)
        if len(size) < 4:
            raise CryptoError("the encrypted archive is cut short (its last part is missing)")
        (length,) = struct.unpack(">I", size)
        if length < _TAG or length > CHUNK + _TAG:
            raise CryptoError(f"the encrypted archive is damaged (part {self._counter + 1})")
        sealed = self._raw.read(length)
        if len(sealed) < length:
            raise CryptoError("the encrypted archive is cut short (its last part is missing)")
        for last in (False, True):
            try:
                plain = self._aead.decrypt(
                    _nonce(self._prefix, self._counter, last), sealed, self._header
                )
            except InvalidTag:
                continue
            self._counter += 1
            if last:
                self._done = True
                if self._raw.read(1):
                    raise CryptoError("the encrypted archive has bytes after its end")
            return plain
        raise CryptoError(f"the encrypted archive is damaged (part {self._counter + 1})")

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while self._offset == len(self._pending) and not self._done:
            self._pending, self._offset = self._next_chunk(), 0
        n = min(len(buffer), len(self._pending) - self._offset)
        buffer[:n] = self._pending[self._offset : self._offset + n]
        self._offset += n
        return n
