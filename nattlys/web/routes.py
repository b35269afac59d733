"""Serves the PWA in pwa/: the app shell, its modules and vendored npm files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, send_from_directory

from nattlys.config import PWA_ROOT
from nattlys.web.shell import service_worker_source
from nattlys.web.vendor import VENDOR_FILES

bp = Blueprint("web", __name__)


def _send(directory: Path, name: str, *, cache: str = "no-cache", mimetype: str | None = None) -> Any:
    response = send_from_directory(directory, name, mimetype=mimetype, max_age=0)
    response.headers["Cache-Control"] = cache
    return response


@bp.get("/")
def index() -> Any:
    return _send(PWA_ROOT, "index.html", cache="no-store")


@bp.get("/sw.js")
def service_worker() -> Any:
    response = Response(service_worker_source(PWA_ROOT), mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.get("/manifest.webmanifest")
def manifest() -> Any:
    return _send(PWA_ROOT, "manifest.webmanifest", mimetype="application/manifest+json")


@bp.get("/app/<path:name>")
def app_file(name: str) -> Any:
    return _send(PWA_ROOT / "app", name)


@bp.get("/vendor/<name>")
def vendor_file(name: str) -> Any:
    relative = VENDOR_FILES.get(name)
    if relative is None:
        abort(404)
    path = PWA_ROOT / "node_modules" / relative
    if not path.is_file():
        abort(404)
    return _send(path.parent, path.name, mimetype="text/javascript" if name.endswith(".js") else None)
