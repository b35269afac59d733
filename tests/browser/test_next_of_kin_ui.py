"""Next of kin in Chromium (#18), on a server of our own with the demo data
(Monday 21:30: bolig1 Kari is on duty for pasient1 Mona until 22:00):

- parorende1 Lene logs in on her phone and sees only what Mona shares with
  her: the shared plan sections with numbers to tap and the emergency numbers,
  never the sections Mona keeps to herself;
- "Jeg er bekymret for Mona i kveld": after a calm confirmation her screen says
  what the server did (the people on duty were told), and Kari, on duty, gets it
  live as an alert to take;
- Mona withdraws the consent from her own screen: Lene's open page loses access
  at once (her session and socket end; the plan no longer answers); then she
  invites someone else and gets the link to send them.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, login, serve_demo, watched_pages
from tests.browser.helpers import wait_for_socket


@pytest.fixture(scope="module")
def kin_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from serve_demo(tmp_path_factory.mktemp("next_of_kin"))


@pytest.fixture
def pages(browser: Any, kin_server: str) -> Iterator[Any]:
    yield from watched_pages(browser, kin_server)


def test_parorende1_sees_what_mona_shares_says_she_is_worried_and_loses_access_when_mona_withdraws(
    pages: Any, timing: Any
) -> None:
    kari = pages(DESKTOP)
    login(kari, "bolig1")
    expect(kari.get_by_test_id("supporter-home")).to_be_visible()
    kari.goto("/#/i-kveld")
    expect(kari.get_by_test_id("tonight")).to_be_visible()
    wait_for_socket(kari)

    lene = pages(PHONE)
    login(lene, "parorende1")
    expect(lene.get_by_test_id("kin-home")).to_be_visible()
    mona_card = lene.get_by_test_id("kin-patient")
    expect(mona_card).to_have_count(1)
    expect(mona_card).to_contain_text("Mona")
    mona_id = int(mona_card.get_attribute("data-patient-id") or 0)
    mona_card.get_by_test_id("kin-plan-link").click()

    # Only the sections Mona shares with her, with numbers to tap; the emergency numbers stay.
    plan = lene.get_by_test_id("kin-plan")
    expect(plan).to_be_visible()
    shown = plan.get_by_test_id("plan-section")
    expect(shown).to_have_count(4)
    expect(plan).to_contain_text("Tegn på at det begynner å bli vanskelig")
    expect(plan).to_contain_text("Fagfolk og tjenester")
    expect(plan).not_to_contain_text("Det jeg lever for")
    expect(plan).not_to_contain_text("Folk jeg kan be om hjelp")
    expect(plan).not_to_contain_text("+47 400 00 001")  # Lene's own number, in the unshared contacts
    expect(plan.get_by_test_id("plan-call").first).to_have_attribute("href", "tel:+4740000010")
    emergency = lene.get_by_test_id("emergency-numbers")
    for number in ("113", "116 117", "116 123"):
        expect(emergency).to_contain_text(number)

    # "Jeg er bekymret": a confirmation first, then what the server did.
    plan.get_by_test_id("kin-worry-button").click()
    lene.get_by_role("button", name="Ja, si fra").click()
    started = time.monotonic()
    status = plan.get_by_test_id("kin-worry-status")
    expect(status).to_have_attribute("data-status", "told")
    expect(status).to_contain_text("på vakt for Mona (botilbudet) beskjed")
    offered = kari.get_by_test_id("open-alert").filter(has_text="bekymret for Mona")
    expect(offered).to_be_visible(timeout=10_000)
    timing("next of kin's worry -> supporter's 'Jeg tar den' on screen", time.monotonic() - started)
    offered.get_by_test_id("alert-take").click()
    expect(kari.get_by_test_id("open-alert").filter(has_text="Mona")).to_have_count(0)

    # Mona withdraws from her own screen: Lene's open page loses access at once.
    mona = pages(PHONE)
    login(mona, "pasient1")
    expect(mona.get_by_test_id("patient-home")).to_be_visible()
    mona.locator('[data-tile="next_of_kin"]').click()
    consent = mona.get_by_test_id("kin-consent").filter(has_text="Lene")
    expect(consent).to_be_visible()
    consent.get_by_test_id("kin-withdraw").click()
    mona.get_by_role("button", name="Ja, trekk tilbake").click()
    withdrawn = time.monotonic()
    expect(mona.get_by_test_id("kin-consent")).to_have_count(0)
    expect(lene.get_by_test_id("kin-plan")).to_have_count(0, timeout=5_000)
    expect(lene.locator("#username")).to_be_visible()
    timing("consent withdrawn -> next of kin's open page gone", time.monotonic() - withdrawn)
    assert lene.request.get(f"/api/patients/{mona_id}/next-of-kin/plan").status == 401
    assert lene.request.get("/api/next-of-kin/home").status == 401

    # And she can include someone again: a name, what they may see, a link to send.
    mona.get_by_test_id("kin-name").fill("Per Hansen")
    form = mona.get_by_test_id("kin-invite-form")
    form.get_by_label("Slik vil jeg bli møtt – og dette hjelper ikke").check()
    form.get_by_label("Si fra til de som er på vakt hvis de er bekymret for meg").check()
    form.get_by_test_id("kin-invite").click()
    expect(mona.get_by_test_id("invitation")).to_be_visible()
    expect(mona.locator(".invitation-url")).to_have_value(re.compile(r"/#/invitasjon/"))
    expect(mona.get_by_test_id("kin-consent").filter(has_text="Per Hansen")).to_contain_text(
        "har ikke tatt i bruk lenken ennå"
    )
