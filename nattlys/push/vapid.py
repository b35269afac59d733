"""VAPID keys (RFC 8292): generated once by `nattlys vapid generate`, kept in
the environment (VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY, VAPID_SUBJECT), never in
the repository.

Signing an ECDSA JWT for every push is the slowest part of a burst, so the
Authorization header for each push service (audience) is reused while it has
more than an hour of its 12-hour validity left."""

from __future__ import annotations

import base64
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

VALIDITY_SECONDS = 12 * 3600
REUSE_MARGIN_SECONDS = 3600


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class KeyPair:
    public_key: str  # uncompressed P-256 point, base64url: the browser's applicationServerKey
    private_key: str  # the raw 32-byte private scalar, base64url


def generate() -> KeyPair:
    key = ec.generate_private_key(ec.SECP256R1())
    private = key.private_numbers().private_value.to_bytes(32, "big")
    public = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return KeyPair(public_key=_b64(public), private_key=_b64(private))


def audience(endpoint: str) -> str:
    parts = urlsplit(endpoint)
    return f"{parts.scheme}://{parts.netloc}"


class HeaderCache:
    """Signed VAPID Authorization headers per audience, reused within validity."""

    def __init__(self, private_key: str, subject: str) -> None:
        from py_vapid import Vapid02

        self._vapid = Vapid02.from_string(private_key)
        self._subject = subject
        self._lock = threading.Lock()
        self._headers: dict[str, tuple[dict[str, str], float]] = {}
        self.signed = 0

    def headers_for(self, endpoint: str) -> dict[str, str]:
        aud = audience(endpoint)
        now = time.time()
        with self._lock:
            cached = self._headers.get(aud)
            if cached is not None and cached[1] - now > REUSE_MARGIN_SECONDS:
                return cached[0]
            exp = int(now) + VALIDITY_SECONDS
            headers = self._vapid.sign({"aud": aud, "exp": exp, "sub": self._subject})
            self._headers[aud] = (dict(headers), float(exp))
            self.signed += 1
            return dict(headers)
