"""Every API route × every kind of caller, with the status each must get.

A route added without an entry here fails `test_every_route_has_an_entry`, so
nobody can ship an endpoint whose access rules were never written down.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask import Flask

from server.care_circles.models import TeamKind

CALLERS = (
    "anonymous",
    "patient_self",
    "patient_other",
    "supporter_in_circle",
    "supporter_outside",
    "admin",
)


@dataclass
class World:
    patient: Any
    other_patient: Any
    supporter_in: Any
    supporter_out: Any
    admin: Any
    team_in: Any
    team_out: Any
    override: Any
    conversation: Any
    proposal: Any = None  # a pending crisis-plan proposal by supporter_in


def ok_for(status: int, *callers: str, default: int = 403) -> dict[str, int]:
    expected = {caller: default for caller in CALLERS}
    expected["anonymous"] = 401
    for caller in callers:
        expected[caller] = status
    return expected


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(CALLERS, status)


PUSH_SUBSCRIPTION = {
    "endpoint": "https://push.example.net/send/matrix",
    "keys": {
        "p256dh": "BAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0-P0A",
        "auth": "AAECAwQFBgcICQoLDA0ODw",
    },
}

# (method, rule) -> (path params, body, {caller: status})
MATRIX: dict[tuple[str, str], tuple[dict[str, str], Any, dict[str, int]]] = {
    ("GET", "/api/openapi.json"): ({}, None, everyone(200)),
    ("GET", "/healthz"): ({}, None, everyone(200)),
    ("GET", "/readyz"): ({}, None, everyone(200)),
    # Public endpoints: the answer does not depend on who asks.
    ("POST", "/api/auth/login"): ({}, {"username": "nobody", "password": "wrong-password"}, everyone(401)),
    ("POST", "/api/invitations/lookup"): ({}, {"token": "x" * 43}, everyone(404)),
    ("POST", "/api/invitations/accept"): (
        {},
        {"token": "x" * 43, "password": "lang-nok-passord"},
        everyone(404),
    ),
    ("POST", "/api/auth/logout"): ({}, None, ok_for(204, *CALLERS[1:])),
    ("GET", "/api/auth/session"): ({}, None, ok_for(200, *CALLERS[1:])),
    ("GET", "/api/users"): ({}, None, ok_for(200, "admin")),
    ("POST", "/api/users"): (
        {},
        {"username": "ny.kollega", "display_name": "Nina", "role": "supporter"},
        ok_for(201, "admin"),
    ),
    ("PATCH", "/api/users/<int:user_id>"): (
        {"user_id": "patient"},
        {"display_name": "Mona B."},
        ok_for(200, "admin"),
    ),
    ("POST", "/api/users/<int:user_id>/invitation"): (
        {"user_id": "patient"},
        None,
        ok_for(201, "admin", "supporter_in_circle"),
    ),
    ("GET", "/api/teams"): ({}, None, ok_for(200, "admin", "supporter_in_circle", "supporter_outside")),
    ("POST", "/api/teams"): ({}, {"name": "Nytt team", "kind": "kommune"}, ok_for(201, "admin")),
    ("PATCH", "/api/teams/<int:team_id>"): (
        {"team_id": "team_in"},
        {"name": "Nytt navn"},
        ok_for(200, "admin"),
    ),
    ("PUT", "/api/teams/<int:team_id>/members"): (
        {"team_id": "team_in"},
        {"user_ids": ["supporter_in"]},
        ok_for(200, "admin"),
    ),
    ("GET", "/api/patients"): ({}, None, ok_for(200, "admin", "supporter_in_circle", "supporter_outside")),
    ("POST", "/api/patients"): (
        {},
        {"username": "ny.pasient", "display_name": "Siri", "team_id": "team_in"},
        ok_for(201, "admin", "supporter_in_circle"),
    ),
    ("GET", "/api/patients/<int:patient_id>"): (
        {"patient_id": "patient"},
        None,
        ok_for(200, "patient_self", "supporter_in_circle", "admin"),
    ),
    ("GET", "/api/patients/<int:patient_id>/care-circle"): (
        {"patient_id": "patient"},
        None,
        ok_for(200, "patient_self", "supporter_in_circle", "admin"),
    ),
    ("PUT", "/api/patients/<int:patient_id>/care-circle"): (
        {"patient_id": "patient"},
        {"tiers": [{"team_ids": ["team_in"]}], "primary_contact_ids": []},
        ok_for(200, "admin"),
    ),
    ("GET", "/api/me/audit"): ({}, None, ok_for(200, "patient_self", "patient_other")),
    # Rosters
    ("GET", "/api/teams/<int:team_id>/roster"): (
        {"team_id": "team_in"},
        None,
        ok_for(200, "admin", "supporter_in_circle"),
    ),
    ("POST", "/api/teams/<int:team_id>/roster/draft"): ({"team_id": "team_in"}, None, ok_for(201, "admin")),
    ("PUT", "/api/teams/<int:team_id>/roster/draft"): (
        {"team_id": "team_in"},
        {
            "rotations": [
                {
                    "name": "Dag",
                    "start_date": "2026-11-23",
                    "member_ids": ["supporter_in"],
                    "shifts": [{"weekdays": [0, 1, 2, 3, 4, 5, 6], "start": "08:00", "end": "22:00"}],
                }
            ]
        },
        ok_for(200, "admin"),
    ),
    ("DELETE", "/api/teams/<int:team_id>/roster/draft"): ({"team_id": "team_in"}, None, ok_for(204, "admin")),
    ("POST", "/api/teams/<int:team_id>/roster/publish"): (
        {"team_id": "team_in"},
        {"confirm_uncovered": True},
        ok_for(200, "admin"),
    ),
    ("GET", "/api/teams/<int:team_id>/overrides"): (
        {"team_id": "team_in"},
        None,
        ok_for(200, "admin", "supporter_in_circle"),
    ),
    ("POST", "/api/teams/<int:team_id>/overrides"): (
        {"team_id": "team_in"},
        {
            "kind": "add",
            "user_id": "supporter_in",
            "starts_at": "2026-11-24T18:00:00",
            "ends_at": "2026-11-24T22:00:00",
            "reason": "swap",
        },
        ok_for(201, "admin"),
    ),
    ("DELETE", "/api/teams/<int:team_id>/overrides/<int:override_id>"): (
        {"team_id": "team_in", "override_id": "override"},
        None,
        ok_for(204, "admin"),
    ),
    ("GET", "/api/teams/<int:team_id>/on-duty"): (
        {"team_id": "team_in"},
        None,
        ok_for(200, "admin", "supporter_in_circle"),
    ),
    ("GET", "/api/teams/<int:team_id>/shifts"): (
        {"team_id": "team_in"},
        None,
        ok_for(200, "admin", "supporter_in_circle"),
    ),
    ("GET", "/api/on-duty"): ({}, None, ok_for(200, "admin", "supporter_in_circle", "supporter_outside")),
    ("GET", "/api/patients/<int:patient_id>/on-duty"): (
        {"patient_id": "patient"},
        None,
        ok_for(200, "patient_self", "supporter_in_circle", "admin"),
    ),
    ("GET", "/api/coverage"): ({}, None, ok_for(200, "admin")),
    ("GET", "/api/me/shifts"): ({}, None, ok_for(200, "supporter_in_circle", "supporter_outside")),
    ("POST", "/api/me/calendar-feed"): ({}, None, ok_for(201, "supporter_in_circle", "supporter_outside")),
    ("GET", "/api/me/calendar-feed"): ({}, None, ok_for(200, "supporter_in_circle", "supporter_outside")),
    ("DELETE", "/api/me/calendar-feed"): ({}, None, ok_for(204, "supporter_in_circle", "supporter_outside")),
    # Chat
    ("GET", "/api/chat/conversation"): ({}, None, ok_for(200, "patient_self", "patient_other")),
    ("POST", "/api/chat/messages"): (
        {},
        {"client_id": "matrix-0001", "body": "Hei"},
        ok_for(201, "patient_self", "patient_other"),
    ),
    ("GET", "/api/chat/inbox"): ({}, None, ok_for(200, "supporter_in_circle", "supporter_outside")),
    ("GET", "/api/chat/conversations/<int:conversation_id>"): (
        {"conversation_id": "conversation"},
        None,
        ok_for(200, "supporter_in_circle"),
    ),
    ("POST", "/api/chat/conversations/<int:conversation_id>/messages"): (
        {"conversation_id": "conversation"},
        {"client_id": "matrix-0002", "body": "Jeg er her"},
        ok_for(201, "supporter_in_circle"),
    ),
    ("POST", "/api/chat/conversations/<int:conversation_id>/take"): (
        {"conversation_id": "conversation"},
        None,
        ok_for(204, "supporter_in_circle"),
    ),
    ("POST", "/api/chat/conversations/<int:conversation_id>/handover"): (
        {"conversation_id": "conversation"},
        {"to_tier": 0, "note": "Overtar du?"},
        ok_for(204, "supporter_in_circle"),
    ),
    ("POST", "/api/chat/conversations/<int:conversation_id>/close"): (
        {"conversation_id": "conversation"},
        None,
        ok_for(204, "supporter_in_circle"),
    ),
    ("POST", "/api/chat/conversations/<int:conversation_id>/read"): (
        {"conversation_id": "conversation"},
        {"upto_id": 0},
        ok_for(204, "patient_self", "supporter_in_circle"),
    ),
    ("POST", "/api/chat/conversations/<int:conversation_id>/delivered"): (
        {"conversation_id": "conversation"},
        {"upto_id": 0},
        ok_for(204, "supporter_in_circle"),
    ),
    ("GET", "/api/chat/gaps"): ({}, None, ok_for(200, "admin")),
    # Check-ins
    ("POST", "/api/checkins"): (
        {},
        {
            "idempotency_key": "matrix-checkin-1",
            "pressure": 3,
            "mood": 3,
            "sleep": "ok",
            "self_harm_urge": "none",
            "suicidal_thoughts": "none",
        },
        ok_for(201, "patient_self", "patient_other"),
    ),
    ("GET", "/api/checkins/state"): ({}, None, ok_for(200, "patient_self", "patient_other")),
    ("GET", "/api/checkins/tonight"): ({}, None, ok_for(200, "supporter_in_circle", "supporter_outside")),
    ("GET", "/api/checkins/recently-discharged"): (
        {},
        None,
        ok_for(200, "supporter_in_circle", "supporter_outside"),
    ),
    ("GET", "/api/patients/<int:patient_id>/checkins"): (
        {"patient_id": "patient"},
        None,
        ok_for(200, "patient_self", "supporter_in_circle"),
    ),
    ("GET", "/api/patients/<int:patient_id>/checkin-schedule"): (
        {"patient_id": "patient"},
        None,
        ok_for(200, "patient_self", "supporter_in_circle"),
    ),
    ("PUT", "/api/patients/<int:patient_id>/checkin-schedule"): (
        {"patient_id": "patient"},
        {"evening_time": "20:30", "after_missed": "tell_on_duty"},
        ok_for(200, "patient_self", "supporter_in_circle"),
    ),
    ("POST", "/api/patients/<int:patient_id>/discharges"): (
        {"patient_id": "patient"},
        {"discharge_date": "2026-11-22"},
        ok_for(201, "supporter_in_circle"),
    ),
    ("POST", "/api/patients/<int:patient_id>/discharges/contact"): (
        {"patient_id": "patient"},
        None,
        ok_for(200, "supporter_in_circle"),
    ),
    # Web push: every signed-in user may subscribe their own browser.
    ("GET", "/api/push/key"): ({}, None, ok_for(200, *CALLERS[1:])),
    ("POST", "/api/push/subscriptions"): ({}, PUSH_SUBSCRIPTION, ok_for(201, *CALLERS[1:])),
    ("DELETE", "/api/push/subscriptions"): (
        {},
        {"endpoint": PUSH_SUBSCRIPTION["endpoint"]},
        ok_for(204, *CALLERS[1:]),
    ),
    # The feed token is its own credential: a wrong one opens nothing for anyone.
    ("GET", "/calendar/<token>.ics"): ({"token": "not-a-real-token"}, None, everyone(404)),
    ("GET", "/api/audit"): ({}, None, ok_for(200, "admin")),
    # Crisis plans: the patient owns the plan; a supporter in the circle reads
    # shared sections and proposes; administrators never see plan content.
    ("GET", "/api/patients/<int:patient_id>/crisis-plan"): (
        {"patient_id": "patient"},
        None,
        ok_for(200, "patient_self", "supporter_in_circle"),
    ),
    ("PUT", "/api/patients/<int:patient_id>/crisis-plan"): (
        {"patient_id": "patient"},
        {"base_version": 1, "sections": {"self_help": ["Gå en tur langs sjøen"]}},
        ok_for(200, "patient_self"),
    ),
    ("PUT", "/api/patients/<int:patient_id>/crisis-plan/sharing"): (
        {"patient_id": "patient"},
        {"sharing": {"contacts": ["bolig"]}, "offline_enabled": False},
        ok_for(200, "patient_self"),
    ),
    ("GET", "/api/patients/<int:patient_id>/crisis-plan/versions"): (
        {"patient_id": "patient"},
        None,
        ok_for(200, "patient_self"),
    ),
    ("GET", "/api/patients/<int:patient_id>/crisis-plan/versions/<int:number>"): (
        {"patient_id": "patient", "number": "1"},
        None,
        ok_for(200, "patient_self"),
    ),
    ("POST", "/api/patients/<int:patient_id>/crisis-plan/versions/<int:number>/restore"): (
        {"patient_id": "patient", "number": "1"},
        {"base_version": 1},
        ok_for(200, "patient_self"),
    ),
    ("GET", "/api/patients/<int:patient_id>/crisis-plan/proposals"): (
        {"patient_id": "patient"},
        None,
        ok_for(200, "patient_self", "supporter_in_circle"),
    ),
    ("POST", "/api/patients/<int:patient_id>/crisis-plan/proposals"): (
        {"patient_id": "patient"},
        {"base_version": 1, "sections": {"warning_signs": ["Sover dårlig"]}, "note": "Fra samtalen i går"},
        ok_for(201, "supporter_in_circle"),
    ),
    ("POST", "/api/patients/<int:patient_id>/crisis-plan/proposals/<int:proposal_id>/approve"): (
        {"patient_id": "patient", "proposal_id": "proposal"},
        {"base_version": 1},
        ok_for(200, "patient_self"),
    ),
    ("POST", "/api/patients/<int:patient_id>/crisis-plan/proposals/<int:proposal_id>/reject"): (
        {"patient_id": "patient", "proposal_id": "proposal"},
        None,
        ok_for(200, "patient_self"),
    ),
    ("POST", "/api/patients/<int:patient_id>/crisis-plan/proposals/<int:proposal_id>/agree-in-meeting"): (
        {"patient_id": "patient", "proposal_id": "proposal"},
        {"base_version": 1, "note": "Ansvarsgruppemøte"},
        ok_for(200, "supporter_in_circle"),
    ),
}


def _api_routes(app: Flask) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        if not (rule.rule.startswith(("/api", "/calendar")) or rule.rule in ("/healthz", "/readyz")):
            continue
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            routes.add((method, rule.rule))
    return routes


def test_every_route_has_an_entry(app: Flask) -> None:
    missing = sorted(_api_routes(app) - set(MATRIX))
    assert not missing, f"add these routes to the authorization matrix: {missing}"
    stale = sorted(set(MATRIX) - _api_routes(app))
    assert not stale, f"these matrix entries name routes that no longer exist: {stale}"


@pytest.fixture
def world(factories: Any) -> World:
    supporter_in = factories.supporter()
    supporter_out = factories.supporter()
    team_in = factories.team(TeamKind.bolig, members=[supporter_in])
    team_out = factories.team(TeamKind.kommune, members=[supporter_out])
    patient = factories.patient()
    other_patient = factories.patient()
    factories.care_circle(patient, [[team_in]])
    factories.care_circle(other_patient, [[team_out]])
    factories.draft_roster(team_in)
    factories.published_roster(team_in, [([supporter_in], [("00:00", "00:00", True)])])
    conversation = factories.conversation(patient, holder=supporter_in)
    factories.discharge(patient, date(2026, 11, 20), by=supporter_in)
    override = factories.override(
        team_in, supporter_in, kind="remove", starts_at=datetime(2027, 1, 10, tzinfo=UTC)
    )
    plan = factories.crisis_plan(patient, {"warning_signs": ["Jeg sover dårlig"]})
    proposal = factories.crisis_proposal(
        plan, supporter_in, {"warning_signs": ["Jeg sover dårlig", "Jeg trekker meg unna"]}
    )
    return World(
        proposal=proposal,
        patient=patient,
        other_patient=other_patient,
        supporter_in=supporter_in,
        supporter_out=supporter_out,
        admin=factories.admin(),
        team_in=team_in,
        team_out=team_out,
        override=override,
        conversation=conversation,
    )


def _resolve(value: Any, world: World) -> Any:
    """Replace world object names ("patient", "team_in", ...) by their ids."""
    if isinstance(value, str) and hasattr(world, value):
        return getattr(world, value).id
    if isinstance(value, list):
        return [_resolve(v, world) for v in value]
    if isinstance(value, dict):
        return {k: _resolve(v, world) for k, v in value.items()}
    return value


_CALLER_USER = {
    "patient_self": "patient",
    "patient_other": "other_patient",
    "supporter_in_circle": "supporter_in",
    "supporter_outside": "supporter_out",
    "admin": "admin",
}


@pytest.mark.parametrize("route", sorted(MATRIX), ids=lambda r: f"{r[0]} {r[1]}")
@pytest.mark.parametrize("caller", CALLERS)
def test_route_answers_each_caller_as_designed(
    route: tuple[str, str], caller: str, app: Flask, world: World, auth: Any
) -> None:
    method, rule = route
    params, body, expected = MATRIX[route]
    path = rule
    for name, ref in params.items():
        path = path.replace(f"<int:{name}>", str(_resolve(ref, world))).replace(f"<{name}>", str(ref))
    client = (
        app.test_client()
        if caller == "anonymous"
        else auth.client_for(getattr(world, _CALLER_USER[caller]).username)
    )
    kwargs: dict[str, Any] = {}
    if body is not None:
        kwargs["json"] = _resolve(body, world)
    response = client.open(path, method=method, **kwargs)
    assert response.status_code == expected[caller], (caller, method, path, response.get_json(silent=True))
