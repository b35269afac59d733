"""JSON errors: every failure under /api answers {"error": code, "message": text}."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, g, jsonify, request
from pydantic import ValidationError
from sqlmodel import SQLModel
from werkzeug.exceptions import HTTPException

from nattlys.api.json_limits import MAX_DEPTH, TOO_DEEP

log = logging.getLogger(__name__)


class ErrorPublic(SQLModel):
    error: str
    message: str
    fields: list[dict[str, Any]] | None = None


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        fields: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
        commit: bool = False,
    ) -> None:
        super().__init__(message)
        # Keep what the request wrote so far (e.g. a counted failed login).
        self.commit = commit
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields
        self.headers = headers or {}


def bad_request(code: str, message: str, **kw: Any) -> ApiError:
    return ApiError(400, code, message, **kw)


def unauthorized(message: str = "Please log in.") -> ApiError:
    return ApiError(401, "unauthorized", message)


def forbidden(message: str = "You do not have access to this.") -> ApiError:
    return ApiError(403, "forbidden", message)


def not_found(message: str = "Not found.") -> ApiError:
    return ApiError(404, "not_found", message)


def conflict(code: str, message: str) -> ApiError:
    return ApiError(409, code, message)


def from_validation_error(exc: ValidationError) -> ApiError:
    fields = [
        {
            "loc": [str(part) for part in err.get("loc", ())],
            "type": err.get("type", "invalid"),
            "message": err.get("msg", ""),
        }
        for err in exc.errors(include_url=False, include_input=False)
    ]
    return ApiError(400, "invalid_input", "Some fields are not valid.", fields=fields)


def _unstorable(value: Any, loc: list[str], found: list[dict[str, Any]]) -> None:
    if isinstance(value, str):
        if "\x00" in value:
            found.append(
                {"loc": loc, "type": "nul_character", "message": "Text must not contain a NUL character."}
            )
        elif not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                found.append({"loc": loc, "type": "string_unicode", "message": "Text must be valid Unicode."})
    elif isinstance(value, dict):
        for key, item in value.items():
            # A key can be the bad text itself: name it in escaped form.
            where = [*loc, str(key).encode("unicode_escape", "backslashreplace").decode("ascii")]
            _unstorable(key, where, found)
            _unstorable(item, where, found)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _unstorable(item, [*loc, str(index)], found)


def check_storable_text(data: Any) -> None:
    """Refuse a NUL character or a lone surrogate anywhere in decoded JSON:
    PostgreSQL cannot store either, and no person types them."""

    if data is TOO_DEEP:
        raise ApiError(400, "too_deep", f"The data nests more than {MAX_DEPTH} levels deep.")
    found: list[dict[str, Any]] = []
    _unstorable(data, [], found)
    if found:
        raise ApiError(400, "invalid_input", "Some fields are not valid.", fields=found)


def error_response(err: ApiError) -> Response:
    payload: dict[str, Any] = {"error": err.code, "message": err.message}
    if err.fields:
        payload["fields"] = err.fields
    response = jsonify(payload)
    response.status_code = err.status
    for key, value in err.headers.items():
        response.headers[key] = value
    return response


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/api"


def database_unreachable(exc: BaseException) -> bool:
    """The database did not answer (down, restarting, connection cut)."""
    from sqlalchemy.exc import DBAPIError, OperationalError

    return isinstance(exc, OperationalError) or (isinstance(exc, DBAPIError) and exc.connection_invalidated)


def init_app(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(err: ApiError) -> Response:
        return error_response(err)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response | HTTPException:
        if not _wants_json():
            return exc
        status = exc.code or 500
        message = {
            404: "Not found.",
            405: "This method is not allowed here.",
            413: "The request body is too large.",
        }.get(status, exc.description or "Request failed.")
        response = error_response(ApiError(status, _HTTP_CODES.get(status, "error"), message))
        if status == 405 and exc.response is None:
            allow = getattr(exc, "valid_methods", None)
            if allow:
                response.headers["Allow"] = ", ".join(allow)
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        if database_unreachable(exc):
            # PostgreSQL restarting or gone: say so, and when to try again.
            log.warning("database unreachable", extra={"request_id": g.get("request_id")})
            return error_response(
                ApiError(
                    503,
                    "unavailable",
                    "The service is briefly unavailable. Try again in a moment.",
                    headers={"Retry-After": "5"},
                )
            )
        # Never log request bodies: they may hold health content.
        log.exception(
            "unhandled error",
            extra={
                "request_id": g.get("request_id"),
                "path": request.url_rule.rule if request.url_rule else None,
            },
        )
        return error_response(ApiError(500, "internal_error", "Something went wrong on our side."))
