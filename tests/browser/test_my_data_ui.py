"""In Chromium: the privacy notice and accessibility statement open from the
login screen in both languages; a patient downloads her data and asks for,
then withdraws, deletion."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import PHONE, Api, login
from tests.browser.helpers import PASSWORD, user


def test_the_statements_open_from_the_login_screen_in_norwegian_and_english(new_page: Any) -> None:
    page = new_page(PHONE)
    page.goto("/#/logg-inn")
    page.get_by_role("link", name="Personvernerklæring").click()
    notice = page.locator('[data-testid="statement-privacy"]')
    expect(notice.locator("h1")).to_have_text("Personvernerklæring for Nattlys")
    expect(notice).to_contain_text("7 dager")
    expect(notice).to_contain_text("Datatilsynet")
    expect(page.locator('[data-testid="emergency-numbers"]')).to_be_visible()
    page.get_by_role("link", name="Tilbake til innlogging").click()
    page.get_by_role("link", name="Tilgjengelighetserklæring").click()
    expect(page.locator('[data-testid="statement-accessibility"] h1')).to_have_text(
        "Tilgjengelighetserklæring for Nattlys"
    )
    page.locator('[data-lang="en"]').first.click()
    expect(page.locator('[data-testid="statement-accessibility"] h1')).to_have_text(
        "Accessibility statement for Nattlys"
    )
    expect(page.locator('[data-testid="statement-accessibility"]')).to_contain_text("uustatus.no")


def test_a_patient_downloads_her_data_and_asks_for_then_withdraws_deletion(
    new_page: Any, live_server: str
) -> None:
    admin = Api(live_server, "admin")
    username = f"mine.data.{uuid.uuid4().hex[:6]}"
    # "Å" and the demo patients' circle: listed after them and never a coverage gap
    # on the shared server (the roster tests read those).
    patient_id = user(admin, live_server, username, "Åsne Data", "patient")
    teams = {t["name"]: t["id"] for t in admin.call("GET", "/api/teams")}
    demo_circle = ("Bolig Askøy", "Psykisk helse Askøy kommune", "Øyane DPS akutt")
    tiers = [{"team_ids": [teams[name]]} for name in demo_circle]
    admin.call("PUT", f"/api/patients/{patient_id}/care-circle", {"tiers": tiers, "primary_contact_ids": []})
    page = new_page(PHONE)
    login(page, username, PASSWORD)
    page.locator('[data-tile="my_data"]').click()
    view = page.locator('[data-testid="my-data"]')
    expect(view.locator("h1")).to_have_text("Mine data")

    with page.expect_download() as downloading:
        view.locator('[data-export="json"]').click()
    copy = json.loads(Path(downloading.value.path()).read_text(encoding="utf-8"))
    assert [u["display_name"] for u in copy["tables"]["users"]] == ["Åsne Data"]
    with page.expect_download() as downloading:
        view.locator('[data-export="html"]').click()
    assert "Alt Nattlys har om deg" in Path(downloading.value.path()).read_text(encoding="utf-8")

    view.get_by_role("button", name="Be om sletting").click()
    view.get_by_role("button", name="Ja, slett alt om meg").click()
    expect(view.locator('[data-testid="deletion"]')).to_contain_text(
        "Fram til da kan du bruke Nattlys som før"
    )
    view.get_by_role("button", name="Angre – ikke slett").click()
    expect(view.locator('[data-testid="deletion"]')).to_contain_text("Slettingen er stoppet")
    page.reload()
    expect(view.get_by_role("button", name="Be om sletting")).to_be_visible()
