"""Issue 17.4: text size, night mode and language, chosen in the app and
remembered on the device (not in the account), in Chromium."""

from __future__ import annotations

import time
import uuid
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, RED_CHECKIN, Api, login
from tests.browser.helpers import axe_violations, visit

# The patient's screens that must fit a 320 px wide phone with the largest text.
PATIENT_SCREENS = ("/", "/kveldssjekk", "/kriseplan", "/chat", "/innstillinger")

COLOURS = """() => {
  const rgb = (value) => value.match(/\\d+/g).slice(0, 3).map(Number);
  const body = getComputedStyle(document.body);
  return { background: rgb(body.backgroundColor), text: rgb(body.color) };
}"""

# The elements and the text that reach past the window's right edge, for the failure message.
WIDER = """() => {
  const past = (rect) => rect.right + window.scrollX > 320.5;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const found = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const range = document.createRange();
    range.selectNodeContents(node);
    if (node.textContent.trim() && past(range.getBoundingClientRect())) {
      found.push(`text in ${node.parentElement.tagName.toLowerCase()}.${node.parentElement.className}: "${node.textContent.trim().slice(0, 60)}"`);
    }
  }
  for (const el of document.body.querySelectorAll('*')) {
    if (past(el.getBoundingClientRect()) && ![...el.children].some((c) => past(c.getBoundingClientRect()))) {
      found.push(`${el.tagName.toLowerCase()}.${el.className}`);
    }
  }
  return found;
}"""

# What <html> carries when the first frame is drawn (an animation frame runs just before each paint).
FIRST_FRAME = """
  requestAnimationFrame(() => {
    const root = document.documentElement;
    window.firstFrame = { textSize: root.dataset.textSize || null, appearance: root.dataset.appearance || null };
  });
"""


def open_settings_from_the_menu(page: Any) -> None:
    page.locator("summary.menu-button").click()
    page.get_by_role("link", name="Innstillinger", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Innstillinger")


def in_night_mode(page: Any) -> None:
    """Dark, and warm: more red than blue in the background and the text."""
    colours = page.evaluate(COLOURS)
    assert max(colours["background"]) < 40, colours
    assert colours["background"][0] > colours["background"][2], colours
    assert colours["text"][0] > colours["text"][2] + 40, colours


def test_a_patient_chooses_the_largest_text_and_night_mode_and_the_phone_remembers_them(
    new_page: Any, live_server: str, timing: Any
) -> None:
    page = new_page(PHONE)
    page.emulate_media(color_scheme="light")  # night mode is chosen, not the phone's setting
    login(page, "pasient5")
    expect(page.get_by_test_id("patient-home")).to_be_visible()
    normal = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    open_settings_from_the_menu(page)
    text_size = page.get_by_role("group", name="Tekststørrelse")
    expect(text_size.get_by_role("radio")).to_have_count(3)
    expect(page.get_by_role("radio", name="Vanlig")).to_be_checked()
    expect(page.get_by_role("radio", name="Følg enheten")).to_be_checked()

    page.get_by_role("radio", name="Størst").check()
    page.get_by_role("radio", name="Nattmodus").check()
    expect(page.get_by_role("status").filter(has_text="Lagret på denne enheten.")).to_be_visible()
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") == normal * 1.5
    in_night_mode(page)

    page.reload()  # remembered on the phone
    expect(page.get_by_role("radio", name="Størst")).to_be_checked()
    expect(page.get_by_role("radio", name="Nattmodus")).to_be_checked()
    in_night_mode(page)

    # On a 320 px phone every screen reflows (nothing scrolls sideways), and
    # axe finds nothing serious in night mode; the home screen after a red
    # check-in has the numbers to call.
    Api(live_server, "pasient5").call(
        "POST", "/api/checkins", RED_CHECKIN | {"idempotency_key": uuid.uuid4().hex}
    )
    page.set_viewport_size({"width": 320, "height": 640})
    started = time.monotonic()
    found = {}
    for screen in PATIENT_SCREENS:
        visit(page, screen)
        width, wider = page.evaluate(f"() => [document.documentElement.scrollWidth, ({WIDER})()]")
        assert width <= 320, (screen, wider)
        found[screen] = axe_violations(page)
    timing(
        f"axe in night mode with the largest text at 320 px: {len(PATIENT_SCREENS)} screens",
        time.monotonic() - started,
    )
    assert {screen: bad for screen, bad in found.items() if bad} == {}

    # Logging out forgets the patient's data, not how the phone should look.
    page.locator("summary.menu-button").click()
    page.get_by_role("button", name="Logg ut").click()
    expect(page.locator("#username")).to_be_visible()
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") == normal * 1.5
    in_night_mode(page)
    assert axe_violations(page) == []


def test_the_first_frame_is_already_in_night_mode_with_the_chosen_text_size(new_page: Any) -> None:
    """No bright flash before night mode, even when the settings arrive slowly
    (a first visit, before the service worker keeps the app on the phone)."""
    page = new_page(PHONE)
    page.emulate_media(color_scheme="light")
    page.add_init_script(
        "localStorage.setItem('nattlys.text-size', 'largest'); localStorage.setItem('nattlys.appearance', 'night');"
        + FIRST_FRAME
    )

    def slowly(route: Any) -> None:
        time.sleep(0.8)
        route.continue_()

    page.route("**/app/device-settings.js", slowly)
    page.goto("/")
    expect(page.locator("#username")).to_be_visible()
    assert page.evaluate("window.firstFrame") == {"textSize": "largest", "appearance": "night"}


def test_a_supporter_and_an_administrator_reach_the_same_settings_and_light_wins_over_a_dark_phone(
    new_page: Any,
) -> None:
    for username in ("bolig1", "admin"):
        page = new_page(DESKTOP)
        page.emulate_media(color_scheme="dark")
        login(page, username)
        open_settings_from_the_menu(page)
        for legend in ("Tekststørrelse", "Farger", "Språk"):
            expect(page.locator("main").get_by_role("group", name=legend)).to_be_visible()
        assert max(page.evaluate(COLOURS)["background"]) < 60  # the computer's dark setting

        page.get_by_role("radio", name="Lys").check()
        assert min(page.evaluate(COLOURS)["background"]) > 200
        page.get_by_role("radio", name="Stor").check()
        assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == "20px"

        page.get_by_role("radio", name="Nattmodus").check()
        in_night_mode(page)
        # The screens with most colour of their own, in night mode.
        screens = ("/innboks", "/i-kveld") if username == "bolig1" else ("/admin/dekning", "/admin/vaktplan")
        for screen in screens:
            visit(page, screen)
            assert axe_violations(page) == [], screen


def test_choosing_english_in_the_settings_changes_the_language_like_the_header_switch(new_page: Any) -> None:
    page = new_page(PHONE)
    page.goto("/")
    page.get_by_role("link", name="Tekststørrelse og nattmodus").click()  # before logging in too
    expect(page.get_by_role("heading", level=1)).to_have_text("Innstillinger")

    page.get_by_role("radio", name="English").check()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Settings")
    english = page.get_by_role("radio", name="English")
    expect(english).to_be_checked()
    expect(english).to_be_focused()  # drawn again in English, where it was
    expect(page.locator('header [data-lang="en"]')).to_have_attribute("aria-pressed", "true")
    page.reload()
    expect(page.get_by_role("group", name="Text size")).to_be_visible()

    page.locator('header [data-lang="nb"]').click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Innstillinger")
    expect(page.get_by_role("radio", name="Norsk bokmål")).to_be_checked()
    page.get_by_role("link", name="Tilbake til innlogging").click()
    expect(page.locator("#username")).to_be_visible()
