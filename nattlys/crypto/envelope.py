"""Envelope encryption of one value.

Each value gets its own random data key (AES-256-GCM); the data key is wrapped
(AES key wrap, RFC 3394) with the newest key-encryption key, whose id is
stored with it:

    nl1.<key id>.<wrapped data key>.<nonce + ciphertext + tag>   (base64url)

A value without the prefix is plain text written before encryption was
switched on; it is read as it is, and `nattlys keys rotate` encrypts it.
"""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap

from nattlys.crypto.keys import KeyRing

PREFIX = "nl1."


class UndecryptableValue(RuntimeError):
    """Stored ciphertext that no configured key opens (a missing old key, or tampering)."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encrypt(ring: KeyRing, plain: str) -> str:
    data_key = AESGCM.generate_key(bit_length=256)
    nonce = os.urandom(12)
    header = PREFIX + ring.current_id
    sealed = AESGCM(data_key).encrypt(nonce, plain.encode(), header.encode())
    return f"{header}.{_b64(aes_key_wrap(ring.current_key, data_key))}.{_b64(nonce + sealed)}"


def is_encrypted(stored: str) -> bool:
    return stored.startswith(PREFIX)


def key_id(stored: str) -> str | None:
    """The id of the key that wraps a stored value; None for plain text."""
    return stored[len(PREFIX) :].split(".", 1)[0] if is_encrypted(stored) else None


def decrypt(ring: KeyRing, stored: str) -> str:
    if not is_encrypted(stored):
        return stored
    try:
        kid, wrapped, sealed = stored[len(PREFIX) :].split(".")
    except ValueError as exc:
        raise UndecryptableValue("a stored value is not a well-formed ciphertext") from exc
    kek = ring.key(kid)
    if kek is None:
        raise UndecryptableValue(f"no configured data key has id {kid!r}; add it to DATA_KEYS")
    try:
        data_key = aes_key_unwrap(kek, _unb64(wrapped))
        raw = _unb64(sealed)
        return AESGCM(data_key).decrypt(raw[:12], raw[12:], (PREFIX + kid).encode()).decode()
    except (InvalidUnwrap, InvalidTag, ValueError) as exc:
        raise UndecryptableValue(
            f"a value under key {kid!r} does not decrypt (wrong key or altered)"
        ) from exc
