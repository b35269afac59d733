"""Schemathesis against /api/openapi.json, in-process, as a patient, a supporter
on duty in that patient's care circle, an administrator and an anonymous caller.

Every generated request must get an answer that is not a 5xx, whose status,
content type and body match the document, and that shows nothing of a second
patient whom none of the callers may see (their crisis plan, check-in note,
chat message, name, or their id in a patient_id field).

Examples are bounded (MAX_EXAMPLES per operation and caller) and derandomised,
so a run is repeatable and takes about a minute and a half.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import CheckContext, not_a_server_error
from schemathesis.schemas import BaseSchema
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlmodel import select

from nattlys.accounts.models import User
from nattlys.accounts.sessions import COOKIE_NAME
from nattlys.care_circles.models import TeamKind
from nattlys.chat.models import Conversation
from nattlys.web.security import CSRF_HEADER

# Strings only the other patient's data holds; no generated value comes near them.
OTHER_PLAN_MARK = "FUZZ-OTHER-PLAN-q7Rk2"
OTHER_CHECKIN_MARK = "FUZZ-OTHER-CHECKIN-x4Pw9"
OTHER_CHAT_MARK = "FUZZ-OTHER-CHAT-m3Jz8"
OTHER_NAME_MARK = "FUZZ-OTHER-NAME-h6Tb1"
CONTENT_MARKS = (OTHER_PLAN_MARK, OTHER_CHECKIN_MARK, OTHER_CHAT_MARK)

CALLERS = ("patient", "supporter", "admin", "anonymous")
# Per operation and caller; CI keeps it small, NATTLYS_FUZZ_EXAMPLES=200 digs deeper locally.
MAX_EXAMPLES = int(os.environ.get("NATTLYS_FUZZ_EXAMPLES", "12"))

# Logging out ends the caller's session, and every later request of the run would
# only see 401. It is fuzzed as the anonymous caller here, and logged in (with a
# session of its own) in test_logout_answers_as_documented below.
SESSION_ENDING = ("/api/auth/logout",)


@dataclass
class FuzzWorld:
    patient: User
    supporter: User
    admin: User
    other_patient: User
    known_ids: list[int]


@pytest.fixture
def fuzz_world(factories: Any, auth: Any) -> FuzzWorld:
    supporter = factories.supporter()
    supporter_other = factories.supporter()
    team = factories.team(TeamKind.bolig, members=[supporter])
    team_other = factories.team(TeamKind.kommune, members=[supporter_other])
    patient = factories.patient()
    other = factories.patient(display_name=OTHER_NAME_MARK)
    factories.care_circle(patient, [[team]], contacts=[supporter])
    factories.care_circle(other, [[team_other]], contacts=[supporter_other])
    # Both supporters are on duty around the clock, so chat and alerts reach someone.
    factories.published_roster(team, [([supporter], [("00:00", "00:00", True)])])
    factories.published_roster(team_other, [([supporter_other], [("00:00", "00:00", True)])])
    override = factories.override(team, supporter, kind="remove", starts_at=datetime(2027, 1, 10, tzinfo=UTC))
    factories.draft_roster(team)
    plan = factories.crisis_plan(patient, {"warning_signs": ["Sover dårlig"]}, sharing={})
    proposal = factories.crisis_proposal(
        plan, supporter, {"warning_signs": ["Sover dårlig", "Trekker meg unna"]}
    )
    factories.discharge(patient, date(2026, 11, 20), by=supporter)
    factories.checkin_schedule(patient)
    own = auth.client_for(patient.username)
    assert (
        own.post("/api/chat/messages", json={"client_id": "fuzz-own-0001", "body": "Hei"}).status_code == 201
    )

    # The other patient's data, written through the API as they would.
    factories.crisis_plan(other, {"warning_signs": [OTHER_PLAN_MARK]}, sharing={"warning_signs": ["kommune"]})
    factories.discharge(other, date(2026, 11, 21), by=supporter_other)
    theirs = auth.client_for(other.username)
    checkin = {
        "idempotency_key": "fuzz-other-checkin",
        "pressure": 8,
        "mood": 2,
        "sleep": "poor",
        "self_harm_urge": "some",
        "suicidal_thoughts": "none",
        "wants_contact": True,
        "note": OTHER_CHECKIN_MARK,
    }
    assert theirs.post("/api/checkins", json=checkin).status_code == 201
    sent = theirs.post("/api/chat/messages", json={"client_id": "fuzz-other-0001", "body": OTHER_CHAT_MARK})
    assert sent.status_code == 201, sent.get_json()

    admin = factories.admin()
    conversations = [c.id for c in factories.db.exec(select(Conversation)).all()]
    factories.db.commit()  # end the read: it holds SQLite's write lock
    known = {patient.id, other.id, supporter.id, supporter_other.id, admin.id, team.id, team_other.id}
    known |= {override.id, proposal.id, *conversations, 1, 2}
    return FuzzWorld(
        patient=patient, supporter=supporter, admin=admin, other_patient=other, known_ids=sorted(known)
    )


@dataclass
class Caller:
    name: str
    headers: dict[str, str]
    cookies: dict[str, str]


@pytest.fixture(params=CALLERS)
def caller(request: pytest.FixtureRequest, fuzz_world: FuzzWorld, auth: Any) -> Caller:
    name = request.param
    if name == "anonymous":
        return Caller(name, {}, {})
    client = auth.client_for(getattr(fuzz_world, name).username)
    cookie = client.get_cookie(COOKIE_NAME)
    assert cookie is not None and client.csrf_token
    return Caller(name, {CSRF_HEADER: client.csrf_token}, {COOKIE_NAME: cookie.value})


@pytest.fixture
def api_schema(app: Flask, fuzz_world: FuzzWorld, caller: Caller) -> Any:
    schema: BaseSchema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    if caller.name != "anonymous":
        schema = schema.exclude(path=list(SESSION_ENDING))
    other = st.just(fuzz_world.other_patient.id)
    known = st.sampled_from(fuzz_world.known_ids)

    # Random integers seldom name a real row: mix in the ids that exist, the
    # other patient's most often (first, so also in the simplest examples),
    # so that every access check meets a row it must refuse. The same for
    # "…_id" fields of a JSON body (a check-in's patient_id, say).
    def real_ids(values: dict[str, Any], wanted: Callable[[str], bool]) -> Any:
        ints = [k for k, v in values.items() if wanted(k) and isinstance(v, int) and not isinstance(v, bool)]
        if not ints:
            return st.just(values)
        chosen = st.fixed_dictionaries({k: st.one_of(other, known, st.just(values[k])) for k in ints})
        return chosen.map(lambda ids: {**values, **ids})

    @schema.hook("flatmap_path_parameters")
    def _path_ids(_context: Any, path_parameters: dict[str, Any]) -> Any:
        return real_ids(path_parameters or {}, lambda _name: True)

    @schema.hook("flatmap_body")
    def _body_ids(_context: Any, body: Any) -> Any:
        if not isinstance(body, dict):
            return st.just(body)
        return real_ids(body, lambda name: name.endswith("_id"))

    return schema


def _patient_ids(value: Any) -> list[Any]:
    if isinstance(value, dict):
        found = [v for k, v in value.items() if k == "patient_id"]
        return found + [i for v in value.values() for i in _patient_ids(v)]
    if isinstance(value, list):
        return [i for v in value for i in _patient_ids(v)]
    return []


def leak_check(world: FuzzWorld, caller: Caller) -> Any:
    """A response check: nothing of the other patient reaches this caller.

    Administrators manage every account, so they may see the other patient's id
    and name, but never what the patient wrote."""

    def no_other_patient_data(_ctx: CheckContext, response: Any, case: Any) -> bool:
        text = response.content.decode("utf-8", errors="replace")
        marks = CONTENT_MARKS if caller.name == "admin" else (*CONTENT_MARKS, OTHER_NAME_MARK)
        shown = [m for m in marks if m in text]
        assert not shown, f"{caller.name} was shown another patient's data: {shown}"
        if caller.name != "admin" and "json" in response.headers.get("content-type", [""])[0]:
            ids = _patient_ids(response.json())
            assert world.other_patient.id not in ids, f"{caller.name} got another patient's patient_id"
        return True

    return no_other_patient_data


def test_api_answers_as_documented(
    api_schema: Any, caller: Caller, fuzz_world: FuzzWorld, subtests: pytest.Subtests
) -> None:
    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
        leak_check(fuzz_world, caller),
    ]
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) > 60
    for operation in operations:
        strategy = st.one_of(
            operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE)
        )

        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy)
        def fuzz(case: Any) -> None:
            response = case.call(headers=caller.headers, cookies=caller.cookies)
            case.validate_response(response, checks=checks)

        with subtests.test(msg=operation.label):
            fuzz()


@pytest.mark.parametrize("who", ["patient", "supporter", "admin"])
def test_logout_answers_as_documented(who: str, app: Flask, fuzz_world: FuzzWorld, auth: Any) -> None:
    """Logout, left out of the logged-in runs above, with a session of its own."""
    client = auth.client_for(getattr(fuzz_world, who).username)
    cookie = client.get_cookie(COOKIE_NAME)
    assert cookie is not None and client.csrf_token
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    case = schema["/api/auth/logout"]["POST"].Case()
    response = case.call(headers={CSRF_HEADER: client.csrf_token}, cookies={COOKIE_NAME: cookie.value})
    case.validate_response(
        response, checks=[not_a_server_error, status_code_conformance, response_schema_conformance]
    )
    assert response.status_code == 204
    assert client.get("/api/auth/session").status_code == 401


def test_a_number_too_large_for_the_database_is_a_clear_400(fuzz_world: FuzzWorld, auth: Any) -> None:
    # Found by the fuzzer: SQLite cannot bind an integer over 64 bits and
    # answered 500; PostgreSQL refuses one over an int4 column the same way.
    admin = auth.client_for(fuzz_world.admin.username)
    response = admin.put(
        f"/api/patients/{fuzz_world.patient.id}/care-circle",
        json={"tiers": [{"team_ids": [10**30]}], "primary_contact_ids": []},
    )
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["error"] in ("out_of_range", "invalid_input", "unknown_team")


def test_openapi_documents_local_times_as_the_server_sends_them(fuzz_world: FuzzWorld, auth: Any) -> None:
    # Found by the fuzzer: the document said JSON Schema "time" (which needs a
    # UTC offset, 20:00:00Z), while schedules and shifts are local times (20:00:00).
    import re

    patient = auth.client_for(fuzz_world.patient.username)
    spec = patient.get("/api/openapi.json").get_json()
    evening = spec["components"]["schemas"]["SchedulePublic"]["properties"]["evening_time"]
    assert "format" not in evening
    sent = patient.get(f"/api/patients/{fuzz_world.patient.id}/checkin-schedule").get_json()["evening_time"]
    assert re.search(evening["pattern"], sent), sent
    assert re.search(evening["pattern"], "20:30")
    assert not re.search(evening["pattern"], "20:00:00Z")
    assert not re.search(evening["pattern"], "24:00")


def test_a_number_the_database_cannot_hold_is_a_400_on_either_database(make_app: Any) -> None:
    # SQLite raises OverflowError binding it, PostgreSQL a DataError (integer
    # out of range); both reached the client as 500 before.
    from sqlalchemy import text

    from nattlys.api.endpoints import endpoint
    from nattlys.db import get_db

    app = make_app()

    @app.get("/api/fuzz-probe/<int:number>")
    @endpoint("probe", tag="test", public=True)
    def probe(number: int) -> dict[str, Any]:
        get_db().execute(text("SELECT CAST(:n AS INTEGER)").bindparams(n=number))
        return {"ok": True}

    client = app.test_client()
    assert client.get("/api/fuzz-probe/7").status_code == 200
    response = client.get(f"/api/fuzz-probe/{10**30}")
    assert response.status_code == 400
    assert response.get_json()["error"] == "out_of_range"


@pytest.mark.parametrize(("start", "end"), [("08:00:00+01:00", "22:00"), ("22:00", "07:00Z")])
def test_a_shift_time_with_an_offset_is_a_clear_400(
    start: str, end: str, fuzz_world: FuzzWorld, auth: Any
) -> None:
    # Found next to the local-times fix: one time with an offset and one
    # without broke the start/end comparison (500), and a lone offset was dropped.
    admin = auth.client_for(fuzz_world.admin.username)
    team_id = admin.get("/api/teams").get_json()[0]["id"]
    shift = {"weekdays": [0], "start": start, "end": end, "ends_next_day": start > end}
    rotation = {"name": "Dag", "start_date": "2026-11-23", "member_ids": [fuzz_world.supporter.id]}
    response = admin.put(
        f"/api/teams/{team_id}/roster/draft", json={"rotations": [{**rotation, "shifts": [shift]}]}
    )
    assert response.status_code == 400, response.get_json()
    assert "time_has_offset" in {field["type"] for field in response.get_json()["fields"]}
