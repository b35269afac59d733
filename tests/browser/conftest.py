"""A real `nattlys serve` on a free port with demo data, and Debian's Chromium
driven by Playwright. Outside CI the browser tests skip when Chromium is not
installed; under CI=true they fail instead, since .ci/run installs it."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.demo_totp import staff_code

DEMO_PASSWORD = "nattlys-browser-demo"
# The live server's clock starts here and runs on: Monday evening of a week in
# which the demo roster has bolig1 (Kari) on duty until 22:00 and kommune1
# (Ingrid) until 23:00.
CLOCK_START = "2026-11-23T21:30:00+01:00"
PROJECT_ROOT = Path(__file__).resolve().parents[2]
# A check-in that is red (pressure 9, a strong urge to self-harm), for `POST /api/checkins`.
RED_CHECKIN = {
    "pressure": 9,
    "mood": 1,
    "sleep": "poor",
    "warning_signs": [],
    "self_harm_urge": "strong",
    "suicidal_thoughts": "none",
    "wants_contact": False,
}

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
DESKTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 800}}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_demo(workdir: Path, port: int | None = None, **extra_env: str) -> Iterator[str]:
    """`nattlys serve` with demo data, as `make run` starts it, on SQLite in
    `workdir`; yields its base URL and stops it afterwards."""
    env = {
        **os.environ,
        "NATTLYS_ENV": "development",
        "DATABASE_URL": f"sqlite:///{workdir / 'nattlys.db'}",
        "NATTLYS_DEMO_PASSWORD": DEMO_PASSWORD,
        "REDIS_URL": "",
        "CLOCK_START": CLOCK_START,
        "SCHEDULER": "embedded",
        **extra_env,
    }
    nattlys = [sys.executable, "-m", "nattlys"]
    subprocess.run([*nattlys, "db", "upgrade"], env=env, cwd=PROJECT_ROOT, check=True, capture_output=True)
    subprocess.run([*nattlys, "demo"], env=env, cwd=PROJECT_ROOT, check=True, capture_output=True)
    port = port or _free_port()
    log = open(workdir / "server.log", "wb")  # noqa: SIM115 - kept open for the server's lifetime
    proc = subprocess.Popen(
        [*nattlys, "serve", "--port", str(port)], env=env, cwd=PROJECT_ROOT, stdout=log, stderr=log
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90  # a loaded two-core machine boots slowly
    while True:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=1) as r:  # noqa: S310 - loopback only
                if r.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            log.close()
            pytest.fail("nattlys serve did not start:\n" + (workdir / "server.log").read_text()[-3000:])
        time.sleep(0.2)
    yield base
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The service as `make run` starts it, on SQLite with demo data."""
    yield from serve_demo(tmp_path_factory.mktemp("live"))


def watched_pages(browser: Any, base_url: str) -> Iterator[Any]:
    """Make pages in fresh contexts on `base_url`; on leaving, fail if any page
    had an error or a CSP violation. Used as a fixture body (yield from)."""
    contexts: list[Any] = []
    problems: list[str] = []

    def make(device: dict[str, Any] = PHONE, locale: str = "nb-NO") -> Any:
        context = browser.new_context(base_url=base_url, locale=locale, timezone_id="Europe/Oslo", **device)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
        page.on(
            "console",
            lambda msg: (
                problems.append(f"console {msg.type}: {msg.text}")
                if msg.type == "error" and "Content Security Policy" in msg.text
                else None
            ),
        )
        return page

    yield make
    for context in contexts:
        context.close()
    assert not problems, problems


@pytest.fixture
def new_page(browser: Any, live_server: str) -> Iterator[Any]:
    """Pages in fresh contexts; any page error or CSP violation fails the test."""
    yield from watched_pages(browser, live_server)


@pytest.fixture
def timing(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str, float], None]:
    """Record seconds from the patient's action to the truthful status: printed
    (run with -s) and appended to timings.jsonl under pytest's basetemp for the
    closing note. Writing the file never fails a test."""
    path = tmp_path_factory.getbasetemp() / "timings.jsonl"

    def record(case: str, seconds: float) -> None:
        print(f"MEASURE {case}: {seconds:.2f} s")
        try:
            with path.open("a", encoding="utf-8") as out:
                out.write(json.dumps({"case": case, "seconds": round(seconds, 2)}) + "\n")
        except OSError:
            pass

    return record


def totp_code(
    server: str, username: str, server_time: str, secret: str | None = None, password: str = DEMO_PASSWORD
) -> str:
    """Demo staff's keys come from the demo password, which is also their password."""
    return staff_code(username, server_time, server=server, demo_password=password, secret=secret)


def login(page: Any, username: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the app; staff also type the authenticator code."""
    page.goto("/")
    page.locator("#username").fill(username)
    page.locator("#password").fill(password)
    with page.expect_response(lambda r: r.url.endswith("/api/auth/login")) as answer:
        page.locator("form#login-form [type=submit]").click()
    if not answer.value.ok:  # the login screen stays, with the reason
        return
    session = answer.value.json()
    step = session.get("second_factor")
    if step is None:
        _wait_until_logged_in(page)
        return
    secret = page.locator('[data-testid="totp-secret"]').text_content() if step == "enrol" else None
    server = "{0.scheme}://{0.netloc}".format(urlsplit(page.url))
    page.locator("#totp-code").fill(totp_code(server, username, session["server_time"], secret, password))
    # Logged in only when the code is taken: a navigation before that would cancel it.
    with page.expect_response(lambda r: r.url.endswith("/api/auth/second-factor/verify")):
        page.locator("form#totp-form [type=submit]").click()
    if step == "enrol":  # the recovery codes are shown once
        page.locator('[data-testid="recovery-codes-saved"]').click()
    _wait_until_logged_in(page)


def _wait_until_logged_in(page: Any) -> None:
    """The app leaves the login screen a moment after the server's answer; a
    test's own navigation before that would be overridden by the app's move to
    the home screen."""
    page.locator('[data-testid="login"]').wait_for(state="detached")


class Api:
    """A logged-in HTTP client for arranging things beside the browser (as an
    administrator, or as "another device" of the same user)."""

    def __init__(self, base: str, username: str, password: str = DEMO_PASSWORD) -> None:
        self.base = base
        self.csrf: str | None = None
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        session = self.call("POST", "/api/auth/login", {"username": username, "password": password})
        step = session.get("second_factor")
        if step is not None:  # staff: the authenticator code (set up first if new)
            self.csrf = session["csrf_token"]
            secret = self.call("POST", "/api/auth/second-factor/enrol")["secret"] if step == "enrol" else None
            code = totp_code(self.base, username, session["server_time"], secret, password)
            session = self.call("POST", "/api/auth/second-factor/verify", {"code": code})
        self.csrf = session["csrf_token"]
        self.user = session["user"]

    def call(self, method: str, path: str, body: Any = None) -> Any:
        headers = {"Accept": "application/json", "Content-Type": "application/json", "Origin": self.base}
        if self.csrf:
            headers["X-CSRF-Token"] = self.csrf
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(  # noqa: S310 - loopback only
            self.base + path, data=data, method=method, headers=headers
        )
        with self.opener.open(request, timeout=10) as response:
            text = response.read()
        return json.loads(text) if text else None
