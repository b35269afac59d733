"""Issue 17.7: who can be reached now, by the server's clock. The patient's
home names the team kinds on duty (never a person), or, with nobody, shows the
numbers to call; a supporter's patient list says who is on duty for each.

The server here starts at 22:30 on a Monday: Kari's housing shift ended at
22:00, Ingrid (the municipality) is on duty until 23:00, and the DPS round the clock. Eva has only the
housing staff, so nobody is on duty for her."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, login, serve_demo, watched_pages


@pytest.fixture(scope="module")
def late_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from serve_demo(tmp_path_factory.mktemp("late"), CLOCK_START="2026-11-23T22:30:00+01:00")


@pytest.fixture
def pages(browser: Any, late_server: str) -> Iterator[Any]:
    yield from watched_pages(browser, late_server)


def test_the_patients_home_says_which_teams_can_be_reached_now_and_the_numbers_when_none(
    pages: Any,
) -> None:
    mona = pages(PHONE)
    login(mona, "pasient1")
    reach = mona.get_by_test_id("reachable-now")
    expect(reach).to_have_text("Akkurat nå kan du nå kommunen og DPS-vakta.")
    expect(reach).to_have_attribute("data-kinds", "kommune,dps")  # not the housing staff any more
    routing = mona.get_by_test_id("home-routing")
    # That line and nothing else (once a stray "null" stood beside it).
    expect(routing).to_have_text("Akkurat nå kan du nå kommunen og DPS-vakta.")
    expect(routing).not_to_contain_text("Ingrid")  # team kinds, never who
    expect(mona.get_by_test_id("home-help-now")).to_have_count(0)

    eva = pages(PHONE)
    login(eva, "pasient6")
    expect(eva.get_by_test_id("reachable-now")).to_contain_text("Akkurat nå er ingen på vakt for deg.")
    help_now = eva.get_by_test_id("home-help-now")
    expect(help_now).to_be_visible()
    hrefs = help_now.locator("a[href^='tel:']").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert {"tel:113", "tel:116117", "tel:116123"} <= set(hrefs)


def test_a_supporter_sees_who_is_on_duty_for_each_patient(pages: Any) -> None:
    kari = pages(DESKTOP)
    login(kari, "bolig1")  # off duty since 22:00, still sees her patients
    rows = kari.get_by_test_id("patient-row")
    mona = rows.filter(has_text="Mona").get_by_test_id("patient-on-duty")
    expect(mona).to_contain_text("På vakt nå: ")
    expect(mona).to_contain_text("Ingrid (kommunen)")
    expect(mona).not_to_contain_text("Kari")
    eva = rows.filter(has_text="Eva").get_by_test_id("patient-on-duty")
    expect(eva).to_have_text("Ingen er på vakt for Eva nå")
