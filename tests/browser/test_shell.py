"""The PWA shell in Chromium: log in on a phone and a desktop, in Norwegian."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, Api, login
from tests.browser.helpers import PASSWORD, user


def test_patient_logs_in_on_a_phone_and_sees_a_norwegian_home(new_page: Any) -> None:
    page = new_page(PHONE)
    login(page, "pasient1")
    home = page.locator('[data-testid="patient-home"]')
    expect(home).to_be_visible()
    expect(home.locator("h1")).to_contain_text("Mona")
    assert page.evaluate("document.documentElement.lang") == "nb"
    numbers = page.locator('[data-testid="emergency-numbers"]')
    expect(numbers).to_be_visible()
    hrefs = numbers.locator("a[href^='tel:']").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert {"tel:113", "tel:116117", "tel:116123"} <= set(hrefs)
    # Nothing spills sideways on a 390 px wide phone.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_admin_logs_in_on_a_desktop(new_page: Any) -> None:
    page = new_page(DESKTOP)
    login(page, "admin")
    expect(page.locator('[data-testid="admin-home"]')).to_be_visible()
    assert page.evaluate("document.documentElement.lang") == "nb"


def test_wrong_password_is_told_calmly_in_norwegian(new_page: Any) -> None:
    page = new_page(PHONE)
    login(page, "pasient2", "feil-passord-her")
    alert = page.locator("[aria-live]").filter(has_text=re.compile(r"\w"))
    expect(alert.first).to_be_visible()
    expect(page.locator('[data-testid="patient-home"]')).to_have_count(0)


def test_language_switch_to_english(new_page: Any) -> None:
    page = new_page(PHONE)
    page.goto("/")
    page.locator('[data-lang="en"]').first.click()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_a_supporter_disabled_while_the_app_is_open_is_shown_the_login_screen(
    new_page: Any, live_server: str
) -> None:
    """The server ends the disabled supporter's socket; the app asks whether
    the session still stands and, told it does not, shows the login screen
    instead of sitting on a screen that no longer gets live messages."""
    admin = Api(live_server, "admin")
    username = f"vikar.{uuid.uuid4().hex[:6]}"
    user_id = user(admin, live_server, username, "Vera Vikar", "supporter")
    page = new_page(DESKTOP)
    with page.expect_websocket() as opened:
        login(page, username, PASSWORD)
    expect(page.locator('[data-testid="inbox-link"]')).to_be_visible()
    opened.value.wait_for_event("framereceived")  # the Socket.IO handshake is done

    admin.call("PATCH", f"/api/users/{user_id}", {"is_active": False})

    expect(page.locator("#username")).to_be_visible(timeout=10_000)
    expect(page.locator("body")).to_contain_text("Du er logget ut. Logg inn igjen når du er klar.")


@pytest.mark.parametrize(
    ("screen", "shown"),
    [
        ("/", '[data-testid="patient-home"]'),
        ("/#/kriseplan", '[data-testid="plan-section"]'),
        ("/#/chat", '[data-testid="chat-input"]'),
        ("/#/kveldssjekk", "main h1"),
    ],
)
def test_a_patient_screen_does_not_jump_while_it_fills_in(new_page: Any, screen: str, shown: str) -> None:
    page = new_page(PHONE)
    page.add_init_script(
        """window.__shifts = [];
        new PerformanceObserver((list) => {
          for (const entry of list.getEntries()) {
            const moved = entry.sources.map((s) => `${s.node?.className || s.node?.nodeName} ${s.previousRect.y}->${s.currentRect.y}`);
            window.__shifts.push({ value: entry.value, moved });
          }
        }).observe({ type: 'layout-shift', buffered: true });"""
    )
    login(page, "pasient3")
    expect(page.locator('[data-testid="patient-home"]')).to_be_visible()
    page.goto(screen)
    page.reload()
    expect(page.locator(shown).first).to_be_visible()
    page.wait_for_timeout(500)
    shifts = page.evaluate("window.__shifts")
    assert sum(s["value"] for s in shifts) < 0.01, shifts
