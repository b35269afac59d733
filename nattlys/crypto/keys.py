"""The data keys: key-encryption keys, each with an id, newest first.

They come from NATTLYS_DATA_KEYS (``id:key,id:key``) or from DATA_KEY_FILE
(one ``id:key`` a line), never from the database. The newest key wraps every
new value; the older ones stay only to read what `nattlys keys rotate` has not
re-encrypted yet. Development and tests use one fixed, public key.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app, has_app_context

_EXTENSION = "nattlys_data_keys"
_KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
# Public on purpose: data written in development or tests is not secret.
DEVELOPMENT_KEYS = "dev:" + base64.urlsafe_b64encode(b"nattlys-development-data-key-32b").decode()

_installed: KeyRing | None = None


class DataKeyError(ValueError):
    """A key list that cannot be used; the message says what to fix."""


@dataclass(frozen=True)
class KeyRing:
    keys: tuple[tuple[str, bytes], ...]  # (id, 32-byte key), newest first

    @property
    def current_id(self) -> str:
        return self.keys[0][0]

    @property
    def current_key(self) -> bytes:
        return self.keys[0][1]

    def key(self, key_id: str) -> bytes | None:
        return next((key for kid, key in self.keys if kid == key_id), None)


def parse(text: str, *, source: str) -> KeyRing:
    """Parse ``id:base64url-key`` entries separated by commas or new lines."""
    entries = [e.strip() for e in re.split(r"[,\n]", text) if e.strip() and not e.strip().startswith("#")]
    if not entries:
        raise DataKeyError(f"{source} holds no data key; make one with `nattlys keys generate`")
    keys: list[tuple[str, bytes]] = []
    for entry in entries:
        key_id, _, encoded = entry.partition(":")
        if not _KEY_ID.match(key_id):
            raise DataKeyError(
                f"{source}: a key id must be 1-32 letters, digits, - or _ (got {key_id[:40]!r})"
            )
        try:
            key = base64.urlsafe_b64decode(encoded.encode() + b"=" * (-len(encoded) % 4))
        except (binascii.Error, ValueError) as exc:
            raise DataKeyError(f"{source}: key {key_id!r} is not base64") from exc
        if len(key) != 32:
            raise DataKeyError(f"{source}: key {key_id!r} must be 32 bytes (256 bits), got {len(key)}")
        if any(kid == key_id for kid, _ in keys):
            raise DataKeyError(f"{source}: key id {key_id!r} appears twice")
        keys.append((key_id, key))
    return KeyRing(tuple(keys))


def load(*, data_keys: str, key_file: str, development: bool) -> KeyRing:
    if data_keys and key_file:
        raise DataKeyError("set DATA_KEYS or DATA_KEY_FILE, not both")
    if not data_keys and not key_file:
        if development:
            return parse(DEVELOPMENT_KEYS, source="the development key")
        raise DataKeyError(
            "no data key: clinical text is encrypted at rest; set DATA_KEYS or DATA_KEY_FILE "
            "(`nattlys keys generate` makes one) and keep a copy away from the database backups"
        )
    if data_keys:
        ring = parse(data_keys, source="DATA_KEYS")
    else:
        path = Path(key_file)
        if not path.is_file():
            raise DataKeyError(f"DATA_KEY_FILE {key_file!r} does not exist")
        if path.stat().st_mode & 0o007:
            raise DataKeyError(f"DATA_KEY_FILE {key_file!r} is readable by others; chmod 0640 or stricter")
        ring = parse(path.read_text(), source="DATA_KEY_FILE")
    if not development and ring.current_key == parse(DEVELOPMENT_KEYS, source="").current_key:
        raise DataKeyError("the newest data key is the public development key; generate a real one")
    return ring


def generate(key_id: str) -> str:
    if not _KEY_ID.match(key_id):
        raise DataKeyError("a key id must be 1-32 letters, digits, - or _")
    return f"{key_id}:{base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip('=')}"


def init_app(app: Flask, ring: KeyRing) -> None:
    global _installed
    app.extensions[_EXTENSION] = ring
    _installed = ring


def current() -> KeyRing:
    """The keys of the running app (the last one built, outside an app context)."""
    if has_app_context() and _EXTENSION in current_app.extensions:
        return current_app.extensions[_EXTENSION]
    if _installed is None:
        raise RuntimeError("no data keys installed; build the app first")
    return _installed
