"""The service worker's offline copy: every shipped file is in it, and a
change to any of them gives a new cache version, so phones take the update."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from flask.testing import FlaskClient

from nattlys.web.routes import PWA_ROOT
from nattlys.web.shell import shell_urls, shell_version


def _served(client: FlaskClient) -> str:
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    return response.get_data(as_text=True)


def test_every_shipped_file_is_in_the_offline_copy_and_answers(client: FlaskClient) -> None:
    source = _served(client)
    shipped = {f"/{p.relative_to(PWA_ROOT).as_posix()}" for p in (PWA_ROOT / "app").rglob("*") if p.is_file()}
    listed = set(re.findall(r'"(/[^"]*)"', source.split("const SHELL = ", 1)[1].split(";", 1)[0]))
    assert shipped | {"/", "/manifest.webmanifest"} == listed
    for url in sorted(listed):
        assert client.get(url).status_code == 200, url
    assert f'const VERSION = "{shell_version(PWA_ROOT)}";' in source


def test_the_served_worker_is_valid_javascript(client: FlaskClient, tmp_path: Path) -> None:
    script = tmp_path / "sw.js"
    script.write_text(_served(client), encoding="utf-8")
    subprocess.run(["node", "--check", str(script)], check=True)


def test_changing_or_adding_a_shipped_file_changes_the_cache_version(tmp_path: Path) -> None:
    root = tmp_path / "pwa"
    shutil.copytree(PWA_ROOT, root, ignore=shutil.ignore_patterns("node_modules"))
    before = shell_version(root)
    chat = root / "app" / "chat-ui.js"
    chat.write_text(chat.read_text(encoding="utf-8") + "\n// changed\n", encoding="utf-8")
    changed = shell_version(root)
    (root / "app" / "views" / "new-screen.js").write_text("export {};\n", encoding="utf-8")
    assert len({before, changed, shell_version(root)}) == 3
    assert "/app/views/new-screen.js" in shell_urls(root)
