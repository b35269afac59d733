"""The demo with national eID, in Chromium: a patient binds her account to
ID-porten through her invitation link, logs out at the provider too, and
logs in again with ID-porten. The provider is tests/oidc/provider.js
(`oidc-provider`) on loopback, without test control: the person is picked on
its page, as in `make run-eid`. HelseID (staff) points at a port where nothing
answers, as when the provider is down."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE, Api, _free_port, serve_demo, watched_pages
from tests.oidc_provider import running_provider

SECRET = "browser-test-client-secret-0123456789"


@pytest.fixture(scope="module")
def eid_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    port = _free_port()
    app = f"http://localhost:{port}"
    config = {
        "test_control": False,
        "accounts": {
            "mona": {"pid": "01017012345", "name": "Mona Berg"},
            "kari": {"pid": "02028054321", "name": "Kari Dahl"},
        },
        "clients": [
            {
                "client_id": "nattlys-browser",
                "client_secret": SECRET,
                "redirect_uris": [app + "/api/auth/eid/callback"],
                "post_logout_redirect_uris": [app + "/"],
            }
        ],
    }
    workdir: Path = tmp_path_factory.mktemp("eid-live")
    with running_provider(config, workdir) as provider:
        yield from (
            (app, base)
            for base in serve_demo(
                workdir,
                port=port,
                PUBLIC_BASE_URL=app,
                EID_PID_KEY="browser-test-pid-key-" + "k" * 32,
                EID_PATIENT_ISSUER=provider.issuer,
                EID_PATIENT_CLIENT_ID="nattlys-browser",
                EID_PATIENT_CLIENT_SECRET=SECRET,
                EID_STAFF_ISSUER=f"http://127.0.0.1:{_free_port()}",
                EID_STAFF_CLIENT_ID="nattlys-browser",
                EID_STAFF_CLIENT_SECRET=SECRET,
            )
        )


@pytest.fixture
def eid_pages(browser: Any, eid_server: tuple[str, str]) -> Iterator[Any]:
    yield from watched_pages(browser, eid_server[0])


def test_a_patient_enrols_with_id_porten_and_logs_in_with_it(
    eid_pages: Any, eid_server: tuple[str, str]
) -> None:
    app, base = eid_server
    admin = Api(base, "admin")
    # A new patient: a link for an account that has a password binds no eID until approved.
    created = admin.call("POST", "/api/patients", {"username": "eid-pasient", "display_name": "Mona Berg"})
    link = created["invitation"]["url"]
    page = eid_pages(PHONE)

    page.goto(link.replace(base, app).replace("127.0.0.1", "localhost"))
    page.locator("[data-testid=eid-enrol] button").click()
    page.get_by_role("button", name="Mona Berg").click()  # at the provider: "choose test person"
    page.locator("[data-testid=patient-home]").wait_for()
    assert page.url.startswith(app)

    page.locator("details.menu summary").click()
    page.locator(".menu-panel button").click()
    page.get_by_role("button", name="Ja, logg ut").click()  # the provider ends its session too
    page.locator("[data-testid=login]").wait_for()

    page.locator("[data-testid=eid-patient]").click()
    page.get_by_role("button", name="Mona Berg").click()
    page.locator("[data-testid=patient-home]").wait_for()
    who = page.evaluate("fetch('/api/auth/session').then(r => r.json()).then(s => s.user.username)")
    assert who == "eid-pasient"


def test_someone_without_an_account_is_told_what_to_do(eid_pages: Any) -> None:
    page = eid_pages(PHONE)
    page.goto("/")
    page.locator("[data-testid=eid-patient]").click()
    page.get_by_role("button", name="Kari Dahl").click()  # never invited
    page.get_by_text("Spør kontaktpersonen din om en invitasjonslenke").first.wait_for()
    assert page.url.endswith("#/logg-inn/eid/not_enrolled")


def test_a_login_service_that_does_not_answer_is_named_with_another_way_in(eid_pages: Any) -> None:
    page = eid_pages(PHONE)
    page.goto("/")
    with page.expect_response(lambda r: r.url.endswith("/api/auth/eid/staff/start")) as answer:
        page.locator("[data-testid=eid-staff]").click()
    assert answer.value.status == 502 and answer.value.json()["error"] == "eid_unavailable"
    expect(page.locator("[data-testid=strong-login] [role=alert]")).to_have_text(
        "Innloggingstjenesten svarer ikke akkurat nå. Prøv igjen om litt, eller logg inn på en annen måte."
    )
