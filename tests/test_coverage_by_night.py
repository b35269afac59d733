"""The administrator's month of nights (issue 17.6): night by night from 16:00
to 08:00, each team's minutes with nobody on duty and the patients with nobody
in any tier; at most 42 nights, this month by default, and the nights into the
last Sundays of March and October as long as they really are."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from tests.scenes.rosters import RosterCircle, oslo, publish, rotation, setting, shift  # noqa: F401 - the fixture

WEEKDAYS_BUT_WEDNESDAY = [0, 1, 3, 4, 5, 6]


@pytest.fixture
def evenings_and_nights(setting: RosterCircle, clock: Any, auth: Any) -> RosterCircle:  # noqa: F811
    """Bolig 08-22 (Wednesdays 08-18), kommune 16-20, DPS nights 20-08: Mona
    always has someone; the teams alone do not."""
    clock.set(oslo(2026, 11, 25, 12, 0))
    s = setting
    s = replace(s, as_admin=auth.client_for("admin"))  # a session on this clock
    bolig = [shift("08:00", "22:00", days=WEEKDAYS_BUT_WEDNESDAY), shift("08:00", "18:00", days=[2])]
    rosters = [
        (s.bolig, [rotation("Dag", [s.kari], bolig, start_date="2026-01-05")]),
        (
            s.kommune,
            [rotation("Kveld", [s.ingrid], [shift("16:00", "20:00")], start_date="2026-01-05")],
        ),
        (
            s.dps,
            [rotation("Natt", [s.silje], [shift("20:00", "08:00", next_day=True)], start_date="2026-01-05")],
        ),
    ]
    for team, rotations in rosters:
        assert publish(s.as_admin, team, rotations).status_code == 200
    return s


def _nights(admin: Any, **params: str) -> Any:
    response = admin.get("/api/coverage/by-night", query_string=params)
    assert response.status_code == 200, response.json
    return response.json


def _night(report: dict[str, Any], evening: str) -> dict[str, Any]:
    night = next(n for n in report["nights"] if n["evening"] == evening)
    names = {t["id"]: t["name"] for t in report["teams"]}
    night["by_team"] = {names[t["team_id"]]: t for t in night["teams"]}
    return night


def test_without_a_range_it_is_this_month_in_oslo_and_the_teams_come_tier_by_tier(
    evenings_and_nights: RosterCircle,
) -> None:
    report = _nights(evenings_and_nights.as_admin)
    assert report["today"] == "2026-11-25"
    assert (report["first_evening"], report["last_evening"]) == ("2026-11-01", "2026-11-30")
    assert len(report["nights"]) == 30
    assert [t["name"] for t in report["teams"]] == ["Bolig Askøy", "Askøy kommune", "Øyane DPS"]


def test_the_wednesday_gap_of_the_housing_team_is_longer_and_mona_is_covered_throughout(
    evenings_and_nights: RosterCircle,
) -> None:
    report = _nights(evenings_and_nights.as_admin, **{"from": "2026-11-24", "to": "2026-11-25"})
    tuesday, wednesday = _night(report, "2026-11-24"), _night(report, "2026-11-25")
    assert tuesday["by_team"]["Bolig Askøy"] == {
        "team_id": tuesday["teams"][0]["team_id"],
        "covered": False,
        "gap_minutes": 600,
    }
    assert wednesday["by_team"]["Bolig Askøy"]["gap_minutes"] == 14 * 60  # 18:00-08:00
    assert wednesday["by_team"]["Askøy kommune"]["gap_minutes"] == 12 * 60  # 20:00-08:00
    assert wednesday["by_team"]["Øyane DPS"] == {
        "team_id": wednesday["teams"][2]["team_id"],
        "covered": False,
        "gap_minutes": 4 * 60,  # 16:00-20:00
    }
    # Between them somebody is always there for Mona.
    assert (wednesday["covered"], wednesday["gap_minutes"], wednesday["patients_uncovered"]) == (True, 0, 0)


def test_a_night_with_nobody_for_the_patient_is_a_gap_to_the_minute(
    evenings_and_nights: RosterCircle,
) -> None:
    s = evenings_and_nights
    sick = {
        "kind": "remove",
        "user_id": s.silje.id,
        "starts_at": oslo(2026, 11, 26, 2, 0).isoformat(),
        "ends_at": oslo(2026, 11, 26, 5, 30).isoformat(),
        "reason": "sickness",
    }
    assert s.as_admin.post(f"/api/teams/{s.dps.id}/overrides", json=sick).status_code == 201
    report = _nights(s.as_admin, **{"from": "2026-11-25", "to": "2026-11-26"})
    wednesday = _night(report, "2026-11-25")
    assert (wednesday["covered"], wednesday["gap_minutes"], wednesday["patients_uncovered"]) == (
        False,
        210,
        1,
    )
    assert wednesday["by_team"]["Øyane DPS"]["gap_minutes"] == 4 * 60 + 210
    assert _night(report, "2026-11-26")["covered"] is True


@pytest.mark.parametrize(
    ("evening", "hours", "bolig_gap"),
    [
        ("2026-03-28", 15, 9 * 60),  # into Sunday 29 March: 02:00 becomes 03:00
        ("2026-03-29", 16, 10 * 60),
        ("2026-10-24", 17, 11 * 60),  # into Sunday 25 October: 03:00 becomes 02:00
        ("2026-10-25", 16, 10 * 60),
    ],
)
def test_the_nights_around_the_daylight_saving_changes_last_as_long_as_they_really_do(
    evenings_and_nights: RosterCircle, evening: str, hours: int, bolig_gap: int
) -> None:
    report = _nights(evenings_and_nights.as_admin, **{"from": evening, "to": evening})
    night = _night(report, evening)
    assert night["minutes"] == hours * 60
    # Bolig is away from 22:00 to 08:00; the DPS night shift meets the kommune evening exactly.
    assert night["by_team"]["Bolig Askøy"]["gap_minutes"] == bolig_gap
    assert night["by_team"]["Øyane DPS"]["gap_minutes"] == 4 * 60
    assert night["covered"] is True


def test_only_from_runs_to_the_end_of_its_month_and_only_to_starts_at_its_first(
    evenings_and_nights: RosterCircle,
) -> None:
    admin = evenings_and_nights.as_admin
    report = _nights(admin, **{"from": "2027-02-20"})
    assert (report["first_evening"], report["last_evening"]) == ("2027-02-20", "2027-02-28")
    report = _nights(admin, to="2026-12-03")
    assert (report["first_evening"], report["last_evening"], len(report["nights"])) == (
        "2026-12-01",
        "2026-12-03",
        3,
    )


@pytest.mark.parametrize(
    ("params", "error_type"),
    [
        ({"from": "2026-11-10", "to": "2026-11-09"}, "range_reversed"),
        ({"from": "2026-11-01", "to": "2026-12-13"}, "range_too_long"),
        ({"from": "2026-11-31"}, "date_from_datetime_parsing"),
        ({"from": "yesterday"}, "date_from_datetime_parsing"),
        ({"to": "2026-13-01"}, "date_from_datetime_parsing"),
    ],
)
def test_a_reversed_too_long_or_malformed_range_is_a_clear_400(
    evenings_and_nights: RosterCircle, params: dict[str, str], error_type: str
) -> None:
    response = evenings_and_nights.as_admin.get("/api/coverage/by-night", query_string=params)
    assert response.status_code == 400
    assert response.json["error"] == "invalid_input"
    assert [f["type"] for f in response.json["fields"]] == [error_type]


def test_forty_two_nights_is_the_most(evenings_and_nights: RosterCircle) -> None:
    report = _nights(evenings_and_nights.as_admin, **{"from": "2026-11-01", "to": "2026-12-12"})
    assert len(report["nights"]) == 42


@pytest.mark.parametrize("params", [{"from": "9999-12-31"}, {"to": "9999-12-31"}, {"from": "0001-01-01"}])
def test_dates_at_the_calendars_ends_are_a_400_too(
    evenings_and_nights: RosterCircle, params: dict[str, str]
) -> None:
    response = evenings_and_nights.as_admin.get("/api/coverage/by-night", query_string=params)
    assert response.status_code == 400, response.json
    assert response.json["error"] == "out_of_range"
