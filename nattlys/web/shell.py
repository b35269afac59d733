"""The service worker's precache list and cache version, made from the shipped
files themselves: a new view is never missing from the offline copy, and a
changed file reaches every phone without anyone remembering to bump a version."""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

# Pages the shell also needs that are not files under app/.
_ROUTES = ("/", "/manifest.webmanifest")
# Files whose contents reach the phone under another name.
_SOURCES = ("index.html", "manifest.webmanifest", "sw.js")
_VERSION_MARK = "'__NATTLYS_SHELL_VERSION__'"
_FILES_MARK = "['__NATTLYS_SHELL_FILES__']"


def shell_urls(pwa_root: Path) -> list[str]:
    app = pwa_root / "app"
    files = sorted(p.relative_to(pwa_root).as_posix() for p in app.rglob("*") if p.is_file())
    return [*_ROUTES, *(f"/{name}" for name in files)]


def shell_version(pwa_root: Path) -> str:
    digest = hashlib.sha256()
    for name in [*_SOURCES, *(url.lstrip("/") for url in shell_urls(pwa_root)[len(_ROUTES) :])]:
        digest.update(name.encode() + b"\0" + (pwa_root / name).read_bytes() + b"\0")
    return f"nattlys-shell-{digest.hexdigest()[:16]}"


@lru_cache(maxsize=4)
def service_worker_source(pwa_root: Path) -> str:
    """sw.js with its version and precache list filled in (computed once per
    process: a release restarts the server)."""
    source = (pwa_root / "sw.js").read_text(encoding="utf-8")
    if _VERSION_MARK not in source or _FILES_MARK not in source:
        raise RuntimeError("pwa/sw.js has lost its shell placeholders")
    return source.replace(_VERSION_MARK, json.dumps(shell_version(pwa_root))).replace(
        _FILES_MARK, json.dumps(shell_urls(pwa_root), indent=2)
    )
