"""/api/openapi.json, the health probes and the Prometheus metrics."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify
from sqlalchemy import text

from nattlys.api.openapi import build_openapi
from nattlys.db import app_object, get_db
from nattlys.observability import render_metrics

bp = Blueprint("api", __name__)


@bp.get("/api/openapi.json")
def openapi() -> Any:
    spec = current_app.extensions.get("nattlys_openapi")
    if spec is None:
        spec = current_app.extensions["nattlys_openapi"] = build_openapi(current_app)
    return jsonify(spec)


@bp.get("/healthz")
def healthz() -> Any:
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz() -> Any:
    checks: dict[str, str] = {}
    ok = True
    try:
        db = get_db()
        db.execute(text("SELECT 1"))
        db.rollback()
        checks["database"] = "ok"
    except Exception:
        checks["database"] = "unreachable"
        ok = False
    if current_app.config.get("REDIS_URL"):
        try:
            import redis

            redis.Redis.from_url(current_app.config["REDIS_URL"], socket_timeout=2).ping()
            checks["redis"] = "ok"
        except Exception:
            checks["redis"] = "unreachable"
            ok = False
    response = jsonify(status="ok" if ok else "unavailable", checks=checks)
    response.status_code = 200 if ok else 503
    return response


@bp.get("/metrics")
def metrics() -> Any:
    """Prometheus text format, this instance's view (see nattlys/observability.py).
    The web instances listen on loopback; nginx answers 404 for /metrics."""
    from prometheus_client import CONTENT_TYPE_LATEST

    response = Response(render_metrics(app_object()), content_type=CONTENT_TYPE_LATEST)
    response.headers["Cache-Control"] = "no-store"
    return response
