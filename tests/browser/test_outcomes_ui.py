"""The administrator's outcome figures in Chromium (issue #18.1): each figure
with its chart and table, groups under five patients shown as hidden (a team
of four patients hides every number, on the screen and in the CSV; a team of
five shows them), and the CSV download holding exactly the numbers on the
screen; axe finds nothing."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, Api, login, serve_demo, watched_pages
from tests.browser.helpers import axe_violations

FIGURES = ("follow_up", "activity", "by_hour", "response", "escalation", "checkins", "nights")

SCREEN_CELLS = """() => [...document.querySelectorAll('[data-testid="outcome-row"]')].map((tr) => ({
  figure: tr.dataset.figure, month: tr.dataset.month, tier: tr.dataset.tier, hour: tr.dataset.hour,
  suppressed: tr.dataset.suppressed === 'true',
  cells: [...tr.querySelectorAll('td[data-measure]')].map((td) => [td.dataset.measure, td.dataset.value, td.textContent]),
}))"""


def _number(text: str) -> float | None:
    return None if text == "" else float(text)


def _download_csv(page: Any, tmp_path: Path) -> list[dict[str, str]]:
    with page.expect_download() as download:
        page.get_by_test_id("outcome-csv").click()
    saved = tmp_path / "outcomes.csv"
    download.value.save_as(saved)
    with saved.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _outcomes_screen(pages: Any) -> Any:
    """An administrator's desktop page on the outcome figures."""
    page = pages(DESKTOP)
    login(page, "admin")
    expect(page.get_by_test_id("admin-home")).to_be_visible()
    page.goto("/#/admin/resultater")
    return page


def test_the_administrator_sees_each_figure_and_the_csv_matches_the_screen(
    new_page: Any, tmp_path: Path
) -> None:
    page = _outcomes_screen(new_page)
    expect(page.get_by_test_id("admin-outcomes")).to_be_visible()
    expect(page.get_by_role("heading", name="Virker det?")).to_be_visible()
    expect(page.get_by_test_id("outcome-cost")).to_contain_text("47")
    expect(page.get_by_test_id("outcome-baseline")).to_contain_text("45")

    # The demo's year of history: a chart and a table for every figure with
    # data; each month's discharges are a group of one or two: hidden.
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

    lines = _download_csv(page, tmp_path)
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


# --- a team of four patients and one of five, on a server of their own ----------------------

SMALL, LARGE = "Nattlys fire", "Nattlys fem"


def _two_teams(base: str) -> None:
    """SMALL joins the care circles of pasient1..pasient4, LARGE those of all five."""
    admin = Api(base, "admin")
    small, large = (
        admin.call("POST", "/api/teams", {"name": name, "kind": "kommune"}) for name in (SMALL, LARGE)
    )
    patients = {p["username"]: p["id"] for p in admin.call("GET", "/api/patients")}
    for n in range(1, 6):
        pid = patients[f"pasient{n}"]
        circle = admin.call("GET", f"/api/patients/{pid}/care-circle")
        tiers = [
            {
                "team_ids": [t["id"] for t in tier["teams"]],
                "escalate_after_minutes": tier["escalate_after_minutes"],
            }
            for tier in circle["tiers"]
        ]
        extra = [large["id"]] if n == 5 else [small["id"], large["id"]]
        body = {
            "tiers": [*tiers, {"team_ids": extra}],
            "primary_contact_ids": [c["id"] for c in circle["primary_contacts"]],
        }
        admin.call("PUT", f"/api/patients/{pid}/care-circle", body)


@pytest.fixture(scope="module")
def groups_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo, whose year of history behind pasient1..pasient5 the two teams take in."""
    server = serve_demo(tmp_path_factory.mktemp("outcome-groups"))
    base = next(server)
    try:
        _two_teams(base)
        yield base
    finally:
        next(server, None)  # stops it


@pytest.fixture
def groups_pages(browser: Any, groups_server: str) -> Iterator[Any]:
    yield from watched_pages(browser, groups_server)


def test_a_team_of_four_patients_is_hidden_and_a_team_of_five_is_shown(
    groups_pages: Any, tmp_path: Path
) -> None:
    page = _outcomes_screen(groups_pages)
    figures = page.get_by_test_id("outcome-figures")
    checkins = page.get_by_test_id("outcome-checkins")
    expect(checkins.get_by_test_id("outcome-row").first).to_be_visible()

    # Four patients: every month of every figure hidden, not a number on the screen.
    page.get_by_test_id("outcome-team").select_option(label=SMALL)
    expect(checkins.get_by_test_id("outcome-row")).to_have_count(12)  # a year of check-ins, month by month
    expect(figures.locator('[data-testid="outcome-row"][data-suppressed="false"]')).to_have_count(0)
    expect(figures.locator("td[data-measure]")).to_have_count(0)
    expect(checkins.get_by_test_id("outcome-suppressed").first).to_have_text(
        "Skjult: færre enn fem pasienter"
    )

    # Five patients: the same months with their numbers.
    page.get_by_test_id("outcome-team").select_option(label=LARGE)
    shown = checkins.locator('[data-testid="outcome-row"][data-suppressed="false"]')
    expect(shown).to_have_count(12)
    expect(shown.first.locator('td[data-measure="patients"]')).to_have_text("5")
    expect(shown.first.locator('td[data-measure="adherence"]')).to_contain_text("%")

    lines = _download_csv(page, tmp_path)
    small = [r for r in lines if r["team"] == SMALL]
    assert small and all(r["suppressed"] == "true" and r["value"] == r["patients"] == "" for r in small)
    large = [r for r in lines if r["team"] == LARGE and r["figure"] == "checkins"]
    assert large and all(r["suppressed"] == "false" and r["patients"] == "5" for r in large)
    assert all(r["value"] != "" for r in large if r["measure"] in ("checkins", "adherence"))
