"""Every API route × every kind of caller, with the status each must get.

A route added without an entry in MATRIX (tests/authorization_world.py) fails
`test_every_route_has_an_entry`, so nobody can ship an endpoint whose access
rules were never written down. Where two callers get the same status but must
see different things (an off-duty supporter's inbox and tonight's list),
BODY_CHECKS says what each must see.
"""

# The `world` fixture is imported; test arguments of that name use it.
# ruff: noqa: F811

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from flask import Flask
from sqlmodel import Session

from tests.authorization_world import (
    CALLERS,
    IN_TEAM,
    MATRIX,
    NOT_ON_DUTY,
    PRIVATE_REASON,
    World,
    api_routes,
    call,
    client_of,
    world,  # noqa: F401  (the fixture)
)

# --- what each caller must see, where the status alone does not say it ----------------

BodyCheck = Callable[[str, Any, World], None]


def _only_on_duty_sees(ids_of: Callable[[Any], list[int]], wanted: Callable[[World], int]) -> BodyCheck:
    """An on-duty list: the supporter on duty sees the patient, nobody else does."""

    def check(caller: str, response: Any, w: World) -> None:
        if response.status_code != 200:
            return
        expected = [wanted(w)] if caller == "supporter_in_circle" else []
        assert ids_of(response.json) == expected, response.json

    return check


def _on_duty_is_the_night_supporter(on_duty_of: Callable[[Any], list[dict[str, Any]]]) -> BodyCheck:
    """Who-is-on-duty answers name the supporter on duty, never the day colleague."""

    def check(caller: str, response: Any, w: World) -> None:
        if response.status_code != 200:
            return
        assert [d["user_id"] for d in on_duty_of(response.json)] == [w.supporter_in.id], response.json

    return check


def _refused_off_duty(caller: str, response: Any, w: World) -> None:
    """The off-duty colleague is refused because of the roster, not by accident."""
    if caller == "supporter_in_circle_off_duty":
        assert response.json["message"] == NOT_ON_DUTY, response.json


def _off_duty_is_offered_break_glass(caller: str, response: Any, w: World) -> None:
    """Reading check-ins off duty: refused by the roster, and told that
    break-glass is the way (the app shows the button)."""
    if caller == "supporter_in_circle_off_duty":
        assert response.json["error"] == "break_glass_available", response.json
        assert response.json["message"] == NOT_ON_DUTY
    if caller in ("supporter_outside", "admin"):
        assert response.json["error"] == "forbidden", response.json


def _schedule_write_refused_off_duty(caller: str, response: Any, w: World) -> None:
    if caller == "supporter_in_circle_off_duty":
        assert response.json["error"] == "not_on_duty", response.json


def _recorder_cannot_co_sign(caller: str, response: Any, w: World) -> None:
    if caller == "supporter_in_circle":  # she recorded the meeting agreement
        assert response.json["error"] == "second_person_needed", response.json
    if response.status_code == 200:
        assert response.json["status"] == "agreed_in_meeting"
        assert response.json["meeting_recorded_by"]["id"] == w.supporter_in.id


def _meeting_agreement_waits(caller: str, response: Any, w: World) -> None:
    if response.status_code == 200:
        assert response.json["status"] == "awaiting_confirmation", response.json
        assert response.json["resulting_version"] is None


def _plan_shows_shared_sections_only(caller: str, response: Any, w: World) -> None:
    if response.status_code != 200:
        return
    visible = response.json["visible_sections"]
    assert "warning_signs" in visible
    if caller == "patient_self":
        assert PRIVATE_REASON in response.get_data(as_text=True)
    else:  # on duty or not, a supporter sees only what the patient shared
        assert "reasons_to_live" not in visible
        assert PRIVATE_REASON not in response.get_data(as_text=True)


def _own_conversation_only(caller: str, response: Any, w: World) -> None:
    """A patient's chat is always their own, whatever they ask for."""
    if response.status_code not in (200, 201):
        return
    body = response.json
    conversation_id = body.get("conversation_id", body.get("id"))
    if caller == "patient_self":
        assert conversation_id == w.conversation.id, body
    else:
        assert conversation_id != w.conversation.id, body


def _my_shifts_cover_now(caller: str, response: Any, w: World) -> None:
    if response.status_code != 200:
        return
    covering = [
        s
        for s in response.json
        if datetime.fromisoformat(s["starts_at"]) <= w.now < datetime.fromisoformat(s["ends_at"])
    ]
    assert bool(covering) == (caller == "supporter_in_circle"), response.json


def _duty_in_my_teams(caller: str, response: Any, w: World) -> None:
    """A supporter sees who is on duty in their own teams only."""
    if response.status_code != 200:
        return
    teams = {t["team"]["id"]: [d["user_id"] for d in t["on_duty"]] for t in response.json}
    if caller not in IN_TEAM and caller != "admin":
        assert w.team_in.id not in teams, response.json
    else:
        assert teams[w.team_in.id] == [w.supporter_in.id], response.json


def _duty_for_my_patients(caller: str, response: Any, w: World) -> None:
    """Each of my patients with who is on duty for them; nobody else's patients."""
    if response.status_code != 200:
        return
    by_patient = {p["patient_id"]: p for p in response.json}
    if caller == "supporter_outside":
        assert w.patient.id not in by_patient, response.json
        return
    duty = [d["user_id"] for tier in by_patient[w.patient.id]["tiers"] for d in tier["on_duty"]]
    assert duty == [w.supporter_in.id], response.json


