"""The PWA shell in Chromium: log in on a phone and a desktop, in Norwegian."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, login


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
