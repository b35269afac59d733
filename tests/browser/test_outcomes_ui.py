"""The administrator's outcome figures in Chromium (issue #18.1): each figure
with its chart and table, groups under five patients shown as hidden, and the
CSV download holding exactly the numbers on the screen; axe finds nothing."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, Api, login
from tests.browser.test_accessibility_ui import axe_violations

FIGURES = ("follow_up", "activity", "by_hour", "response", "escalation", "checkins", "nights")

SCREEN_CELLS = """() => [...document.querySelectorAll('[data-testid="outcome-row"]')].map((tr) => ({
  figure: tr.dataset.figure, month: tr.dataset.month, tier: tr.dataset.tier, hour: tr.dataset.hour,
  suppressed: tr.dataset.suppressed === 'true',
  cells: [...tr.querySelectorAll('td[data-measure]')].map((td) => [td.dataset.measure, td.dataset.value, td.textContent]),
}))"""


def _number(text: str) -> float | None:
    return None if text == "" else float(text)


def test_the_administrator_sees_each_figure_and_the_csv_matches_the_screen(
    new_page: Any, tmp_path: Path
) -> None:
    page = new_page(DESKTOP)
    login(page, "admin")
    expect(page.get_by_test_id("admin-home")).to_be_visible()
    page.goto("/#/admin/resultater")
    expect(page.get_by_test_id("admin-outcomes")).to_be_visible()
    expect(page.get_by_role("heading", name="Virker det?")).to_be_visible()
    expect(page.get_by_test_id("outcome-cost")).to_contain_text("47")
    expect(page.get_by_test_id("outcome-baseline")).to_contain_text("45")

    # The demo's four weeks of check-ins: a chart and a table for every
    # figure with data; the one discharge (pasient7) is a group of one: hidden.
    checkins = page.get_by_test_id("outcome-checkins")
    expect(checkins.get_by_test_id("outcome-chart").locator("canvas")).to_be_visible()
    expect(checkins.locator('[data-testid="outcome-row"][data-suppressed="false"]').first).to_be_visible()
    expect(page.get_by_test_id("outcome-by_hour").get_by_test_id("outcome-chart")).to_be_visible()
    follow_up = page.get_by_test_id("outcome-follow_up")
    expect(follow_up.get_by_test_id("outcome-suppressed").first).to_have_text(
        "Skjult: færre enn fem pasienter"
    )
    for figure in FIGURES:
        expect(page.get_by_test_id(f"outcome-{figure}").get_by_role("heading")).to_be_visible()

    assert axe_violations(page) == []

    screen = page.evaluate(SCREEN_CELLS)
    assert any(not row["suppressed"] and row["cells"] for row in screen)

    with page.expect_download() as download:
        page.get_by_test_id("outcome-csv").click()
    saved = tmp_path / "outcomes.csv"
    download.value.save_as(saved)
    with saved.open(encoding="utf-8") as handle:
        lines = list(csv.DictReader(handle))
    # The screen shows the whole municipality (no team id in the CSV).
    in_csv = {
        (r["figure"], r["month"], r["tier"], r["hour"], r["measure"]): r for r in lines if r["team_id"] == ""
    }
    for row in screen:
        key = (row["figure"], row["month"], row["tier"], row["hour"])
        if row["suppressed"]:
            matching = [r for k, r in in_csv.items() if k[:4] == key]
            assert matching and all(r["suppressed"] == "true" and r["value"] == "" for r in matching), key
            continue
        for measure, value, shown in row["cells"]:
            if measure == "patients":
                expected = next(r for k, r in in_csv.items() if k[:4] == key)["patients"]
                assert _number(value) == _number(expected), (key, shown)
                continue
            line = in_csv[(*key, measure)]
            assert line["suppressed"] == "false"
            assert _number(value) == _number(line["value"]), (key, measure, shown, line["value"])


def test_a_supporter_records_what_happened_after_a_night_and_the_patient_sees_it(
    new_page: Any, live_server: str
) -> None:
    mona = Api(live_server, "pasient1").user
    kari = new_page(DESKTOP)
    login(kari, "bolig1")
    expect(kari.get_by_test_id("supporter-home")).to_be_visible()
    kari.goto(f"/#/pasient/{mona['id']}")
    section = kari.get_by_test_id("night-outcome")
    expect(section.get_by_role("heading", name="Hva skjedde etter natten?")).to_be_visible()
    section.get_by_test_id("night-date").fill("2026-11-22")  # the live server's clock: 23 November
    section.get_by_label("Legevakt").check()
    section.get_by_test_id("night-save").click()
    expect(section.locator('[role="status"]')).to_contain_text(
        "Lagret: Legevakt natten som begynte 22. november 2026."
    )

    patient = new_page(PHONE)
    login(patient, "pasient1")
    expect(patient.get_by_test_id("patient-home")).to_be_visible()
    patient.goto("/#/hvem-har-sett")
    expect(patient.get_by_test_id("audit-list")).to_contain_text("registrerte hva som skjedde etter en natt")
