"""The administrator's month of nights in Chromium (issue 17.6): the month
table marks the demo's Wednesday gap in words, "Gå til dato" reaches the
daylight-saving week of another month in one step, and axe finds nothing
serious or critical on the screen."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, Api, login
from tests.browser.helpers import axe_violations


def _admin(new_page: Any) -> Any:
    page = new_page(DESKTOP)
    login(page, "admin")
    expect(page.get_by_test_id("admin-home")).to_be_visible()
    page.evaluate("() => { window.location.hash = '/admin/dekning'; }")
    return page


def test_the_month_shows_the_wednesday_gap_and_go_to_date_reaches_the_spring_clock_change(
    new_page: Any, live_server: str
) -> None:
    bolig = next(
        t["id"] for t in Api(live_server, "admin").call("GET", "/api/teams") if t["name"] == "Bolig Askøy"
    )
    page = _admin(new_page)
    month = page.get_by_test_id("coverage-month")
    # The live server's clock starts on Monday 23 November 2026.
    expect(month.locator("caption")).to_have_text("Natt for natt, november 2026")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dekning – Administrasjon")
    # Accessible headers: the nights are row headers, the teams column headers.
    expect(month.locator('tbody th[scope="row"]')).to_have_count(30)
    expect(month.locator('thead th[scope="col"]', has_text="Bolig Askøy")).to_contain_text("botilbudet")

    # Bolig Askøy is staffed 08-22, on Wednesdays only until 18: a longer gap, said in words.
    wednesday = month.locator('tr[data-evening="2026-11-25"]')
    tuesday = month.locator('tr[data-evening="2026-11-24"]')
    expect(wednesday.locator("th")).to_have_text("onsdag 25. november")
    expect(wednesday.locator(f'td[data-column="team-{bolig}"]')).to_have_text("!Hull: 14 t")
    expect(wednesday.locator(f'td[data-column="team-{bolig}"]')).to_have_attribute("data-state", "gap")
    expect(tuesday.locator(f'td[data-column="team-{bolig}"]')).to_have_text("!Hull: 10 t")
    # Eva has the housing staff only: nobody for her from 18:00 on Wednesday.
    expect(wednesday.locator('td[data-column="patients"]')).to_contain_text("uten noen i 14 t")
    # The DPS covers every night.
    dps = next(
        t["id"] for t in Api(live_server, "admin").call("GET", "/api/teams") if t["name"] == "Øyane DPS akutt"
    )
    expect(wednesday.locator(f'td[data-column="team-{dps}"]')).to_have_text("✓Dekket")
    # The week detail is the week of today, as before.
    week = page.get_by_test_id("coverage")
    expect(week.locator(".cov-week")).to_contain_text("Uke 48")

    # An empty date is refused in words, next to the field.
    page.get_by_role("button", name="Gå til dato").click()
    expect(page.get_by_test_id("coverage-goto").get_by_role("alert")).to_have_text("Velg en dato først.")

    # One jump to the spring clock change of 2027: its month, with the short night, and its week.
    page.get_by_label("Dato", exact=True).fill("2027-03-28")
    page.get_by_role("button", name="Gå til dato").click()
    expect(month.locator("caption")).to_have_text("Natt for natt, mars 2027")
    expect(month.locator('tbody th[scope="row"]')).to_have_count(31)
    short = month.locator('tr[data-evening="2027-03-27"]')
    expect(short.locator("th")).to_contain_text("15 timer")
    expect(month.locator('tr[data-evening="2027-03-28"]')).to_have_attribute("aria-current", "date")
    expect(week.locator(".cov-week")).to_contain_text("Uke 12")
    expect(week.locator(".cov-week")).to_contain_text("28. mars 2027")
    expect(week).to_contain_text("Denne uka har 167 timer")
    expect(page.get_by_test_id("coverage-goto").get_by_role("alert")).to_have_text("")

    page.get_by_role("button", name="Neste måned").click()
    expect(month.locator("caption")).to_have_text("Natt for natt, april 2027")
    page.get_by_role("button", name="Denne måneden").click()
    expect(month.locator("caption")).to_have_text("Natt for natt, november 2026")

    assert axe_violations(page) == []
