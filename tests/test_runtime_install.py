"""The project as production installs it: a self-contained wheel whose
dependencies are all declared and pinned."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_the_wheel_installed_outside_the_checkout_migrates_and_serves_the_app(tmp_path: Path) -> None:
    """Installed the way production installs it (no dev extras, not editable),
    run from a folder that is not the checkout: every package the server
    imports is declared, and the wheel carries the PWA and the migrations."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(PROJECT_ROOT)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert install.returncode == 0, install.stderr[-3000:]
    env = {
        "PATH": f"{venv / 'bin'}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "NATTLYS_ENV": "development",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'nattlys.db'}",
        "REDIS_URL": "",
        "SCHEDULER": "off",
    }
    where = subprocess.run(
        [str(python), "-c", "import nattlys; print(nattlys.__file__)"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert where.returncode == 0, where.stderr[-3000:]
    assert where.stdout.startswith(str(venv)), where.stdout
    upgrade = subprocess.run(
        [str(venv / "bin" / "nattlys"), "db", "upgrade"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert upgrade.returncode == 0, upgrade.stderr[-3000:]
    port = _free_port()
    log_path = tmp_path / "serve.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [str(venv / "bin" / "nattlys"), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=tmp_path,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
    try:
        status = None
        deadline = time.monotonic() + 60
        while status is None and time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    status = r.status
            except OSError:
                time.sleep(0.3)
        assert status == 200, log_path.read_text()[-3000:]
        for path, expected in [
            ("/", b"<html"),
            ("/app/main.js", b"import"),
            ("/app/i18n/nb.json", b"{"),
            ("/vendor/uPlot.esm.js", b"uPlot"),
            ("/sw.js", b"caches"),
        ]:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as r:
                assert r.status == 200 and expected in r.read(), path
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, 15)
        proc.wait(timeout=15)


def test_every_declared_dependency_is_pinned_with_hashes_in_the_lock() -> None:
    """`make setup` installs requirements.lock with --require-hashes: a package
    declared in pyproject.toml but missing from the lock would fail the install
    (or, worse, come in unpinned). `make lock` brings the lock up to date."""
    import re
    import tomllib

    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = [*project["dependencies"], *project["optional-dependencies"]["dev"]]

    def name(requirement: str) -> str:
        match = re.match(r"[A-Za-z0-9._-]+", requirement)
        assert match, requirement
        return re.sub(r"[-_.]+", "-", match.group(0)).lower()

    lock = (PROJECT_ROOT / "requirements.lock").read_text(encoding="utf-8")
    pinned = {name(line): line for line in lock.splitlines() if re.match(r"[A-Za-z0-9]", line)}
    assert {name(r) for r in declared} - pinned.keys() == set()
    assert all("==" in line and line.endswith("\\") for line in pinned.values()), "exact versions with hashes"
