"""The PWA in Chromium through nginx, as on the single-process default (issue 7,
"Done means"): a patient on a phone and a supporter on a desktop, each on a
different web instance, chat live; the crisis plan opens from the service
worker with the network off; and nothing breaks the Content-Security-Policy.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, login, watched_pages
from tests.browser.helpers import poll
from tests.cluster.conftest import DEMO_PASSWORD

UPSTREAM = "x-nattlys-upstream"


@pytest.fixture
def cluster_page(browser: Any, nginx_cluster: Any) -> Iterator[Any]:
    """Pages pointed at nginx; a page error or a CSP violation fails the test."""
    yield from watched_pages(browser, nginx_cluster.url)


def instance_of(page: Any) -> str:
    """The web instance nginx sends this browser's session to."""
    return page.request.get("/healthz").headers[UPSTREAM]


def log_in_away_from(page: Any, username: str, taken: str | None) -> str:
    """Log in until nginx's sticky rule puts this browser on another instance
    than `taken` (each login is a new session cookie, so a new draw)."""
    for _ in range(30):
        login(page, username, DEMO_PASSWORD)
        expect(page.locator("#username")).to_be_hidden(timeout=10_000)
        landed = instance_of(page)
        if landed != taken:
            return landed
        page.context.clear_cookies()
    raise AssertionError(f"{username} never landed on the other instance")


def test_patient_and_supporter_use_the_pwa_through_nginx_on_different_instances(cluster_page: Any) -> None:
    tag = uuid.uuid4().hex[:6]
    kari = cluster_page(DESKTOP)
    kari_instance = log_in_away_from(kari, "bolig1", None)
    kari.goto("/#/innboks")
    expect(kari.locator('[data-testid="inbox"]')).to_be_visible()

    patient = cluster_page(PHONE)
    patient_instance = log_in_away_from(patient, "pasient4", kari_instance)
    assert patient_instance != kari_instance
    expect(patient.locator('[data-testid="patient-home"]')).to_be_visible()
    patient.locator('a[data-tile="chat"]').click()
    expect(patient.locator('[data-testid="emergency-numbers"]')).to_be_visible()

    question = f"Hei, er det noen der i kveld? {tag}"
    patient.locator("#chat-input").fill(question)
    patient.locator("#chat-input").press("Enter")
    sent = patient.locator('[data-testid="chat-message"]').filter(has_text=question)
    expect(sent.locator('[data-testid="not-sent"]')).to_have_count(0, timeout=10_000)

    # Kari's inbox, served by the other instance, gets it live through Redis.
    item = kari.locator('[data-testid="inbox-item"][data-patient="Tor"]')
    expect(item).to_be_visible(timeout=15_000)
    item.locator("a").click()
    expect(kari.locator('[data-testid="chat-messages"]')).to_contain_text(question)
    kari.locator('[data-testid="take"]').click()
    kari.locator("#reply-input").fill(f"Ja, Kari her {tag}.")
    kari.locator("#reply-input").press("Enter")
    answer = patient.locator('[data-testid="chat-message"]').filter(has_text=f"Kari her {tag}")
    expect(answer).to_be_visible(timeout=15_000)
    expect(answer.locator(".chat-who")).to_have_text("Kari (bolig)")

    # The crisis plan opens without network, from the service worker that
    # nginx serves with no-cache.
    patient.goto("/#/kriseplan")
    expect(patient.locator('[data-testid="plan-page"]')).to_be_visible()
    poll(patient, "navigator.serviceWorker && navigator.serviceWorker.controller !== null", timeout=30)
    patient.context.set_offline(True)
    try:
        patient.reload()
        expect(patient.locator('[data-testid="plan-offline"]')).to_contain_text("Viser lagret kopi fra")
        hrefs = patient.locator('[data-testid="emergency-numbers"] a').evaluate_all(
            "els => els.map(e => e.getAttribute('href'))"
        )
        assert {"tel:113", "tel:116117", "tel:116123"} <= set(hrefs)
    finally:
        patient.context.set_offline(False)
