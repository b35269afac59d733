"""A stand-in for a browser's push service: VAPID keys for the app, a browser's
push keys (to decrypt what the server sent), a local push endpoint that answers
201, 404, 410, 429, 500 or hangs, and the request that subscribes a browser."""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from nattlys.push.vapid import generate

KEYS = generate()
VAPID = {
    "VAPID_PUBLIC_KEY": KEYS.public_key,
    "VAPID_PRIVATE_KEY": KEYS.private_key,
    "VAPID_SUBJECT": "mailto:drift@example.no",
    "PUSH_TIMEOUT_MS": 400,
}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Browser:
    """A browser's push keys, so a test can decrypt what the server sent."""

    def __init__(self) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)

    def keys(self) -> dict[str, str]:
        public = self.key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {"p256dh": b64(public), "auth": b64(self.auth)}

    def decrypt(self, body: bytes) -> dict[str, Any]:
        import http_ece

        plain = http_ece.decrypt(body, private_key=self.key, auth_secret=self.auth, version="aes128gcm")
        return json.loads(plain)


class PushServer:
    """A push service on 127.0.0.1: the path's last part says how to answer."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        received = self.requests

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                received.append({"path": self.path, "headers": dict(self.headers), "body": body})
                mode = self.path.rsplit("/", 1)[-1]
                if mode.startswith("hang"):
                    time.sleep(2)
                    return
                status = {"gone404": 404, "gone410": 410, "slow429": 429, "fail500": 500}.get(mode, 201)
                self.send_response(status)
                if status == 429:
                    self.send_header("Retry-After", "120")
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, mode: str) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/push/{mode}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def push_server() -> Any:
    server = PushServer()
    yield server
    server.close()


def subscribe(client: Any, endpoint: str, browser: Browser | None = None, **more: str) -> Any:
    browser = browser or Browser()
    return client.post("/api/push/subscriptions", json={"endpoint": endpoint, "keys": browser.keys(), **more})
