"""Disabling a patient's account takes two administrators (issue #13.4), in
Chromium: `admin` asks on the users screen with a reason and is told it waits
for a second administrator, while the patient's open app tells her at once;
`admin2` sees the request there and approves it."""

from __future__ import annotations

import uuid
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, Api, login
from tests.browser.helpers import PASSWORD, accept, new_patient, visit

REASON = "Flyttet fra kommunen i oktober"


def _patient_row(page: Any, name: str) -> Any:
    visit(page, "/admin/brukere")  # the admin's home lists the users too: wait for this screen's own list
    return page.locator('[data-testid="user-row"]', has_text=name)


def test_one_administrator_asks_and_a_second_one_approves(new_page: Any, live_server: str) -> None:
    created = new_patient(Api(live_server, "admin"), f"slaas.{uuid.uuid4().hex[:6]}", "Siri Slåav")
    patient = created["patient"]
    accept(live_server, created["invitation"])
    phone = new_page(PHONE)
    login(phone, patient["username"], PASSWORD)
    expect(phone.locator('[data-testid="patient-home"]')).to_be_visible()
    first = new_page(DESKTOP)
    login(first, "admin")
    row = _patient_row(first, patient["display_name"])
    row.get_by_role("button", name="Slå av").click()
    expect(row.locator('[data-testid="disable-request-form"]')).to_contain_text(
        "Ingenting endres for Siri Slåav før en annen administrator sier ja."
    )
    row.get_by_role("button", name="Be om å slå av").click()
    expect(row).to_contain_text("Skriv kort hvorfor kontoen skal slås av.")
    row.get_by_label("Hvorfor skal kontoen slås av?").fill(REASON)
    row.get_by_role("button", name="Be om å slå av").click()
    expect(first.locator("body")).to_contain_text(
        "Kontoen til Siri Slåav slås av først når en annen administrator sier ja."
    )
    waiting = row.locator('[data-testid="disable-waiting"]')
    expect(waiting).to_contain_text(f"Administrator ba om å slå av kontoen: «{REASON}»")
    expect(waiting.get_by_role("button")).to_have_count(0)  # she cannot approve her own request
    expect(row.get_by_role("button", name="Slå av")).to_have_count(0)
    expect(row).not_to_contain_text("slått av")
    expect(phone.locator(".notice")).to_contain_text(
        "En administrator har bedt om å slå av kontoen din. Ingenting endres før en annen administrator sier ja."
    )

    second = new_page(DESKTOP)
    login(second, "admin2")
    row = _patient_row(second, patient["display_name"])
    row.locator('[data-testid="disable-waiting"]').get_by_role("button", name="Ja, slå av kontoen").click()
    expect(second.locator("body")).to_contain_text("Kontoen til Siri Slåav er slått av.")
    row = second.locator('[data-testid="user-row"]', has_text=patient["display_name"])
    expect(row.locator(".badge-off")).to_have_text("slått av")
    expect(row.locator('[data-testid="disable-waiting"]')).to_have_count(0)
    # Enabling her again is one administrator's step.
    row.get_by_role("button", name="Slå på").click()
    row.get_by_role("button", name="Slå på").last.click()
    expect(second.locator("body")).to_contain_text("Kontoen til Siri Slåav er slått på.")
