"""My account in Chromium (issue #13): a patient sees her devices, is told of a
new login link a staff member made and stops it, and changes her password;
a supporter's code-app login ends on the same screen."""

from __future__ import annotations

import uuid
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, Api, login
from tests.browser.helpers import PASSWORD, accept, new_patient, visit, wait_for_socket

NEW_PASSWORD = "tyttebær og multer i mai"


def test_a_patient_stops_a_link_she_did_not_ask_for_and_changes_her_password(
    new_page: Any, live_server: str
) -> None:
    admin = Api(live_server, "admin")
    username = f"konto.{uuid.uuid4().hex[:6]}"
    created = new_patient(admin, username, "Siri Konto")
    accept(live_server, created["invitation"])
    page = new_page(PHONE)
    login(page, username, PASSWORD)
    expect(page.locator('[data-testid="patient-home"]')).to_be_visible()
    visit(page, "/min-konto")
    expect(page.locator('[data-testid="my-devices"]')).to_contain_text("Chrome")
    expect(page.locator('[data-testid="my-devices"]')).to_contain_text("(denne)")
    wait_for_socket(page)  # the live notice reaches an app that is connected

    issued = admin.call("POST", f"/api/users/{created['patient']['id']}/invitation")
    assert issued["awaiting"] == "account_holder"
    # Told at once, on the screen she has open.
    expect(page.locator(".notice")).to_contain_text("ny innloggingslenke")
    page.reload()
    notice = page.locator('[data-testid="reenrolment-notice"]')
    expect(notice).to_contain_text("Administrator")
    notice.get_by_role("button", name="Nei, stopp lenken").click()
    expect(notice).to_have_count(0)
    expect(page.locator('[data-testid="account-events"]')).to_contain_text(
        "Du stoppet en ny innloggingslenke"
    )

    page.locator("#current-password").fill(PASSWORD)
    page.locator("#new-password").fill(NEW_PASSWORD)
    page.locator("form#password-form [type=submit]").click()
    expect(page.locator("form#password-form")).to_contain_text("Passordet er byttet")


def test_a_new_supporter_sets_up_the_code_app_and_sees_her_account(new_page: Any, live_server: str) -> None:
    admin = Api(live_server, "admin")
    username = f"vakt.{uuid.uuid4().hex[:6]}"
    created = admin.call(
        "POST", "/api/users", {"username": username, "display_name": "Vilde Vakt", "role": "supporter"}
    )
    accept(live_server, created["invitation"])
    page = new_page(DESKTOP)
    login(page, username, PASSWORD)  # enrols the code app and saves the recovery codes
    expect(page.locator('[data-testid="inbox-link"]')).to_be_visible()
    page.locator("summary.menu-button").click()
    page.locator('[data-testid="menu-account"]').click()
    expect(page.locator('[data-testid="account-events"]')).to_contain_text("Kodeapp lagt til")
