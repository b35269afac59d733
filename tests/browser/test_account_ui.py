"""My account in Chromium (issue #13): a patient sees her devices, is told of a
new login link a staff member made and stops it, and changes her password;
a supporter's code-app login ends on the same screen."""

from __future__ import annotations

import uuid
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, Api, login
from tests.browser.test_hostile_content import PASSWORD, _accept, second_admin_approves_link

NEW_PASSWORD = "tyttebær og multer i mai"


def test_a_patient_stops_a_link_she_did_not_ask_for_and_changes_her_password(
    new_page: Any, live_server: str
) -> None:
    admin = Api(live_server, "admin")
    username = f"konto.{uuid.uuid4().hex[:6]}"
    created = admin.call("POST", "/api/patients", {"username": username, "display_name": "Siri Konto"})
    # The demo patients' circle (bolig, kommune, DPS): the coverage test expects no gaps.
    kinds = {team["kind"]: team["id"] for team in admin.call("GET", "/api/teams")}
    tiers = [{"team_ids": [kinds[kind]]} for kind in ("bolig", "kommune", "dps")]
    admin.call(
        "PUT",
        f"/api/patients/{created['patient']['id']}/care-circle",
        {"tiers": tiers, "primary_contact_ids": []},
    )
    _accept(live_server, created["invitation"])
    page = new_page(PHONE)
    login(page, username, PASSWORD)
    expect(page.locator('[data-testid="patient-home"]')).to_be_visible()
    page.goto("/#/min-konto")
    expect(page.locator('[data-testid="my-devices"]')).to_contain_text("Chrome")
    expect(page.locator('[data-testid="my-devices"]')).to_contain_text("(denne)")

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
    assert created["invitation"]["awaiting"] == "second_admin"
    second_admin_approves_link(live_server, created["user"]["id"])
    _accept(live_server, created["invitation"])
    page = new_page(DESKTOP)
    login(page, username, PASSWORD)  # enrols the code app and saves the recovery codes
    expect(page.locator('[data-testid="inbox-link"]')).to_be_visible()
    page.locator("summary.menu-button").click()
    page.locator('[data-testid="menu-account"]').click()
    expect(page.locator('[data-testid="account-events"]')).to_contain_text("Kodeapp lagt til")


def _users_screen(new_page: Any, admin: str) -> Any:
    page = new_page(DESKTOP)
    login(page, admin)
    # The administrators' start page is the users screen.
    expect(page.locator('[data-testid="user-list"]')).to_be_visible()
    return page


def test_disabling_a_patient_waits_for_a_second_administrator_and_she_is_told(
    new_page: Any, live_server: str
) -> None:
    # Made by her housing supporter: the administrators' authenticator codes are
    # each used once, by their browser logins below.
    kari = Api(live_server, "bolig1")
    team = next(team["id"] for team in kari.call("GET", "/api/teams") if team["kind"] == "bolig")
    username = f"slaas.{uuid.uuid4().hex[:6]}"
    created = kari.call(
        "POST", "/api/patients", {"username": username, "display_name": "Siri Slått", "team_id": team}
    )
    _accept(live_server, created["invitation"])
    phone = new_page(PHONE)
    login(phone, username, PASSWORD)
    expect(phone.locator('[data-testid="patient-home"]')).to_be_visible()

    desk = _users_screen(new_page, "admin")
    row = desk.locator('[data-testid="user-row"]', has_text="Siri Slått")
    row.get_by_role("button", name="Be om å slå av").click()
    row.get_by_label("Hvorfor skal kontoen slås av?").fill("Flyttet til en annen kommune")
    row.get_by_role("button", name="Send til godkjenning").click()
    expect(desk.locator('[data-testid="pending-approvals"]')).to_contain_text(
        "Venter på at en annen administrator"
    )
    expect(desk.locator('[data-testid="user-row"]', has_text="Siri Slått")).to_contain_text(
        "venter på godkjenning"
    )

    # She is told at once, calmly, and keeps everything until a second administrator says yes.
    expect(phone.locator(".notice")).to_contain_text("bedt om å slå av kontoen din")
    phone.goto("/#/min-konto")
    pending = phone.locator('[data-testid="pending-change"]')
    expect(pending).to_contain_text("Flyttet til en annen kommune")
    expect(pending).to_contain_text("116 117")

    second = _users_screen(new_page, "admin2")
    request = second.locator('[data-testid="pending-approval"]', has_text="Siri Slått")
    request.get_by_role("button", name="Godkjenn").click()
    expect(second.locator('[data-testid="user-row"]', has_text="Siri Slått")).to_contain_text("slått av")
    expect(phone.locator("#username")).to_be_visible()
