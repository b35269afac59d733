"""Roster screens in Chromium: an administrator builds a roster, reads the
coverage grid, records a sickness override and sees "På vakt nå" change; a
supporter sees their shifts and whom they take over from.

The live server is shared by every browser test, so these tests leave the demo
rosters as they found them: the new roster belongs to a team made here, and
the override is removed at the end (also when an assertion fails)."""

from __future__ import annotations

import re
import secrets
from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, login

# The live server's clock starts Monday 2026-11-23 21:30 (Oslo); that week the
# demo roster has Kari (bolig1) on duty at Bolig Askøy, 08-22 except Wednesday 08-18.
WEDNESDAY = "2026-11-25"


def _api(page: Any, method: str, path: str, body: Any = None) -> Any:
    """A call with the logged-in page's session and CSRF token."""
    return page.evaluate(
        """async ([method, path, body]) => {
            const session = await (await fetch('/api/auth/session')).json();
            const init = { method, headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': session.csrf_token } };
            if (body !== null) init.body = JSON.stringify(body);
            const response = await fetch(path, init);
            return { status: response.status, body: response.status === 204 ? null : await response.json() };
        }""",
        [method, path, body],
    )


def _admin(new_page: Any, device: dict[str, Any] = DESKTOP) -> Any:
    page = new_page(device)
    login(page, "admin")
    expect(page.locator('[data-testid="admin-home"]')).to_be_visible()
    return page


def _go(page: Any, route: str) -> None:
    page.evaluate("route => { window.location.hash = route; }", route)


def _team_id(page: Any, name: str) -> int:
    teams = _api(page, "GET", "/api/teams")["body"]
    return next(t["id"] for t in teams if t["name"] == name)


def test_admin_builds_and_publishes_a_roster_for_a_new_team(new_page: Any) -> None:
    page = _admin(new_page)
    tag = secrets.token_hex(3)
    people = []
    for name in ("Nora", "Emil"):
        made = _api(
            page,
            "POST",
            "/api/users",
            {"username": f"vakt-{name.lower()}-{tag}", "display_name": f"{name} {tag}", "role": "supporter"},
        )
        assert made["status"] == 201, made
        people.append(made["body"]["user"])
    team = _api(page, "POST", "/api/teams", {"name": f"Nattevakt {tag}", "kind": "kommune"})
    assert team["status"] == 201, team
    team_id = team["body"]["id"]
    members = _api(page, "PUT", f"/api/teams/{team_id}/members", {"user_ids": [p["id"] for p in people]})
    assert members["status"] == 200, members

    _go(page, "/admin/vaktplan")
    page.locator('[data-testid="roster-teams"] a', has_text=f"Nattevakt {tag}").click()
    roster = page.locator('[data-testid="team-roster"]')
    expect(roster.locator('[data-testid="on-duty-now"]')).to_contain_text("Ingen på vakt nå")
    roster.locator('[data-testid="start-draft"]').click()

    rotation = roster.locator('[data-testid="rotation"]').first
    rotation.get_by_label("Navn på turnusen").fill("Natt")
    rotation.get_by_label("Startdato").fill("2026-11-23")
    rotation.get_by_label("Hvor ofte bytter de?").select_option("weekly")
    for person in people:
        rotation.get_by_label("Legg til person").select_option(label=person["display_name"])
        rotation.get_by_role("button", name="Legg til", exact=True).click()
    expect(rotation.locator(".member-name")).to_have_text([p["display_name"] for p in people])
    shift = rotation.locator('[data-testid="shift"]').first
    for day in ("lørdag", "søndag"):
        shift.get_by_label(day).check()
    shift.get_by_label("Begynner").fill("20:00")
    shift.get_by_label("Slutter", exact=True).fill("08:00")

    # A night shift without "slutter neste dag": the server's 400 shows by the shift.
    roster.locator('[data-testid="save-draft"]').click()
    error = shift.locator(".field-error:visible")
    expect(error).to_contain_text("slutter før den begynner")
    expect(shift.get_by_label("Slutter", exact=True)).to_have_attribute("aria-invalid", "true")

    shift.get_by_label("Slutter neste dag").check()
    expect(shift.locator(".shift-hint")).to_contain_text("Nattevakt")
    roster.locator('[data-testid="save-draft"]').click()
    expect(roster.get_by_text("Utkastet er lagret")).to_be_visible()
    expect(shift.locator(".field-error:visible")).to_have_count(0)

    roster.locator('[data-testid="publish"]').click()
    expect(roster.locator('[data-testid="published-notice"]')).to_be_visible()
    published = roster.locator(".rotation-summary")
    expect(published).to_contain_text("Natt")
    expect(published).to_contain_text(f"{people[0]['display_name']} → {people[1]['display_name']}")
    expect(published).to_contain_text("Alle dager 20:00–08:00 (neste dag)")
    # 21:30 on the start date: the first person in the order is on duty until 08:00.
    now = roster.locator('[data-testid="on-duty-now"]')
    expect(now.locator('[data-testid="on-duty-person"]')).to_contain_text(people[0]["display_name"])
    expect(now).to_contain_text("08:00")
    calendar = roster.locator('[data-testid="roster-calendar"]')
    expect(calendar.locator('[data-day="2026-11-24"]')).to_contain_text(
        f"20:00–08:00 (neste dag) {people[0]['display_name']}"
    )
    expect(calendar.locator('[data-day="2026-11-30"]')).to_contain_text(people[1]["display_name"])


