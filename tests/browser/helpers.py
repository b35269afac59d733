"""Helpers that several browser test files use: answering and polling a page,
axe-core and screen visits, accounts made through invitations, and the chat.
A plain module, not a test module, so no test module imports another."""

from __future__ import annotations

import time
from typing import Any

from playwright.sync_api import expect

from nattlys.accounts.invitations import INVITATION_PATH
from tests.browser.conftest import PROJECT_ROOT, Api

PASSWORD = "hostile-browser-passord"


def answer(page: Any, question: str, label: str) -> None:
    """Tap one answer (the big button) of a check-in question."""
    page.locator(f'fieldset[data-question="{question}"] .choice label').filter(has_text=label).first.click()


def tap_number(page: Any, question: str, value: int) -> None:
    page.locator(f'fieldset[data-question="{question}"] input[data-value="{value}"] + label').click()


def poll(page: Any, script: str, timeout: float = 10) -> Any:
    """Evaluate `script` (which may return a promise) until it gives something truthy.
    Use it instead of `wait_for_function`: that one evaluates its predicate as a
    string inside the page, which the app's policy (no 'unsafe-eval') can refuse
    while the page is busy (microsoft/playwright#36982)."""
    deadline = time.monotonic() + timeout
    while True:
        value = page.evaluate(script)
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {script}"
        page.wait_for_timeout(100)


def stray_words(page: Any) -> list[str]:
    """Text nodes that are only "null" or "undefined": a missing value the DOM
    turned into words on the patient's screen (Element.append writes null as "null")."""
    return page.evaluate(
        """() => {
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        const found = [];
        while (walker.nextNode()) {
            const text = walker.currentNode.textContent.trim();
            if (text === 'null' || text === 'undefined') found.push(text);
        }
        return found;
    }"""
    )


def wait_for_socket(page: Any) -> None:
    """The supporter's Socket.IO connection is up (live alerts can arrive)."""
    poll(page, "() => import('/app/realtime.js').then((m) => m.isConnected())")


AXE = PROJECT_ROOT / "tests" / "a11y" / "node_modules" / "axe-core" / "axe.min.js"

# What axe finds that matters, short enough to read in a failure.
RUN_AXE = """async () => {
  const result = await axe.run(document, { resultTypes: ['violations'] });
  return result.violations
    .filter((v) => ['serious', 'critical'].includes(v.impact))
    .map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 4).map((n) => n.target.join(' ')) }));
}"""


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Serious and critical violations on the page as it is now. axe-core
    comes from tests/a11y (make setup), never from the network; it is
    evaluated through the DevTools protocol, which the app's script CSP
    (rightly) does not let an inline <script> do."""
    page.wait_for_load_state("networkidle")
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    return page.evaluate(RUN_AXE)


# The screen on show before a navigation is marked; the next one is ready when
# it has replaced it, has its heading, and nothing in it is still fetching.
MARK_SHOWN = "() => document.querySelector('main').firstElementChild?.setAttribute('data-axe-seen', '')"
SETTLED = """() => {
  const main = document.querySelector('main');
  const shown = main.firstElementChild;
  return Boolean(shown) && !shown.hasAttribute('data-axe-seen') && Boolean(main.querySelector('h1'))
    && main.getAttribute('aria-busy') !== 'true' && !main.querySelector('.loading, [aria-busy="true"]');
}"""


def visit(page: Any, path: str) -> None:
    """Go to a screen and wait until the app has drawn it: until then the
    screen before (the home, right after login) can still match a locator."""
    if page.evaluate("() => location.hash || '#/'") != f"#{path}":
        page.evaluate(MARK_SHOWN)
        page.goto(f"/#{path}")
    poll(page, SETTLED)


def accept(base: str, invitation: dict[str, Any]) -> None:
    token = invitation["url"].split(INVITATION_PATH, 1)[1]
    Api(base, "admin").call("POST", "/api/invitations/accept", {"token": token, "password": PASSWORD})


def user(admin: Api, base: str, username: str, name: str, role: str) -> int:
    created = admin.call("POST", "/api/users", {"username": username, "display_name": name, "role": role})
    accept(base, created["invitation"])
    return created["user"]["id"]


def new_patient(admin: Api, username: str, display_name: str) -> dict[str, Any]:
    """A patient and her invitation, with the demo patients' circle (bolig,
    kommune, DPS): the coverage test expects no gaps."""
    created: dict[str, Any] = admin.call(
        "POST", "/api/patients", {"username": username, "display_name": display_name}
    )
    kinds = {team["kind"]: team["id"] for team in admin.call("GET", "/api/teams")}
    tiers = [{"team_ids": [kinds[kind]]} for kind in ("bolig", "kommune", "dps")]
    admin.call(
        "PUT",
        f"/api/patients/{created['patient']['id']}/care-circle",
        {"tiers": tiers, "primary_contact_ids": []},
    )
    return created


def open_chat(page: Any) -> None:
    expect(page.locator('[data-testid="patient-home"]')).to_be_visible()
    page.locator('a[data-tile="chat"]').click()
    expect(page.locator('[data-testid="chat"]')).to_be_visible()


def write(page: Any, text: str) -> None:
    box = page.locator("#chat-input")
    box.fill(text)
    box.press("Enter")


def bubble(page: Any, text: str) -> Any:
    return page.locator('[data-testid="chat-message"]').filter(has_text=text)
