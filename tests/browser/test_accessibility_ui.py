"""Issue 17: usable with a screen reader, a keyboard and big text.

What a screen reader hears is read from the chat's live region in Chromium;
what the fixed emergency bar covers is measured with elementFromPoint.
"""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, Api, login
from tests.browser.helpers import axe_violations, visit

SAID = "() => document.querySelector('[data-testid=\"chat-announcer\"]').textContent"


def write(page: Any, text: str) -> None:
    box = page.locator("#chat-input")
    box.fill(text)
    box.press("Enter")


def test_a_new_chat_message_is_announced_once_with_its_sender(new_page: Any, live_server: str) -> None:
    tag = uuid.uuid4().hex[:6]
    jon = new_page(PHONE)
    login(jon, "pasient7")
    expect(jon.get_by_test_id("patient-home")).to_be_visible()
    jon.goto("/#/chat")
    write(jon, f"Hei, er det noen der? {tag}")
    mine = jon.get_by_test_id("chat-message").filter(has_text="er det noen der?")
    expect(mine.get_by_test_id("not-sent")).to_have_count(0, timeout=10_000)

    # The list keeps its list semantics; what is new is said elsewhere.
    messages = jon.get_by_test_id("chat-messages")
    assert messages.evaluate(
        "(list) => [list.tagName, list.getAttribute('role'), list.getAttribute('aria-live')]"
    ) == ["OL", None, None]
    announcer = jon.get_by_test_id("chat-announcer")
    expect(announcer).to_have_attribute("aria-live", "polite")
    assert jon.evaluate(SAID) == ""  # neither the history nor her own message
    mine.evaluate("(node) => { node.dataset.keep = 'yes'; }")

    ingrid = Api(live_server, "kommune1")
    conversation = next(
        row for row in ingrid.call("GET", "/api/chat/inbox") if row["patient_name"].startswith("Jon")
    )
    answer = f"Ja, jeg er her. {tag}"
    path = f"/api/chat/conversations/{conversation['conversation_id']}/messages"
    ingrid.call("POST", path, {"client_id": f"a11y-{tag}", "body": answer})

    expect(jon.get_by_test_id("chat-message").filter(has_text=answer)).to_be_visible(timeout=10_000)
    expect(announcer).to_have_text(f"Ny melding fra Ingrid (kommunen): {answer}")

    # A sync (back online), a poll and her next message render the list again: nothing is said again.
    jon.evaluate("window.dispatchEvent(new Event('online'))")
    jon.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    write(jon, f"Takk {tag}")
    expect(
        jon.get_by_test_id("chat-message").filter(has_text=f"Takk {tag}").get_by_test_id("not-sent")
    ).to_have_count(0, timeout=10_000)
    jon.wait_for_timeout(500)
    assert jon.evaluate(SAID) == f"Ny melding fra Ingrid (kommunen): {answer}"
    # Only the new messages were added: what was there is the same node.
    expect(mine).to_have_attribute("data-keep", "yes")
    expect(messages.locator(":scope > li")).not_to_have_count(0)

    # The supporter's conversation says the patient's new message once too.
    desk = new_page(DESKTOP)
    login(desk, "kommune1")
    # Her home first: the app goes there after a login, and would undo an earlier hop.
    expect(desk.get_by_test_id("supporter-home")).to_be_visible()
    desk.goto(f"/#/samtale/{conversation['conversation_id']}")
    expect(desk.get_by_test_id("chat-messages")).to_contain_text(answer)
    desk_announcer = desk.get_by_test_id("chat-announcer")
    assert desk_announcer.text_content() == ""
    write(jon, f"Det hjelper {tag}")
    expect(desk_announcer).to_have_text(f"Ny melding fra Jon: Det hjelper {tag}", timeout=10_000)
    desk.locator("#reply-input").fill(f"Så fint {tag}")
    desk.locator("#reply-input").press("Enter")
    expect(desk.get_by_test_id("chat-message").filter(has_text=f"Så fint {tag}")).to_be_visible()
    desk.wait_for_timeout(500)
    expect(desk_announcer).to_have_text(f"Ny melding fra Jon: Det hjelper {tag}")


# --- the emergency bar never covers what has focus -------------------------------------

SMALL_PHONE = {
    "viewport": {"width": 320, "height": 640},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}

