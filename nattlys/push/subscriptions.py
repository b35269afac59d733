"""A browser's push subscription: checked before it is stored, because the
sender will POST to whatever address it names."""

from __future__ import annotations

import base64
import binascii
from urllib.parse import urlsplit

from flask import current_app
from sqlmodel import Session, col, delete, select

from nattlys import catalogues, clock
from nattlys.accounts.models import User
from nattlys.api.errors import ApiError
from nattlys.push.models import PushSubscription


def _b64decode(value: str) -> bytes | None:
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        return None


def _invalid(loc: list[str], message: str) -> ApiError:
    return ApiError(
        400,
        "invalid_subscription",
        "The push subscription is not valid.",
        fields=[{"loc": loc, "type": "invalid", "message": message}],
    )


def known_push_service(host: str, allowed: str) -> bool:
    """Is `host` one of the configured push services ("*.x" also matches its subdomains)?"""
    for pattern in (p.strip().lower() for p in allowed.split(",")):
        if pattern.startswith("*.") and host.endswith(pattern[1:]) and len(host) > len(pattern) - 1:
            return True
        if pattern and host == pattern:
            return True
    return False


def check_subscription(
    endpoint: str, p256dh: str, auth: str, *, allowed_hosts: str, allow_loopback: bool
) -> None:
    """Only a known push service's https URL is stored: the sender POSTs to
    it, so any other address (10.0.0.5, 169.254.169.254) would let a user make
    the server call inside its own network. Development and tests may use a
    push service on loopback."""
    parts = urlsplit(endpoint)
    host = (parts.hostname or "").lower()
    loopback = allow_loopback and host in ("127.0.0.1", "localhost", "::1")
    if not host or parts.username or parts.password:
        raise _invalid(["endpoint"], "an https URL of the browser's push service")
    if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
        raise _invalid(["endpoint"], "an https URL of the browser's push service")
    if not loopback and (parts.port not in (None, 443) or not known_push_service(host, allowed_hosts)):
        raise _invalid(["endpoint"], "the URL of a known push service (PUSH_SERVICE_HOSTS)")
    key = _b64decode(p256dh)
    if key is None or len(key) != 65 or key[0] != 4:
        raise _invalid(["keys", "p256dh"], "a base64url P-256 public key (65 bytes)")
    secret = _b64decode(auth)
    if secret is None or len(secret) != 16:
        raise _invalid(["keys", "auth"], "a base64url authentication secret (16 bytes)")


def subscribe(
    db: Session,
    *,
    user: User,
    endpoint: str,
    p256dh: str,
    auth: str,
    language: str = catalogues.DEFAULT_LANGUAGE,
) -> PushSubscription:
    """Store (or move to this user) the browser's subscription."""
    settings = current_app.config["SETTINGS"]
    check_subscription(
        endpoint,
        p256dh,
        auth,
        allowed_hosts=settings.PUSH_SERVICE_HOSTS,
        allow_loopback=settings.is_development,
    )
    sub = db.exec(select(PushSubscription).where(PushSubscription.endpoint == endpoint)).first()
    now = clock.now()
    if sub is None:
        sub = PushSubscription(
            user_id=user.id,
            endpoint=endpoint,
            p256dh=p256dh,
            auth=auth,
            language=language,
            created_at=now,
        )
    else:
        # The same browser, perhaps after another user logged in on it.
        sub.user_id = user.id
        sub.p256dh, sub.auth, sub.language = p256dh, auth, language
        sub.retry_after, sub.failures = None, 0
    db.add(sub)
    db.flush()
    return sub


def unsubscribe(db: Session, *, user: User, endpoint: str) -> None:
    db.exec(
        delete(PushSubscription).where(
            col(PushSubscription.user_id) == user.id, col(PushSubscription.endpoint) == endpoint
        )
    )