def test_coverage_grid_flags_the_bolig_wednesday_evening_gap(new_page: Any) -> None:
    page = _admin(new_page)
    _go(page, "/admin/dekning")
    coverage = page.locator('[data-testid="coverage"]')
    expect(coverage.locator(".cov-week")).to_contain_text("Uke 48")
    mona = coverage.locator('[data-testid="coverage-patients"] tr', has=page.locator("th", has_text="Mona"))
    cell = mona.locator(f'td[data-date="{WEDNESDAY}"]')
    # Bolig Askøy is not staffed Wednesday 18-22: the kommune tier covers (f).
    assert [cell.locator(f'[data-hour="{h}"]').get_attribute("data-state") for h in range(16, 23)] == [
        "c",
        "c",
        "f",
        "f",
        "f",
        "f",
        "f",
    ]
    assert mona.locator('[data-day="2026-11-24"][data-hour="20"]').get_attribute("data-state") == "c"
    assert cell.locator('[data-hour="18"]').get_attribute("title") == (
        "Mona, onsdag 25. november 18:00: Bare et senere trinn er på vakt"
    )
    expect(cell.locator(".visually-hidden")).to_contain_text(
        "Bare et senere trinn er på vakt: 00:00–08:00 og 18:00–24:00"
    )
    # Nobody is ever without anyone on duty: the DPS covers every hour.
    # Mona is covered every evening and night; Eva (housing staff only) is not: one line for her week.
    gaps = coverage.locator('[data-testid="coverage-gaps"]')
    expect(gaps).not_to_contain_text("Mona")
    # Patients with the same uncovered hours share a line ("Eva og Siri har …"): other
    # tests on this server enrol such patients too.
    eva = gaps.locator("li", has_text="Eva")
    expect(eva).to_contain_text("har ingen på vakt")
    expect(eva).to_contain_text("Onsdag 25. november 18:00–08:00")
    coverage.locator("summary", has_text="bare et senere trinn dekker").click()
    expect(coverage.locator('[data-testid="coverage-fallbacks"]')).to_contain_text(
        "onsdag 25. november 18:00 – torsdag 26. november 08:00"
    )
    bolig = coverage.locator(
        '[data-testid="coverage-teams"] tr', has=page.locator("th", has_text="Bolig Askøy")
    )
    assert bolig.locator(f'[data-day="{WEDNESDAY}"][data-hour="19"]').get_attribute("data-state") == "-"
    coverage.get_by_role("button", name="Neste uke").click()
    expect(coverage.locator(".cov-week")).to_contain_text("Uke 49")
    expect(coverage.locator('[data-day="2026-12-02"][data-hour="18"]').first).to_have_attribute(
        "data-state", "f"
    )

    phone = _admin(new_page, PHONE)
    _go(phone, "/admin/dekning")
    expect(phone.locator('[data-testid="coverage-patients"]')).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_sickness_override_changes_on_duty_now_and_the_supporter_sees_the_handover(new_page: Any) -> None:
    page = _admin(new_page)
    bolig = _team_id(page, "Bolig Askøy")
    try:
        _go(page, f"/admin/vaktplan/{bolig}")
        now = page.locator('[data-testid="on-duty-now"]')
        expect(now.locator('[data-testid="on-duty-person"]')).to_have_text(re.compile(r"^Kari til 22:00"))

        form = page.locator("#override-form")
        form.get_by_label("Hva skjer?").select_option("replace")
        form.get_by_label("Hvem tar over").select_option(label="Ola")
        form.get_by_label("Hvem blir erstattet").select_option(label="Kari")
        form.get_by_label("Fra", exact=True).fill("2026-11-23T21:00")
        form.get_by_label("Til", exact=True).fill("2026-11-24T12:00")
        form.get_by_label("Grunn").select_option("sickness")
        form.locator('[data-testid="add-override"]').click()

        # At once, without waiting for the minute refresh.
        person = now.locator('[data-testid="on-duty-person"]')
        expect(person).to_contain_text("Ola")
        expect(person).to_contain_text("erstatter Kari")
        row = page.locator('[data-testid="override-row"]')
        expect(row).to_contain_text("Ola erstatter Kari")
        expect(row).to_contain_text("Sykdom")
        _go(page, "/admin/vaktplan")
        overview = page.locator(f'[data-testid="on-duty-team"][data-team="{bolig}"]')
        expect(overview).to_contain_text("Ola")
        expect(overview).to_contain_text("erstatter Kari")

        # Kari is back at noon on Tuesday and takes over from Ola.
        kari = new_page(PHONE)
        login(kari, "bolig1")
        home = kari.locator('[data-testid="supporter-home"]')
        expect(home).to_be_visible()
        home.locator('[data-testid="my-shifts-link"]').click()
        shifts = kari.locator('[data-testid="my-shift"]')
        expect(shifts.first).to_contain_text("tirsdag 24. november")
        expect(shifts.first).to_contain_text("12:00–22:00")
        expect(shifts.first.locator('[data-testid="takes-over"]')).to_have_text("Du overtar fra Ola.")
        assert kari.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

        kari.locator('[data-testid="feed-create"]').click()
        feed = kari.locator("#feed-url")
        expect(feed).to_have_value(re.compile(r"/calendar/[\w-]+\.ics$"))
        expect(kari.locator('[data-testid="calendar-feed"]')).to_contain_text("Alle som har lenken")
        kari.locator('[data-testid="feed-revoke"]').click()
        kari.get_by_role("button", name="Ja, slå den av").click()
        expect(kari.get_by_text("Lenken er slått av.")).to_be_visible()

        _go(page, f"/admin/vaktplan/{bolig}")
        page.locator('[data-testid="override-row"]', has_text="Ola erstatter Kari").locator(
            '[data-testid="remove-override"]'
        ).click()
        page.get_by_role("button", name="Ja, fjern").click()
        expect(page.locator('[data-testid="override-row"]')).to_have_count(0)
        expect(page.locator('[data-testid="on-duty-now"] [data-testid="on-duty-person"]')).to_have_text(
            re.compile(r"^Kari til 22:00")
        )
    finally:
        left = _api(page, "GET", f"/api/teams/{bolig}/overrides?days=28")["body"]
        for override in left:
            if override["user_name"] == "Ola" and override["replaces_name"] == "Kari":
                _api(page, "DELETE", f"/api/teams/{bolig}/overrides/{override['id']}")