# Where the focused control is drawn, and what is on top there. A radio drawn
# as a big button lies under its label: the label is what is seen and tapped.
UNCOVERED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  let shown = el;
  const box = el.getBoundingClientRect();
  const hidden = box.width < 4 || box.height < 4 || getComputedStyle(el).pointerEvents === 'none';
  if (hidden && el.labels && el.labels.length) shown = el.labels[0];
  const r = shown.getBoundingClientRect();
  const x = r.left + r.width / 2;
  const y = r.top + Math.min(r.height / 2, 20);
  const hit = document.elementFromPoint(x, y);
  const ok = Boolean(hit) && (shown.contains(hit) || el.contains(hit));
  const label = (el.getAttribute('aria-label') || el.textContent || el.id || el.tagName).trim().slice(0, 40);
  const what = (node) => node ? `${node.tagName} ${node.className || ''} ${(node.textContent || '').trim().slice(0, 20)}` : null;
  return { ok, label, shown: what(shown), box: [r.left, r.top, r.width, r.height].map(Math.round), hit: what(hit) };
}"""


def large_text(page: Any) -> None:
    """The browser's text size at 200 % (as in the phone's settings): the root font is 32 px."""
    page.context.new_cdp_session(page).send("Page.setFontSizes", {"fontSizes": {"standard": 32, "fixed": 26}})


def tab_through(page: Any, steps: int = 80) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    for _ in range(steps):
        page.keyboard.press("Tab")
        where = page.evaluate(UNCOVERED)
        if where is None or (seen and where == seen[0]):
            break
        seen.append(where)
    return seen


def test_the_emergency_bar_never_covers_the_focused_control_at_200_percent_text(new_page: Any) -> None:
    page = new_page(SMALL_PHONE)
    large_text(page)
    page.goto("/")
    expect(page.locator("#username")).to_be_visible()
    assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == "32px"
    page.locator("#password").fill("x")  # the form as it is mid-way, not empty
    page.evaluate("document.activeElement.blur(); window.scrollTo(0, 0)")
    login_stops = tab_through(page)
    assert any("Logg inn" in stop["label"] for stop in login_stops), login_stops
    covered = [stop for stop in login_stops if not stop["ok"]]
    assert not covered, covered
    assert page.evaluate("document.documentElement.scrollWidth") <= 320

    login(page, "pasient4")
    expect(page.get_by_test_id("patient-home")).to_be_visible()
    page.goto("/#/kveldssjekk")
    expect(page.get_by_test_id("checkin-form")).to_be_visible()
    page.evaluate("window.scrollTo(0, 0)")
    page.locator("main").focus()
    checkin_stops = tab_through(page)
    assert any("Vil du skrive noe mer" in stop["label"] for stop in checkin_stops), checkin_stops
    covered = [stop for stop in checkin_stops if not stop["ok"]]
    assert not covered, covered
    assert page.evaluate("document.documentElement.scrollWidth") <= 320  # no sideways scrolling either


# --- axe-core on every screen of every role ---------------------------------------------

BAD = ("serious", "critical")

# Every screen of each role, by path (the app's hash routes) and a name for the report.
PATIENT_SCREENS = (
    "/",
    "/kveldssjekk",
    "/kveldssjekk/innstillinger",
    "/kveldssjekk/utvikling",
    "/chat",
    "/kriseplan",
    "/kriseplan/endre/self_help",
    "/kriseplan/versjoner",
    "/kriseplan/versjoner/1",
    "/kriseplan/deling",
    "/kriseplan/forslag",
    "/hvem-hjelper-meg",
    "/hvem-har-sett",
    "/mine-data",
    "/parorende",
    "/min-konto",
    "/passnokler",
    "/personvern",
    "/tilgjengelighet",
    "/innstillinger",
    "/finnes-ikke",
)
SUPPORTER_SCREENS = (
    "/",
    "/innboks",
    "/i-kveld",
    "/mine-vakter",
    "/pasient/{patient}",
    "/pasient/{patient}/kriseplan",
    "/min-konto",
    "/innstillinger",
)
ADMIN_SCREENS = (
    "/",
    "/admin/team",
    "/admin/pasienter",
    "/admin/pasienter/{patient}",
    "/admin/vaktplan",
    "/admin/vaktplan/{team}",
    "/admin/dekning",
    "/admin/alene",
    "/admin/logg",
    "/admin/nodtilgang",
    "/min-konto",
    "/innstillinger",
)
# Lene (parorende1), pasient1 Mona's next of kin.
NEXT_OF_KIN_SCREENS = ("/", "/parorende-hjem/{patient}", "/min-konto", "/innstillinger")
COMBINATIONS = (("nb", "light"), ("nb", "dark"), ("en", "light"), ("en", "dark"))


def in_language(page: Any, language: str, scheme: str) -> None:
    """The app in `language` (the header's switch, remembered on the device) and colour scheme."""
    page.emulate_media(color_scheme=scheme)
    if page.locator("html").get_attribute("lang") != language:
        page.locator(f'header [data-lang="{language}"]').click()
    expect(page.locator("html")).to_have_attribute("lang", language)


def test_axe_finds_nothing_serious_on_any_screen_of_any_role_in_light_dark_and_both_languages(
    new_page: Any, live_server: str, timing: Any
) -> None:
    started = time.monotonic()
    mona = Api(live_server, "pasient1").user["id"]
    team = Api(live_server, "admin").call("GET", "/api/teams")[0]["id"]
    found: dict[str, list[dict[str, Any]]] = {}
    admin_titles: dict[str, str] = {}
    checked = 0
    roles = (
        ("patient", "pasient3", PHONE, PATIENT_SCREENS),
        ("supporter", "bolig1", DESKTOP, SUPPORTER_SCREENS),
        ("admin", "admin", DESKTOP, ADMIN_SCREENS),
        ("next_of_kin", "parorende1", PHONE, NEXT_OF_KIN_SCREENS),
    )
    for role, username, device, screens in roles:
        page = new_page(device)  # one page a role, through every screen, scheme and language
        page.goto("/")
        expect(page.locator("#username")).to_be_visible()
        if role == "patient":
            for language, scheme in COMBINATIONS:
                in_language(page, language, scheme)
                found[f"login {language} {scheme}"] = axe_violations(page)
            in_language(page, "nb", "light")
        login(page, username)
        for language, scheme in COMBINATIONS:
            in_language(page, language, scheme)
            for screen in screens:
                visit(page, screen.format(patient=mona, team=team))
                expect(page.locator("html")).to_have_attribute("lang", language)
                found[f"{role} {language} {scheme} {screen}"] = axe_violations(page)
                checked += 1
                if role == "admin" and language == "nb":
                    admin_titles[screen] = page.title()
    seconds = time.monotonic() - started
    timing(f"axe: {checked} screens after login + 4 login screens, every role, light/dark, nb/en", seconds)
    assert {name: bad for name, bad in found.items() if bad} == {}
    # Each administration section has a heading and a document title of its own.
    sections = [screen for screen in ADMIN_SCREENS if screen.count("/") == 2]
    assert len({admin_titles[screen] for screen in sections}) == len(sections), admin_titles
    assert admin_titles["/admin/logg"] == "Logg – Administrasjon – Nattlys"
    assert admin_titles["/"] == "Brukere – Administrasjon – Nattlys"


def test_time_pickers_say_the_chosen_time_on_the_24_hour_clock_in_the_apps_language(new_page: Any) -> None:
    """Chromium draws a native time input in the machine's format (here 12-hour,
    "09:15 PM", whatever the page's lang): the app says the value its own way."""
    page = new_page(PHONE)
    login(page, "pasient4")
    page.goto("/#/kveldssjekk/innstillinger")
    evening = page.get_by_test_id("schedule-evening")
    evening.fill("21:15")
    said = page.locator(f"#{evening.get_attribute('aria-describedby').split()[-1]}")
    expect(said).to_have_text("Valgt: kl. 21:15")
    evening.fill("08:05")
    expect(said).to_have_text("Valgt: kl. 08:05")
    page.locator('header [data-lang="en"]').click()
    # The screen is drawn again in English from the saved schedule: fill the new input, not the old one.
    english = page.get_by_test_id("schedule-form").get_by_test_id("picked").first
    expect(english).to_have_text(re.compile(r"^Chosen: "))
    page.get_by_test_id("schedule-evening").fill("21:15")
    expect(english).to_have_text("Chosen: 21:15")