BODY_CHECKS: dict[tuple[str, str], BodyCheck] = {
    ("GET", "/api/patients/on-duty"): _duty_for_my_patients,
    ("GET", "/api/chat/inbox"): _only_on_duty_sees(
        lambda body: [i["conversation_id"] for i in body], lambda w: w.conversation.id
    ),
    ("GET", "/api/checkins/tonight"): _only_on_duty_sees(
        lambda body: [i["patient_id"] for i in body], lambda w: w.patient.id
    ),
    ("GET", "/api/alerts/open"): _only_on_duty_sees(
        lambda body: [i["id"] for i in body], lambda w: w.alert.id
    ),
    ("GET", "/api/checkins/recently-discharged"): _only_on_duty_sees(
        lambda body: [i["patient_id"] for i in body], lambda w: w.patient.id
    ),
    ("GET", "/api/teams/<int:team_id>/on-duty"): _on_duty_is_the_night_supporter(
        lambda body: body["on_duty"]
    ),
    ("GET", "/api/patients/<int:patient_id>/on-duty"): _on_duty_is_the_night_supporter(
        lambda body: body["tiers"][0]["on_duty"]
    ),
    ("GET", "/api/on-duty"): _duty_in_my_teams,
    ("GET", "/api/me/shifts"): _my_shifts_cover_now,
    ("GET", "/api/patients/<int:patient_id>/crisis-plan"): _plan_shows_shared_sections_only,
    ("GET", "/api/chat/conversation"): _own_conversation_only,
    ("POST", "/api/chat/messages"): _own_conversation_only,
    ("GET", "/api/chat/conversations/<int:conversation_id>"): _refused_off_duty,
    ("PUT", "/api/chat/conversations/<int:conversation_id>/handover-note"): _refused_off_duty,
    ("GET", "/api/patients/<int:patient_id>/checkins"): _off_duty_is_offered_break_glass,
    ("GET", "/api/patients/<int:patient_id>/checkin-schedule"): _off_duty_is_offered_break_glass,
    ("PUT", "/api/patients/<int:patient_id>/checkin-schedule"): _schedule_write_refused_off_duty,
    ("POST", "/api/patients/<int:patient_id>/crisis-plan/proposals/<int:proposal_id>/co-sign"): (
        _recorder_cannot_co_sign
    ),
    (
        "POST",
        "/api/patients/<int:patient_id>/crisis-plan/proposals/<int:proposal_id>/agree-in-meeting",
    ): _meeting_agreement_waits,
    **{
        ("POST", f"/api/chat/conversations/<int:conversation_id>/{action}"): _refused_off_duty
        for action in ("messages", "take", "handover", "close", "read", "delivered")
    },
}


def test_every_route_has_an_entry(app: Flask) -> None:
    missing = sorted(api_routes(app) - set(MATRIX))
    assert not missing, f"add these routes to the authorization matrix: {missing}"
    stale = sorted(set(MATRIX) - api_routes(app))
    assert not stale, f"these matrix entries name routes that no longer exist: {stale}"


@pytest.mark.parametrize("route", sorted(MATRIX), ids=lambda r: f"{r[0]} {r[1]}")
@pytest.mark.parametrize("caller", CALLERS)
def test_route_answers_each_caller_as_designed(
    route: tuple[str, str], caller: str, app: Flask, world: World, auth: Any
) -> None:
    response = call(route, client_of(caller, app, world, auth), world)
    expected = MATRIX[route][2][caller]
    assert response.status_code == expected, (caller, route, response.get_json(silent=True))
    if route in BODY_CHECKS:
        BODY_CHECKS[route](caller, response, world)


SUPPORTER_CHAT_ROUTES = sorted(r for r in MATRIX if r[1].startswith("/api/chat/conversations/"))


@pytest.mark.parametrize("route", SUPPORTER_CHAT_ROUTES, ids=lambda r: f"{r[0]} {r[1]}")
def test_a_supporter_whose_shift_ended_cannot_go_on_in_the_conversation_she_holds(
    route: tuple[str, str], app: Flask, world: World, auth: Any, db: Session
) -> None:
    # Her day shift ended at 16:00 and the scheduler has not handed the
    # conversation over yet: she still holds it, but the roster says no.
    world.conversation.holder_id = world.supporter_off.id
    db.add(world.conversation)
    db.commit()
    response = call(route, client_of("supporter_in_circle_off_duty", app, world, auth), world)
    assert response.status_code == 403, response.get_json(silent=True)
    assert response.json["message"] == NOT_ON_DUTY


@pytest.mark.parametrize("caller", CALLERS)
def test_nobody_alone_disables_a_patient(
    caller: str, app: Flask, world: World, auth: Any, db: Session
) -> None:
    """Not even an administrator: her account is disabled only when a second
    administrator approves a request (tests/test_patient_disabling.py)."""
    client = client_of(caller, app, world, auth)
    response = client.patch(f"/api/users/{world.patient.id}", json={"is_active": False})
    expected = {"anonymous": 401, "admin": 409}.get(caller, 403)
    assert response.status_code == expected, response.get_json(silent=True)
    db.refresh(world.patient)
    assert world.patient.is_active
