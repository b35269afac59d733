"""Devices: a coarse name for each session ("Chrome på Android"), and the
device cookie (OWASP "device cookies") that lets a browser where someone has
logged in before keep logging in while strangers are locked out of the account.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.sansio.response import Response as BaseResponse

DEVICE_COOKIE = "nattlys_device"
SECURE_DEVICE_COOKIE = "__Host-nattlys_device"
DEVICE_COOKIE_DAYS = 180

# First match wins; order matters (Edge and Opera say "Chrome" too, every
# Android browser says "Linux").
_BROWSERS = (
    ("Edge", r"Edg(e|A|iOS)?/"),
    ("Opera", r"OPR/"),
    ("Samsung Internet", r"SamsungBrowser/"),
    ("Firefox", r"Firefox/|FxiOS/"),
    ("Chrome", r"Chrome/|CriOS/|Chromium/"),
    ("Safari", r"Safari/"),
)
_SYSTEMS = (
    ("Android", r"Android"),
    ("iPhone", r"iPhone"),
    ("iPad", r"iPad"),
    ("Windows", r"Windows"),
    ("Mac", r"Macintosh|Mac OS X"),
    ("Linux", r"Linux|X11"),
)


def device_label(user_agent: str | None) -> str | None:
    """ "Chrome · Android": enough to recognise one's own phone, nothing that
    fingerprints it (no versions, no models)."""
    if not user_agent:
        return None
    browser = next((name for name, pattern in _BROWSERS if re.search(pattern, user_agent)), None)
    system = next((name for name, pattern in _SYSTEMS if re.search(pattern, user_agent)), None)
    parts = [p for p in (browser, system) if p]
    return " · ".join(parts) if parts else None


def current_label() -> str | None:
    return device_label(request.headers.get("User-Agent", "")[:512])


@dataclass(frozen=True)
class KnownDevice:
    username: str
    nonce: str


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="nattlys-device-cookie")


def _cookie_name() -> str:
    return SECURE_DEVICE_COOKIE if request.is_secure else DEVICE_COOKIE


def known_device(username: str) -> KnownDevice | None:
    """The device cookie this browser presents, if it was set by a successful
    login to this same account; anything else counts as a stranger."""
    raw = request.cookies.get(_cookie_name())
    if not raw or len(raw) > 300:
        return None
    try:
        data = _serializer().loads(raw)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("n"), str) or not isinstance(data.get("u"), str):
        return None
    if data["u"] != username.strip().lower():
        return None
    return KnownDevice(username=data["u"], nonce=data["n"][:64])


def remember_device(response: BaseResponse, username: str) -> None:
    value = _serializer().dumps({"u": username.strip().lower(), "n": secrets.token_urlsafe(16)})
    response.set_cookie(
        _cookie_name(),
        value,
        max_age=DEVICE_COOKIE_DAYS * 24 * 3600,
        path="/",
        secure=request.is_secure,
        httponly=True,
        samesite="Strict",
    )
