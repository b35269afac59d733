"""Passkeys in Chromium with a virtual authenticator (DevTools WebAuthn domain):
a patient adds one, logs out, opens the app with it, and removes it; when the
server refuses a passkey step, she reads why in the server's words."""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from playwright.sync_api import expect

from nattlys.accounts.passkeys import MAX_PASSKEYS
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


def _authenticator(page: Any) -> tuple[Any, str]:
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    return cdp, cdp.send("WebAuthn.addVirtualAuthenticator", {"options": AUTHENTICATOR})["authenticatorId"]


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
    cdp, authenticator = _authenticator(page)

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


def test_a_patient_with_as_many_passkeys_as_she_may_have_is_told_to_remove_one(localhost_pages: Any) -> None:
    page = localhost_pages(PHONE)
    cdp, authenticator = _authenticator(page)
    login(page, "pasient7")
    page.locator("details.menu").wait_for()
    page.goto("/#/passnokler")
    added = page.locator("[data-testid=passkey]")
    for count in range(1, MAX_PASSKEYS + 1):
        # As from another phone each time: one authenticator holds one passkey per account.
        cdp.send("WebAuthn.clearCredentials", {"authenticatorId": authenticator})
        page.locator("[data-testid=passkey-add]").click()
        expect(added).to_have_count(count)

    page.locator("[data-testid=passkey-add]").click()
    expect(page.locator("[data-testid=my-passkeys] [role=alert]")).to_have_text(
        "Du har så mange passnøkler som du kan ha. Fjern en du ikke bruker, så kan du legge til en ny."
    )
    expect(added).to_have_count(MAX_PASSKEYS)


def test_adding_a_passkey_twice_on_the_same_phone_says_it_is_there_already(localhost_pages: Any) -> None:
    page = localhost_pages(PHONE)
    _authenticator(page)
    login(page, "pasient4")
    page.locator("details.menu").wait_for()
    page.goto("/#/passnokler")
    page.locator("[data-testid=passkey-add]").click()
    expect(page.locator("[data-testid=passkey]")).to_have_count(1)

    page.locator("[data-testid=passkey-add]").click()
    expect(page.locator("[data-testid=my-passkeys] [role=alert]")).to_have_text(
        "Denne passnøkkelen er allerede lagt til. Du kan bruke den til å logge inn."
    )
    expect(page.locator("[data-testid=passkey]")).to_have_count(1)


def test_a_passkey_login_that_ran_out_of_time_says_so(localhost_pages: Any) -> None:
    page = localhost_pages(PHONE)
    cdp, authenticator = _authenticator(page)
    key = ec.generate_private_key(ec.SECP256R1())
    pkcs8 = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    cdp.send(
        "WebAuthn.addCredential",
        {
            "authenticatorId": authenticator,
            "credential": {
                "credentialId": base64.b64encode(secrets.token_bytes(16)).decode(),
                "isResidentCredential": True,
                "rpId": "localhost",
                "privateKey": base64.b64encode(pkcs8).decode(),
                "userHandle": base64.b64encode(b"1").decode(),
                "signCount": 0,
            },
        },
    )

    def expired(route: Any) -> None:
        # As if she had left the fingerprint prompt for longer than the server waits.
        body = {**route.request.post_data_json, "ceremony": "e" * 43}
        route.continue_(post_data=json.dumps(body))

    page.route("**/api/auth/passkey/login", expired)
    page.goto("/")
    page.locator("[data-testid=passkey-login]").click()
    expect(page.locator("[data-testid=strong-login] [role=alert]")).to_have_text(
        "Forsøket med passnøkkelen gikk ut på tid. Prøv igjen."
    )
    assert _who(page) is None
