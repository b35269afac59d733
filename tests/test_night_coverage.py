"""Safe defaults (issue 12.7): each patient's uncovered evenings and nights of
the coming weeks in one short summary, hours already past left out, and a
patient enrolled by a supporter comes with a warning when nights are uncovered."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from tests.scenes.rosters import RosterCircle, oslo, publish, rotation, setting, shift  # noqa: F401 - the fixture

WEEKDAYS_BUT_WEDNESDAY = [0, 1, 3, 4, 5, 6]


@pytest.fixture
def bolig_days_only(setting: RosterCircle, clock: Any, auth: Any) -> RosterCircle:  # noqa: F811
    """Bolig 08-22 (Wednesdays 08-18); kommune and DPS have no roster at all."""
    clock.set(oslo(2026, 11, 25, 23, 30))  # a Wednesday night
    setting = replace(setting, as_admin=auth.client_for("admin"))  # a session on this clock
    shifts = [shift("08:00", "22:00", days=WEEKDAYS_BUT_WEDNESDAY), shift("08:00", "18:00", days=[2])]
    assert (
        publish(setting.as_admin, setting.bolig, [rotation("Dag", [setting.kari], shifts)]).status_code == 200
    )
    return setting


def _gaps(admin: Any, name: str) -> list[dict[str, Any]]:
    response = admin.get("/api/coverage/nights", query_string={"weeks": 4})
    assert response.status_code == 200, response.json
    return next(p["gaps"] for p in response.json if p["display_name"] == name)


def test_four_weeks_of_uncovered_nights_are_three_lines_and_the_past_is_left_out(
    bolig_days_only: RosterCircle,
) -> None:
    gaps = _gaps(bolig_days_only.as_admin, "Mona")
    assert gaps == [
        # Tonight, from now (23:30) only: the hours already past are not listed.
        {
            "weekdays": [2],
            "starts": "23:30:00",
            "ends": "08:00:00",
            "nights": 1,
            "first_evening": "2026-11-25",
            "last_evening": "2026-11-25",
        },
        {
            "weekdays": WEEKDAYS_BUT_WEDNESDAY,
            "starts": "22:00:00",
            "ends": "08:00:00",
            "nights": 24,
            "first_evening": "2026-11-26",
            "last_evening": "2026-12-22",
        },
        {
            "weekdays": [2],
            "starts": "18:00:00",
            "ends": "08:00:00",
            "nights": 3,
            "first_evening": "2026-12-02",
            "last_evening": "2026-12-16",
        },
    ]


def test_a_patient_covered_every_night_has_no_lines(bolig_days_only: RosterCircle) -> None:
    s = bolig_days_only
    publish(s.as_admin, s.dps, [rotation("Natt", [s.silje], [shift("16:00", "08:00", next_day=True)])])
    assert _gaps(s.as_admin, "Mona") == []


def test_a_supporter_enrolling_a_patient_is_told_the_nights_are_uncovered_and_so_is_the_admin(
    bolig_days_only: RosterCircle, auth: Any
) -> None:
    kari = auth.client_for("kari")
    created = kari.post(
        "/api/patients",
        json={"username": "eva", "display_name": "Eva", "team_id": bolig_days_only.bolig.id},
    )
    assert created.status_code == 201, created.json
    gaps = created.json["night_gaps"]
    assert [(g["starts"], g["ends"], g["nights"]) for g in gaps] == [
        ("23:30:00", "08:00:00", 1),
        ("22:00:00", "08:00:00", 24),
        ("18:00:00", "08:00:00", 3),
    ]
    assert _gaps(bolig_days_only.as_admin, "Eva") == gaps


def test_enrolling_into_a_team_that_covers_the_nights_gives_no_warning(
    bolig_days_only: RosterCircle, auth: Any
) -> None:
    s = bolig_days_only
    publish(s.as_admin, s.dps, [rotation("Døgn", [s.silje], [shift("00:00", "00:00", next_day=True)])])
    created = auth.client_for("silje").post(
        "/api/patients", json={"username": "jon", "display_name": "Jon", "team_id": s.dps.id}
    )
    assert created.status_code == 201, created.json
    assert created.json["night_gaps"] == []


def test_the_week_view_sums_up_the_weeks_nights_from_now_on(bolig_days_only: RosterCircle) -> None:
    week = bolig_days_only.as_admin.get("/api/coverage", query_string={"start": "2026-11-23", "days": 7})
    mona = next(p for p in week.json["patients"] if p["display_name"] == "Mona")
    # Monday's and Tuesday's nights are over, and so is Wednesday's until 23:30.
    assert [(g["weekdays"], g["starts"], g["nights"]) for g in mona["night_gaps"]] == [
        ([2], "23:30:00", 1),
        ([3, 4, 5, 6], "22:00:00", 4),
    ]
    assert mona["gaps"][0]["starts_at"] == "2026-11-22T23:00:00Z"  # the grid still shows the whole week
