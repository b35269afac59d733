"""A real OpenID provider for the tests: tests/oidc/provider.js (the certified
npm package `oidc-provider`), started on loopback by a fixture."""

from __future__ import annotations

import json
import re
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
import requests

OIDC_DIR = Path(__file__).resolve().parent / "oidc"
APP_BASE = "http://localhost"  # PUBLIC_BASE_URL of the app under test
REDIRECT_URI = APP_BASE + "/api/auth/eid/callback"


class OpenIdProvider:
    def __init__(self, process: subprocess.Popen[str], issuer: str) -> None:
        self.process = process
        self.issuer = issuer

    def next_login(self, account: str, acr: str = "idporten-loa-high") -> None:
        """The next login at the provider is this test person, with this acr."""
        answer = requests.post(
            self.issuer + "/_test/next-login", json={"account": account, "acr": acr}, timeout=5
        )
        assert answer.status_code == 204

    def authorize(self, url: str) -> str:
        """Follow the provider's redirects, as a browser would, until it sends
        the browser back to the app; that URL (with code and state)."""
        browser = requests.Session()
        for _ in range(10):
            answer = browser.get(url, allow_redirects=False, timeout=5)
            assert answer.is_redirect, (answer.status_code, answer.text[:500])
            url = urljoin(answer.url, answer.headers["Location"])
            if url.startswith(APP_BASE + "/"):
                return url
        raise AssertionError("the provider never sent the browser back")

    def log_out(self, end_session_url: str) -> str:
        """Confirm the provider's logout page; where it then sends the browser."""
        browser = requests.Session()
        page = browser.get(end_session_url, timeout=5)
        assert page.status_code == 200, page.text[:500]
        action = re.search(r'<form[^>]*action="([^"]+)"', page.text)
        xsrf = re.search(r'name="xsrf" value="([^"]+)"', page.text)
        assert action and xsrf, page.text[:500]
        answer = browser.post(
            urljoin(page.url, action.group(1)),
            data={"xsrf": xsrf.group(1), "logout": "yes"},
            allow_redirects=False,
            timeout=5,
        )
        assert answer.is_redirect, (answer.status_code, answer.text[:500])
        return urljoin(answer.url, answer.headers["Location"])


@contextmanager
def running_provider(config: dict[str, Any], tmp_path: Path) -> Iterator[OpenIdProvider]:
    if not (OIDC_DIR / "node_modules" / "oidc-provider").is_dir():
        pytest.fail("tests/oidc has no node_modules: run `make setup` (npm ci in tests/oidc)", pytrace=False)
    config_file = tmp_path / f"provider-{time.monotonic_ns()}.json"
    config_file.write_text(json.dumps({"port": 0, "test_control": True, **config}))
    process = subprocess.Popen(
        ["node", str(OIDC_DIR / "provider.js"), str(config_file)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("listening "), f"the OpenID provider did not start: {line!r}"
        yield OpenIdProvider(process, line.split()[1])
    finally:
        process.terminate()
        process.wait(timeout=10)
