"""Per-request guards: request id, origin and CSRF checks, security headers."""

from __future__ import annotations

import re
import uuid

from flask import Flask, Response, current_app, g, request

from nattlys.accounts import sessions
from nattlys.api.errors import ApiError
from nattlys.config import origin_list
from nattlys.db import get_db

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_HEADER = "X-CSRF-Token"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "manifest-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def own_origin() -> str:
    return request.host_url.rstrip("/")


def origin_allowed(origin: str | None) -> bool:
    """Browsers send Origin on cross-site and on unsafe requests. A request with
    no Origin is from a non-browser client (or same-origin navigation)."""
    if origin is None:
        return request.headers.get("Sec-Fetch-Site") in (None, "same-origin", "none")
    origin = origin.rstrip("/")
    return origin == own_origin() or origin in origin_list(current_app.config["ALLOWED_ORIGINS"])


def _assign_request_id() -> None:
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex


def _guard_request() -> None:
    _assign_request_id()
    if not request.path.startswith("/api/"):
        return
    sessions.load_current_user(get_db())
    if request.method not in UNSAFE_METHODS:
        return
    if not origin_allowed(request.headers.get("Origin")):
        raise ApiError(403, "bad_origin", "This request came from another site and was refused.")
    view = current_app.view_functions.get(request.endpoint or "")
    spec = getattr(view, "endpoint_spec", None)
    if spec is not None and spec.public:
        # Login and invitation endpoints do not act with the cookie's authority;
        # the origin check above is their CSRF defence.
        return
    auth_session = g.get("auth_session")
    if auth_session is not None and not sessions.csrf_matches(auth_session, request.headers.get(CSRF_HEADER)):
        raise ApiError(403, "csrf_failed", "The security token is missing or out of date. Reload the page.")


def _headers(response: Response) -> Response:
    response.headers["X-Request-ID"] = g.get("request_id", "")
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Permissions-Policy"] = (
        "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
    )
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    if request.path.startswith("/api/"):
        response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    app.before_request(_guard_request)
    app.after_request(_headers)
