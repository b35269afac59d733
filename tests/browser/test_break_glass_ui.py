"""Break-glass access (nødtilgang) in Chromium (#14.1, "Done means").

Monday 21:30 in the demo: Silje (dps1) works DPS days until 20:00, so she is
off duty for Tor (pasient4). On his page she is refused the check-ins and
offered "Nødtilgang"; she gives a reason, and Tor's open "Hvem har sett mine
data" shows at once, without reloading, who opened it, why and until when.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, Api, login


def test_an_off_duty_supporter_opens_break_glass_and_the_patient_sees_it_at_once(
    new_page: Any, live_server: str
) -> None:
    tor = Api(live_server, "pasient4").user
    reason = f"Tor ringte vakttelefonen og er redd, ingen svarer ({uuid.uuid4().hex[:6]})"

    patient = new_page(PHONE)
    login(patient, "pasient4")
    expect(patient.locator('[data-testid="patient-home"]')).to_be_visible()
    patient.goto("/#/hvem-har-sett")
    expect(patient.locator('[data-testid="audit-list"]')).to_be_attached()
    expect(patient.locator('[data-testid="break-glass-row"]', has_text=reason)).to_have_count(0)

    silje = new_page(DESKTOP)
    login(silje, "dps1")
    expect(silje.locator('[data-testid="supporter-home"]')).to_be_visible()
    silje.goto(f"/#/pasient/{tor['id']}")
    panel = silje.locator('[data-testid="break-glass-panel"]')
    expect(panel).to_contain_text("Du er ikke på vakt for Tor nå")
    expect(silje.locator('[data-testid="checkin-trend"]')).to_have_count(0)
    panel.locator('[data-testid="break-glass-button"]').click()
    panel.locator('[data-testid="break-glass-reason"]').fill("Trenger")
    panel.locator('[data-testid="break-glass-open"]').click()
    expect(panel.locator('[role="alert"]')).to_contain_text("minst 15 tegn")
    panel.locator('[data-testid="break-glass-reason"]').fill(reason)
    panel.locator('[data-testid="break-glass-open"]').click()
    expect(silje.locator(".notice")).to_contain_text("Nødtilgangen er åpen til")
    expect(silje.locator('[data-testid="checkin-trend"]')).to_be_visible()

    # Tor's screen updates by itself: who, why, until when.
    row = patient.locator('[data-testid="break-glass-row"]', has_text=reason)
    expect(row).to_be_visible()
    expect(row).to_contain_text("Silje")
    expect(row).to_contain_text("åpnet nødtilgang")
    expect(row).to_contain_text(re.compile(r"Åpen nå, til .*23[.:][0-5][0-9]"))
    expect(patient.locator('[data-testid="break-glass-mine"] [role="status"]')).to_contain_text(
        "Silje har nettopp åpnet nødtilgang"
    )


def test_administrators_review_break_glass(new_page: Any, live_server: str) -> None:
    hanne = Api(live_server, "pasient5").user
    reason = f"Hanne sendte melding om natten, ingen på vakt svarte ({uuid.uuid4().hex[:6]})"
    Api(live_server, "dps1").call("POST", f"/api/patients/{hanne['id']}/break-glass", {"reason": reason})
    admin = new_page(DESKTOP)
    login(admin, "admin")
    expect(admin.locator('[data-testid="admin-home"]')).to_be_visible()
    admin.goto("/#/admin/nodtilgang")
    row = admin.locator('[data-testid="break-glass-review-row"]', has_text=reason)
    expect(row).to_contain_text("Hanne")
    row.locator('[data-testid="break-glass-review"]').click()
    expect(row).to_contain_text("Kontrollert")
