"""Safe defaults and small truths (issue 12.7, 12.8) in Chromium, on the demo:
Eva (pasient6) has only the housing staff, so her nights are uncovered, and a
proposal to her plan waits for her; Per (pasient2) wrote at 22:30 yesterday
(after a year of earlier chats)."""

from __future__ import annotations

import uuid
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, login


def test_the_admin_sees_each_patients_uncovered_nights_in_a_few_lines(new_page: Any) -> None:
    page = new_page(DESKTOP)
    login(page, "admin")
    expect(page.get_by_test_id("admin-home")).to_be_visible()
    page.goto("/#/admin/dekning")
    summary = page.get_by_test_id("night-summary")
    expect(summary.locator("h2")).to_have_text("Kvelder og netter uten noen på vakt")
    eva = summary.locator('[data-testid="night-gap-patient"]', has_text="Eva")
    # Four weeks of nights in two or three lines, not 28 rows.
    expect(eva.locator("li", has_text="Hver natt unntatt onsdager 22:00–08:00")).to_have_count(1)
    expect(eva.locator("li", has_text="Onsdager 18:00–08:00, 4 netter")).to_have_count(1)
    assert eva.locator("li").count() <= 3
    expect(summary.locator('[data-testid="night-gap-patient"]', has_text="Mona")).to_have_count(0)


def test_a_supporter_enrolling_a_patient_is_warned_that_nights_are_uncovered(new_page: Any) -> None:
    kari = new_page(DESKTOP)
    login(kari, "bolig1")
    expect(kari.get_by_test_id("supporter-home")).to_be_visible()
    kari.locator("#patient-display-name").fill("Åse Nattlys")
    kari.locator("#patient-username").fill(f"ase-{uuid.uuid4().hex[:6]}")
    kari.locator("form#new-patient-form [type=submit]").click()
    warning = kari.get_by_test_id("enrol-night-gaps")
    expect(warning).to_contain_text("Ingen har vakt for Åse Nattlys disse kveldene og nettene")
    expect(warning.locator("li", has_text="Onsdager 18:00–08:00")).to_have_count(1)
    expect(warning).to_contain_text("Administratoren ser dette under Dekning")


def test_chat_has_date_lines_in_oslo_time_and_no_shift_enter_hint_on_a_touch_screen(new_page: Any) -> None:
    per = new_page(PHONE)
    login(per, "pasient2")
    expect(per.get_by_test_id("patient-home")).to_be_visible()
    per.goto("/#/chat")
    messages = per.get_by_test_id("chat-messages")
    # His year of earlier chats, each evening under its own date line, then
    # yesterday's three messages under one.
    days = messages.get_by_test_id("chat-day")
    expect(days.last).to_have_attribute("data-day", "2026-11-22")
    assert days.count() > 12
    expect(messages.locator('[data-testid="chat-day"][data-day="2026-11-22"] ~ li')).to_have_count(3)
    expect(per.get_by_test_id("chat-input")).to_be_visible()
    expect(per.get_by_test_id("chat")).not_to_contain_text("Shift")

    labels = per.evaluate(
        """() => import('/app/chat/chat-ui.js').then(({ dayLabel, messageLog, bubble }) => {
          const now = new Date('2026-11-23T21:30:00+01:00');
          const log = messageLog();
          log.render(['2026-11-22T22:30:00Z', '2026-11-22T23:30:00Z'].map((at, i) => ({
            key: `m:${i}`, at, make: () => bubble({ who: 'Du', body: String(i), mine: true, at }),
          })));
          const days = [...log.list.querySelectorAll('[data-testid="chat-day"]')].map((node) => node.dataset.day);
          return {
            today: dayLabel('2026-11-23', now),
            yesterday: dayLabel('2026-11-22', now),
            earlier: dayLabel('2026-11-18', now),
            lastYear: dayLabel('2025-12-31', now),
            days,
          };
        })"""
    )
    assert labels == {
        "today": "I dag",
        "yesterday": "I går",
        "earlier": "Onsdag 18. november",
        "lastYear": "Onsdag 31. desember 2025",
        "days": ["2026-11-22", "2026-11-23"],  # 23:30 UTC is past midnight in Oslo
    }

    desk = new_page(DESKTOP)
    login(desk, "pasient2")
    expect(desk.get_by_test_id("patient-home")).to_be_visible()
    desk.goto("/#/chat")
    expect(desk.get_by_test_id("chat")).to_contain_text("Shift + Enter gir ny linje")


def test_a_pending_proposal_shows_on_the_patients_home(new_page: Any) -> None:
    eva = new_page(PHONE)
    login(eva, "pasient6")
    banner = eva.get_by_test_id("home-proposals")
    expect(banner).to_contain_text("Du har ett forslag til endring som venter på deg.")
    banner.get_by_test_id("home-proposals-link").click()
    expect(eva.locator("h1")).to_be_visible()
    assert eva.url.endswith("#/kriseplan/forslag")
