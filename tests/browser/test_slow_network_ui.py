"""Issue 17.3: a slow network at night. Every screen that waits on the server
shows a calm "Henter …" within 300 ms; the crisis plan opens at once from the
copy on the phone, refreshed behind it ("Oppdatert kl. …"); and the copy is
there for a start with no network right after login, before the plan was
ever opened.

The server's answers are held back (a Playwright route that lets nothing
through until the test says so), which is a slow network as long as needed.
Times are measured inside the page, from the tap to what is drawn."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import PHONE, login
from tests.browser.helpers import poll

# The page's own stopwatch: when the tap happened and when the busy sign and the plan appeared.
STOPWATCH = """(tile) => {
  window.__seen = {};
  const mark = (name) => { if (window.__seen[name] === undefined) window.__seen[name] = performance.now(); };
  new MutationObserver(() => {
    if (document.querySelector('[data-testid="busy"]').textContent) mark('busy');
    if (document.querySelector('[data-testid="plan-section"] li')) mark('plan');
  }).observe(document.body, { childList: true, characterData: true, subtree: true });
  document.querySelector(`a[data-tile="${tile}"]`).addEventListener('click', () => mark('tap'), { capture: true });
}"""


class Holding:
    """Holds every /api/ request until released: a network as slow as the test needs."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.held: list[Any] = []
        self.holding = True
        page.route("**/api/**", self._route)

    def _route(self, route: Any) -> None:
        if self.holding:
            self.held.append(route)
        else:
            route.continue_()

    def waiting_for(self, part: str, seconds: float = 10) -> bool:
        """Whether the page asked for `part` (the screen's code may still be
        loading when its busy sign shows, so wait for the request a while)."""
        for _ in range(int(seconds * 20)):
            if any(part in route.request.url for route in self.held):
                return True
            self.page.wait_for_timeout(50)
        return False

    def release(self) -> None:
        self.holding = False
        for route in self.held:
            route.continue_()
        self.held.clear()


def _plan_stored(page: Any) -> None:
    poll(page, "() => Object.keys(localStorage).some((k) => /^nattlys\\.plan\\.\\d+$/.test(k))")


def _plan_screen_loaded(page: Any) -> None:
    poll(
        page,
        "() => performance.getEntriesByType('resource').some((e) => e.name.endsWith('/app/plans/plan.js'))",
    )


def _since_tap(page: Any, what: str) -> float:
    return page.evaluate(f"window.__seen['{what}'] - window.__seen.tap")


def test_a_slow_screen_says_it_is_fetching_within_300_ms_and_the_plan_opens_at_once(
    new_page: Any, timing: Any
) -> None:
    # No service worker: Playwright's routes see only what the page itself asks for.
    page = new_page({**PHONE, "service_workers": "block"})
    login(page, "pasient4")
    expect(page.get_by_test_id("patient-home")).to_be_visible()
    _plan_stored(page)  # right after login, without opening the plan
    _plan_screen_loaded(page)  # its code too, so the tap waits on nothing

    slow = Holding(page)
    page.evaluate(STOPWATCH, "circle")
    page.locator('a[data-tile="circle"]').click()
    busy = page.get_by_test_id("busy")
    expect(busy).to_have_text("Henter …")
    expect(page.locator("main")).to_have_attribute("aria-busy", "true")
    shown_after = _since_tap(page, "busy")
    timing("held network: tap -> 'Henter …' on screen", shown_after / 1000)
    assert shown_after < 300
    assert slow.waiting_for("/care-circle")
    slow.release()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hvem hjelper meg")
    expect(busy).to_have_text("")
    expect(page.locator("main")).not_to_have_attribute("aria-busy", "true")

    # The plan: the copy on the phone at once, while the server is still asked.
    page.goto("/#/")
    expect(page.get_by_test_id("patient-home")).to_be_visible()
    slow = Holding(page)
    page.evaluate(STOPWATCH, "plan")
    page.locator('a[data-tile="plan"]').click()
    expect(page.locator('[data-testid="plan-section"][data-section="self_help"] li').first).to_be_visible()
    updated = page.get_by_test_id("plan-updated")
    expect(updated).to_contain_text("Ser etter endringer")
    expect(updated).to_have_attribute("aria-busy", "true")
    assert slow.waiting_for("/crisis-plan")
    plan_after = _since_tap(page, "plan")
    timing("held network: tap -> stored plan on screen", plan_after / 1000)
    assert plan_after < 300
    slow.release()
    expect(updated).to_have_text(re.compile(r"^Oppdatert kl\. \d\d[:.]\d\d\.$"))
    expect(updated).not_to_have_attribute("aria-busy", "true")
    expect(page.get_by_test_id("plan-edit").first).to_be_visible()


def test_the_plan_opens_with_no_network_right_after_login_though_never_opened(new_page: Any) -> None:
    page = new_page(PHONE)
    login(page, "pasient5")
    expect(page.get_by_test_id("patient-home")).to_be_visible()
    poll(page, "() => navigator.serviceWorker.ready.then(() => navigator.serviceWorker.controller !== null)")
    _plan_stored(page)

    page.context.set_offline(True)
    try:
        page.reload()  # a cold start with no network, from the service worker
        page.goto("/#/kriseplan")
        expect(page.get_by_test_id("plan-offline")).to_contain_text("Viser lagret kopi fra")
        expect(
            page.locator('[data-testid="plan-section"][data-section="contacts"] a[href^="tel:"]').first
        ).to_be_visible()
        expect(page.get_by_test_id("plan-edit")).to_have_count(0)
    finally:
        page.context.set_offline(False)
