"""The crisis plan in Chromium: pasient1 (Mona) on a phone, bolig1 (Kari) on a desktop.

Issue 4, "Done means": as pasient1 edit the plan and see the change as a new
version; turn the network off and still open the plan (a cold reload served
by the service worker) with its phone links; as bolig1 see only what Mona
shares with bolig, propose a change and see it applied only after Mona
approves it; every supporter view is in Mona's "Hvem har sett mine data".
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, Api, login
from tests.browser.helpers import poll

SHARED_WITH_BOLIG = ["meeting", "warning_signs", "self_help"]  # the demo's choice for Mona


def _tag() -> str:
    return uuid.uuid4().hex[:6]


def _open_plan(page: Any) -> None:
    page.locator('[data-tile="plan"]').click()
    expect(page.locator('[data-testid="plan-page"]')).to_be_visible()


def _version(page: Any) -> int:
    text = page.locator('[data-testid="plan-version"]').inner_text()
    found = re.search(r"Versjon (\d+)", text)
    assert found is not None, text
    return int(found.group(1))


def _section(page: Any, key: str) -> Any:
    return page.locator(f'[data-testid="plan-section"][data-section="{key}"]')


def test_patient_edits_sees_new_version_and_opens_plan_offline(new_page: Any) -> None:
    page = new_page(PHONE)
    login(page, "pasient1")
    expect(page.locator('[data-testid="patient-home"]')).to_be_visible()
    _open_plan(page)
    # Opens at "Dette kan jeg gjøre selv", with the emergency numbers on screen.
    self_help = _section(page, "self_help")
    expect(self_help.locator("h2")).to_have_text("Dette kan jeg gjøre selv")
    expect(self_help.locator("h2")).to_be_in_viewport()
    expect(page.locator('[data-testid="emergency-numbers"]')).to_be_in_viewport()
    before = _version(page)

    # Edit: a new item (markup in it stays text), saved as the next version.
    item = f"Lytte til regnet <script>alert({_tag()})</script>"
    self_help.locator('[data-testid="plan-edit"]').click()
    page.locator('[data-testid="plan-add"]').click()
    page.locator('[data-testid="plan-item"]').last.fill(item)
    page.locator('[data-testid="plan-save"]').click()
    saved = page.locator('[data-testid="plan-saved"]')
    expect(saved).to_have_text(f"Versjon {before + 1} – lagret av deg nå.")
    expect(_section(page, "self_help").locator("li", has_text=item)).to_be_visible()
    expect(page.locator('[data-testid="plan-version"]')).to_contain_text(
        f"Versjon {before + 1} – lagret av deg nå"
    )

    # The versions list says who and what changed.
    page.locator('[data-testid="plan-versions-link"]').click()
    newest = page.locator('[data-testid="plan-version-row"]').first
    expect(newest).to_contain_text(f"Versjon {before + 1}")
    expect(newest).to_contain_text("Lagret av deg")
    newest.locator("a").click()
    expect(page.locator('[data-testid="plan-diff"]')).to_contain_text(f"Lagt til: {item}")

    # No network: a cold reload of /#/kriseplan comes from the service worker
    # and the copy on the phone, with tap-to-call links.
    poll(page, "navigator.serviceWorker && navigator.serviceWorker.controller !== null", timeout=30)
    page.context.set_offline(True)
    try:
        page.goto("/#/kriseplan")
        expect(page.locator('[data-testid="plan-offline"]')).to_contain_text("Viser lagret kopi fra")
        expect(_section(page, "self_help").locator("li", has_text=item)).to_be_visible()
        calls = _section(page, "contacts").locator('a[href^="tel:"]')
        expect(calls.first).to_have_attribute("href", "tel:+4740000001")
        expect(page.locator('[data-testid="plan-edit"]')).to_have_count(0)
        hrefs = page.locator('[data-testid="emergency-numbers"] a').evaluate_all(
            "els => els.map(e => e.getAttribute('href'))"
        )
        assert {"tel:113", "tel:116117", "tel:116123"} <= set(hrefs)
    finally:
        page.context.set_offline(False)

    # Back online the plan is live again; logging out removes the copy.
    page.reload()
    expect(page.locator('[data-testid="plan-edit"]').first).to_be_visible()
    page.locator("summary.menu-button").click()
    page.locator(".menu-panel button").click()
    expect(page.locator("#username")).to_be_visible()
    stored = page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('nattlys.plan'))")
    assert stored == []


def test_saving_over_another_devices_change_shows_both(new_page: Any, live_server: str) -> None:
    page = new_page(PHONE)
    login(page, "pasient1")
    expect(page.locator('[data-testid="patient-home"]')).to_be_visible()
    page.goto("/#/kriseplan/endre/people_places")
    expect(page.locator('[data-testid="plan-save"]')).to_be_visible()
    mine = f"Kafeen på hjørnet {_tag()}"
    page.locator('[data-testid="plan-add"]').click()
    page.locator('[data-testid="plan-item"]').last.fill(mine)

    # Meanwhile the other phone saves the same section.
    other = Api(live_server, "pasient1")
    path = f"/api/patients/{other.user['id']}/crisis-plan"
    plan = other.call("GET", path)
    theirs = f"Svømmehallen {_tag()}"
    other.call(
        "PUT",
        path,
        {
            "base_version": plan["version"],
            "sections": {"people_places": [*plan["sections"]["people_places"], theirs]},
        },
    )

    page.locator('[data-testid="plan-save"]').click()
    conflict = page.locator('[data-testid="plan-conflict"]')
    expect(conflict).to_contain_text("Planen er endret et annet sted")
    expect(conflict).to_contain_text(mine)
    expect(conflict).to_contain_text(theirs)
    assert theirs in other.call("GET", path)["sections"]["people_places"]  # nothing overwritten

    # The patient chooses to keep theirs and add hers to it.
    page.locator('[data-testid="plan-use-current"]').click()
    expect(page.locator('[data-testid="plan-item"]').last).to_have_value(theirs)
    page.locator('[data-testid="plan-add"]').click()
    page.locator('[data-testid="plan-item"]').last.fill(mine)
    page.locator('[data-testid="plan-save"]').click()
    section = _section(page, "people_places")
    expect(section.locator("li", has_text=mine)).to_be_visible()
    expect(section.locator("li", has_text=theirs)).to_be_visible()


def test_supporter_sees_shared_sections_and_proposal_waits_for_approval(new_page: Any) -> None:
    kari = new_page(DESKTOP)
    login(kari, "bolig1")
    expect(kari.locator('[data-testid="supporter-home"]')).to_be_visible()
    kari.locator('[data-testid="patient-row"]', has_text="Mona").locator(
        '[data-testid="patient-plan-link"]'
    ).click()
    expect(kari.locator("h1")).to_have_text("Kriseplanen til Mona")
    expect(kari.locator('[data-testid="plan-shared-note"]')).to_contain_text(
        "bare de delene Mona har valgt å dele med boligen"
    )
    sections = kari.locator('[data-testid="plan-section"]')
    expect(sections).to_have_count(len(SHARED_WITH_BOLIG))
    assert sections.evaluate_all("els => els.map(e => e.dataset.section)") == SHARED_WITH_BOLIG
    expect(kari.locator("main")).not_to_contain_text("400 00 001")  # contacts: not shared with bolig
    expect(kari.locator("main")).not_to_contain_text("Katten min")  # reasons to live: private
    expect(kari.locator('[data-testid="plan-print"]')).to_be_visible()

    # Propose a new warning sign.
    sign = f"Jeg glemmer å spise {_tag()}"
    warning = kari.locator('[data-testid="plan-section"][data-section="warning_signs"]')
    warning.locator('[data-testid="plan-propose"]').click()
    warning.locator('[data-testid="plan-add"]').click()
    warning.locator('[data-testid="plan-item"]').last.fill(sign)
    warning.locator('[data-testid="plan-propose-note"]').fill("Vi snakket om dette i går")
    warning.locator('[data-testid="plan-propose-send"]').click()
    expect(warning.locator('[data-testid="plan-proposed"]')).to_contain_text("venter på at Mona godkjenner")
    expect(kari.locator('[data-testid="plan-pending"]', has_text=sign)).to_contain_text(
        "Venter på at Mona godkjenner"
    )
    kari.reload()
    expect(kari.locator('[data-testid="plan-section"][data-section="warning_signs"]')).not_to_contain_text(
        sign
    )

    # Mona approves it on her phone.
    mona = new_page(PHONE)
    login(mona, "pasient1")
    expect(mona.locator('[data-testid="patient-home"]')).to_be_visible()
    _open_plan(mona)
    mona.locator('[data-testid="plan-proposals-link"]').click()
    proposal = mona.locator('[data-testid="plan-proposal"]', has_text=sign)
    expect(proposal).to_contain_text("Forslag fra Kari (boligen)")
    expect(proposal).to_contain_text(f"Lagt til: {sign}")
    proposal.locator('[data-testid="plan-approve"]').click()
    expect(mona.locator(".notice")).to_contain_text("forslaget fra Kari er lagt inn")
    expect(mona.locator('[data-testid="plan-proposal"]', has_text=sign)).to_have_count(0)

    kari.reload()
    expect(kari.locator('[data-testid="plan-section"][data-section="warning_signs"]')).to_contain_text(sign)

    # Every look Kari took is in Mona's "Hvem har sett mine data".
    mona.goto("/#/hvem-har-sett")
    rows = mona.locator('[data-testid="audit-row"]')
    expect(rows.filter(has_text="Kari (botilbudet) så kriseplanen din").first).to_be_visible()
    expect(
        rows.filter(has_text="Kari (botilbudet) foreslo en endring i kriseplanen din").first
    ).to_be_visible()


def test_supporter_records_a_proposal_agreed_in_a_meeting(new_page: Any) -> None:
    kari = new_page(DESKTOP)
    login(kari, "bolig1")
    expect(kari.locator('[data-testid="supporter-home"]')).to_be_visible()
    kari.locator('[data-testid="patient-row"]', has_text="Mona").locator(
        '[data-testid="patient-plan-link"]'
    ).click()
    before = _version(kari)
    step = f"Ringe Lene {_tag()}"
    section = kari.locator('[data-testid="plan-section"][data-section="self_help"]')
    section.locator('[data-testid="plan-propose"]').click()
    section.locator('[data-testid="plan-add"]').click()
    section.locator('[data-testid="plan-item"]').last.fill(step)
    section.locator('[data-testid="plan-propose-send"]').click()
    pending = kari.locator('[data-testid="plan-pending"]', has_text=step)
    pending.locator('[data-testid="plan-agree"] summary').click()
    pending.locator('[data-testid="plan-agree-send"]').click()
    expect(pending.locator('[role="alert"]')).to_contain_text("Skriv når og med hvem")
    pending.locator('[data-testid="plan-meeting-note"]').fill("Ansvarsgruppemøte i dag, Mona og Kari")
    pending.locator('[data-testid="plan-agree-send"]').click()
    # Not in force on Kari's word alone: it waits for Mona (or a second colleague).
    expect(kari.locator(".notice")).to_contain_text("Endringen gjelder når Mona bekrefter den")
    awaiting = kari.locator('[data-testid="plan-awaiting"]', has_text=step)
    expect(awaiting).to_contain_text("En kollega, eller Mona, må bekrefte det")
    expect(awaiting.locator('[data-testid="plan-co-sign"]')).to_have_count(0)
    assert _version(kari) == before

    mona = new_page(PHONE)
    login(mona, "pasient1")
    expect(mona.locator('[data-testid="patient-home"]')).to_be_visible()
    mona.goto("/#/kriseplan/forslag")
    question = mona.locator('[data-testid="plan-proposal"]', has_text=step)
    expect(question.locator('[data-testid="plan-meeting-question"]')).to_contain_text("Stemmer det?")
    question.locator('[data-testid="plan-approve"]').click()  # "Ja, det stemmer"
    expect(mona.locator(".notice")).to_contain_text(f"Versjon {before + 1}")
    kari.reload()
    expect(kari.locator('[data-testid="plan-section"][data-section="self_help"]')).to_contain_text(step)


def test_repeated_looks_by_one_supporter_are_one_line_in_who_has_seen_my_data(
    new_page: Any, live_server: str
) -> None:
    """A supporter's screen may read a plan many times in an evening; Anne
    sees that as one line with how many times and from when to when."""
    anne = Api(live_server, "pasient3")
    ingrid = Api(live_server, "kommune2")
    for _ in range(3):
        ingrid.call("GET", f"/api/patients/{anne.user['id']}/crisis-plan")

    page = new_page(PHONE)
    login(page, "pasient3")
    expect(page.locator('[data-testid="patient-home"]')).to_be_visible()
    page.goto("/#/hvem-har-sett")
    newest = page.locator('[data-testid="audit-row"]').first
    expect(newest).to_contain_text("så kriseplanen din")
    expect(newest).to_contain_text("3 ganger,")
    expect(newest.locator("time")).to_have_count(2)
