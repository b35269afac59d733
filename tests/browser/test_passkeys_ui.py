"""Passkeys in Chromium with a virtual authenticator (DevTools WebAuthn domain):
a patient adds one, logs out, opens the app with it, and removes it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import PHONE, login, watched_pages

# A platform authenticator like a phone's fingerprint reader.
AUTHENTICATOR = {
    "protocol": "ctap2",
    "transport": "internal",
    "hasResidentKey": True,
    "hasUserVerification": True,
    "isUserVerified": True,
}


@pytest.fixture
def localhost_pages(browser: Any, live_server: str) -> Iterator[Any]:
    # WebAuthn needs a domain as relying party id, not an IP address.
    yield from watched_pages(browser, live_server.replace("127.0.0.1", "localhost"))


def _who(page: Any) -> Any:
    return page.evaluate(
        "fetch('/api/auth/session').then(r => r.ok ? r.json().then(s => s.user.username) : null)"
    )


def _log_out(page: Any) -> None:
    page.locator("details.menu summary").click()
    page.locator(".menu-panel button").click()
    page.locator("[data-testid=login]").wait_for()


def test_a_patient_opens_the_app_with_a_passkey_instead_of_a_password(localhost_pages: Any) -> None:
    page = localhost_pages(PHONE)
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    authenticator = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": AUTHENTICATOR})[
        "authenticatorId"
    ]

    login(page, "pasient5")
    page.locator("details.menu").wait_for()
    page.locator("details.menu summary").click()
    page.locator(".menu-panel a[href='#/passnokler']").click()
    page.locator("[data-testid=my-passkeys]").wait_for()
    assert page.locator("[data-testid=passkey]").count() == 0
    page.locator("[data-testid=passkey-add]").click()
    page.locator("[data-testid=passkey]").first.wait_for()
    assert page.locator("[data-testid=passkey]").count() == 1
    assert "Passnøkkelen er lagt til" in page.locator(".notice").inner_text()
    stored = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
    assert len(stored) == 1 and stored[0]["isResidentCredential"]

    _log_out(page)
    assert _who(page) is None
    # No username, no password: the phone's passkey (the fingerprint) opens the app.
    page.locator("[data-testid=passkey-login]").click()
    page.locator("details.menu").wait_for()
    assert _who(page) == "pasient5"

    page.goto("/#/passnokler")
    item = page.locator("[data-testid=passkey]")
    item.first.wait_for()
    assert "Sist brukt" in item.inner_text()
    item.locator("button").click()
    page.get_by_text("Du har ingen passnøkler ennå.").wait_for()
    mine = page.evaluate("fetch('/api/me/passkeys').then(r => r.json())")
    assert mine == [], json.dumps(mine)

    # The phone still holds it, but the server no longer accepts it.
    _log_out(page)
    page.locator("[data-testid=passkey-login]").click()
    page.get_by_text("Det gikk ikke å logge inn med passnøkkelen").wait_for()
    assert _who(page) is None