def test_publishing_a_night_gap_lists_it_and_asks_first(new_page: Any) -> None:
    """Without its night rotation the DPS would leave every patient alone at night:
    the admin sees who and when before anything is published, then discards."""
    page = _admin(new_page)
    dps = _team_id(page, "Øyane DPS akutt")
    try:
        _go(page, f"/admin/vaktplan/{dps}")
        roster = page.locator('[data-testid="team-roster"]')
        roster.locator('[data-testid="start-draft"]').click()
        night = roster.locator('[data-testid="rotation"]').filter(has=page.locator("legend", has_text="Natt"))
        night.get_by_role("button", name=re.compile("^Fjern turnusen")).click()
        expect(roster.locator('[data-testid="rotation"]')).to_have_count(1)

        roster.locator('[data-testid="publish"]').click()
        confirm = roster.locator('[data-testid="publish-confirm"]')
        gaps = confirm.locator('[data-testid="uncovered-list"]')
        expect(gaps).to_contain_text("Mona")
        expect(gaps).to_contain_text("23:00")
        expect(confirm.get_by_role("button", name="Publiser likevel")).to_be_visible()
        confirm.get_by_role("button", name="Avbryt").click()
        expect(gaps).to_have_count(0)

        # The draft's coverage, before anything changes for anyone.
        roster.locator('[data-testid="preview-coverage"]').click()
        preview = roster.locator('[data-testid="draft-coverage"]')
        mona = preview.locator(
            '[data-testid="coverage-patients"] tr', has=page.locator("th", has_text="Mona")
        )
        expect(mona.locator('[data-day="2026-11-24"][data-hour="2"]')).to_have_attribute("data-state", "g")
        expect(preview.locator('[data-testid="coverage-gaps"]')).to_contain_text("har ingen på vakt")

        roster.locator('[data-testid="discard-draft"]').click()
        roster.get_by_role("button", name="Ja, forkast").click()
        expect(roster.get_by_text("Utkastet er forkastet.")).to_be_visible()
        expect(roster.locator(".rotation-summary")).to_contain_text("Natt")
        expect(roster.locator('[data-testid="draft-coverage"]')).to_have_count(0)
    finally:
        if _api(page, "GET", f"/api/teams/{dps}/roster")["body"]["draft"]:
            _api(page, "DELETE", f"/api/teams/{dps}/roster/draft")
