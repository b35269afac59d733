"""Hostile text in every free-text field of the API (issue 8, item 4).

Every field below is written through the API and read back through the API,
by the people who would write and read it:

| field                                   | written with                                  | limit |
|-----------------------------------------|-----------------------------------------------|-------|
| user display name                       | POST /api/users, PATCH /api/users/<id>        | 80    |
| patient display name                    | POST /api/patients                            | 80    |
| team name                               | POST /api/teams, PATCH /api/teams/<id>        | 120   |
| rotation name                           | PUT /api/teams/<id>/roster/draft              | 80    |
| roster override note                    | POST /api/teams/<id>/overrides                | 500   |
| chat message, patient                   | POST /api/chat/messages, socket chat:send     | 4000  |
| chat message, supporter                 | POST /api/chat/conversations/<id>/messages    | 4000  |
| handover note                           | POST …/handover, socket chat:handover,        | 1000  |
|                                         | PUT …/handover-note                           |       |
| crisis plan: warning signs, self-help, people and places, reasons to live (items) | PUT …/crisis-plan | 300 |
| crisis plan: safe surroundings, alternatives to admission | PUT …/crisis-plan           | 4000  |
| crisis plan: contact name, relation; professional name, service, hours; self-referral with whom, how to ask; who-does-what who, does; meeting wants, does-not-help | PUT …/crisis-plan | 100–4000 |
| crisis plan edit note                   | PUT …/crisis-plan                             | 500   |
| proposal note and proposed item         | POST …/crisis-plan/proposals                  | 500, 300 |
| agreed-in-meeting note                  | POST …/proposals/<id>/agree-in-meeting        | 500   |
| check-in note                           | POST /api/checkins                            | 1000  |

What is stored is what was sent, code point for code point (no Unicode
normalisation, so "e" + U+0301 stays two code points), except two documented
normalisations: names (people, teams, rotations) have runs of whitespace,
CR/LF included, collapsed to one space, and every field is trimmed at both
ends. NUL and lone surrogates are refused with 400 "invalid_input" naming the
field, on SQLite as on PostgreSQL (which cannot store NUL), and nothing is
saved. Limits count code points, so a limit of 4-byte characters fits.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask

from nattlys.care_circles.models import TeamKind
from nattlys.chat.models import Conversation, ConversationState
from nattlys.plans.schemas import SECTION_KEYS

OSLO = ZoneInfo("Europe/Oslo")

# Stored and read back unchanged (after the documented normalisation).
ALLOWED = {
    "script": "<script>alert(1)</script>",
    "img": "<img src=x onerror=alert(1)>",
    "svg": '"><svg onload=alert(1)>',
    "template": "{{7*7}} ${7*7}",
    "rtl_override": "abc \u202eexe.txt\u202c def",
    "zero_width": "a\u200bb\u200dc",
    "combining": "e\u0301 n\u0303 Z\u0351\u0338",
    "emoji": "👍🏽 👨\u200d👩\u200d👧\u200d👦",
    "four_byte": "𝄞𠜎",
    "crlf": "line one\r\nline two",
}
# Refused: no database can be trusted with these, and nobody types them.
REFUSED = {
    "nul": "before\x00after",
    "high_surrogate": "a\ud800b",
    "low_surrogate": "a\udfffb",
}


def name_rule(value: str) -> str:
    return " ".join(value.split())


def text_rule(value: str) -> str:
    return value.strip()


@dataclass
class Outcome:
    ok: bool
    error: dict[str, Any]
    status: int | None  # None for a Socket.IO acknowledgement


def http(response: Any) -> Outcome:
    ok = 200 <= response.status_code < 300
    body = response.get_json(silent=True)
    assert body is not None or ok, f"{response.status_code} without a JSON body"
    return Outcome(ok, {} if ok else body, response.status_code)


def ack(answer: dict[str, Any]) -> Outcome:
    return Outcome("ok" in answer, answer if "error" in answer else {}, None)


class World:
    """Mona (patient) in Bolig Askøy's care; Kari and Ola on duty round the
    clock; an administrator. Everyone talks to the API over HTTP."""

    def __init__(self, app: Flask, auth: Any, factories: Any, db: Any, socket_client: Any) -> None:
        self.db = db
        self.factories = factories
        factories.admin("root", display_name="Root")
        kari = factories.supporter("kari", display_name="Kari")
        ola = factories.supporter("ola", display_name="Ola")
        self.team = factories.team(TeamKind.bolig, members=[kari, ola], name="Bolig Askøy")
        mona = factories.patient("mona", display_name="Mona")
        factories.care_circle(mona, [[self.team]])
        factories.published_roster(
            self.team, [([kari], [("00:00", "00:00", True)]), ([ola], [("00:00", "00:00", True)])]
        )
        self.plan_row = factories.crisis_plan(
            mona,
            {"self_help": ["Gå en tur"]},
            sharing={key: [k.value for k in TeamKind] for key in SECTION_KEYS},
        )
        self.kari_id, self.ola_id, self.mona_id, self.team_id = kari.id, ola.id, mona.id, self.team.id
        self.admin = auth.client_for("root")
        self.kari = auth.client_for("kari")
        self.ola = auth.client_for("ola")
        self.mona = auth.client_for("mona")
        self._socket_client = socket_client
        self._sockets: dict[str, Any] = {}
        first = self.mona.post("/api/chat/messages", json={"client_id": uuid.uuid4().hex, "body": "Hei"})
        assert first.status_code == 201, first.json
        self.conversation_id = first.json["conversation_id"]
        self.serial = 0

    def next(self) -> int:
        self.serial += 1
        return self.serial

    def socket(self, who: str) -> Any:
        if who not in self._sockets:
            self._sockets[who] = self._socket_client(getattr(self, who))
        return self._sockets[who]

    @property
    def plan_url(self) -> str:
        return f"/api/patients/{self.mona_id}/crisis-plan"

    def plan(self) -> dict[str, Any]:
        response = self.mona.get(self.plan_url)
        assert response.status_code == 200, response.json
        return response.json

    def put_plan(self, sections: dict[str, Any], note: str = "") -> Outcome:
        body = {"base_version": self.plan()["version"], "sections": sections, "note": note}
        return http(self.mona.put(self.plan_url, json=body))

    def proposals(self) -> list[dict[str, Any]]:
        response = self.mona.get(self.plan_url + "/proposals")
        assert response.status_code == 200, response.json
        return sorted(response.json, key=lambda p: p["id"])

    def hold(self, supporter_id: int) -> None:
        """Arrange the conversation as held by one supporter."""
        conv = self.db.get(Conversation, self.conversation_id)
        self.db.refresh(conv)
        conv.state = ConversationState.held
        conv.holder_id = supporter_id
        conv.offered_to = []
        self.db.commit()


# --- the fields: how each is written and read back -----------------------------------


def _users(w: World, prefix: str) -> list[str]:
    users = sorted(w.admin.get("/api/users").json, key=lambda u: u["id"])
    return [u["display_name"] for u in users if u["username"].startswith(prefix)]


def write_user(w: World, value: str) -> Outcome:
    body = {"username": f"hostile{w.next()}", "display_name": value, "role": "supporter"}
    return http(w.admin.post("/api/users", json=body))


def write_patient(w: World, value: str) -> Outcome:
    body = {"username": f"hostilep{w.next()}", "display_name": value}
    return http(w.admin.post("/api/patients", json=body))


def rename_mona(w: World, value: str) -> Outcome:
    return http(w.admin.patch(f"/api/users/{w.mona_id}", json={"display_name": value}))


def mona_as_kari_sees_her(w: World) -> list[str]:
    return [w.kari.get(f"/api/patients/{w.mona_id}").json["display_name"]]


def _team_names(w: World) -> list[str]:
    teams = sorted(w.admin.get("/api/teams").json, key=lambda t: t["id"])
    return [t["name"] for t in teams]


def write_team(w: World, value: str) -> Outcome:
    return http(w.admin.post("/api/teams", json={"name": value, "kind": "kommune"}))


def rename_team(w: World, value: str) -> Outcome:
    return http(w.admin.patch(f"/api/teams/{w.team_id}", json={"name": value}))


def write_rotation(w: World, value: str) -> Outcome:
    rotation = {
        "name": value,
        "start_date": "2026-11-23",
        "member_ids": [w.kari_id],
        "shifts": [{"weekdays": [0, 1, 2, 3, 4], "start": "08:00", "end": "16:00"}],
    }
    return http(w.admin.put(f"/api/teams/{w.team_id}/roster/draft", json={"rotations": [rotation]}))


def read_rotation(w: World) -> list[str]:
    draft = w.admin.get(f"/api/teams/{w.team_id}/roster").json["draft"]
    return [r["name"] for r in draft["rotations"]] if draft else []


def write_override(w: World, value: str) -> Outcome:
    day = 1 + w.next() % 20
    body = {
        "kind": "add",
        "user_id": w.ola_id,
        "starts_at": f"2026-12-{day:02d}T08:00:00",
        "ends_at": f"2026-12-{day:02d}T12:00:00",
        "note": value,
    }
    return http(w.admin.post(f"/api/teams/{w.team_id}/overrides", json=body))


def read_overrides(w: World) -> list[str]:
    rows = w.admin.get(f"/api/teams/{w.team_id}/overrides?start=2026-11-30T00:00:00Z&days=40").json
    return [o["note"] for o in sorted(rows, key=lambda o: o["id"])]


def patient_http_message(w: World, value: str) -> Outcome:
    return http(w.mona.post("/api/chat/messages", json={"client_id": uuid.uuid4().hex, "body": value}))


def patient_socket_message(w: World, value: str) -> Outcome:
    sio = w.socket("mona")
    return ack(sio.emit("chat:send", {"client_id": uuid.uuid4().hex, "body": value}, callback=True))


def supporter_message(w: World, value: str) -> Outcome:
    body = {"client_id": uuid.uuid4().hex, "body": value}
    return http(w.kari.post(f"/api/chat/conversations/{w.conversation_id}/messages", json=body))


def read_messages_as_patient(w: World) -> list[str]:
    return [m["body"] for m in w.mona.get("/api/chat/conversation").json["messages"]]


def read_messages_as_supporter(w: World) -> list[str]:
    conv = w.ola.get(f"/api/chat/conversations/{w.conversation_id}").json
    return [m["body"] for m in conv["messages"]]


def handover_http(w: World, value: str) -> Outcome:
    w.hold(w.kari_id)
    body = {"to_user_id": w.ola_id, "note": value}
    return http(w.kari.post(f"/api/chat/conversations/{w.conversation_id}/handover", json=body))


def handover_socket(w: World, value: str) -> Outcome:
    w.hold(w.kari_id)
    body = {"conversation_id": w.conversation_id, "to_user_id": w.ola_id, "note": value}
    return ack(w.socket("kari").emit("chat:handover", body, callback=True))


def handover_note_http(w: World, value: str) -> Outcome:
    """The note asked for before the shift ends, written by the holder."""
    w.hold(w.kari_id)
    return http(
        w.kari.put(f"/api/chat/conversations/{w.conversation_id}/handover-note", json={"note": value})
    )


def read_own_handover_note(w: World) -> list[str]:
    note = w.kari.get(f"/api/chat/conversations/{w.conversation_id}").json["handover_note"]
    return [note] if note else []


def read_handover_note(w: World) -> list[str]:
    note = w.ola.get(f"/api/chat/conversations/{w.conversation_id}").json["handover_note"]
    return [note] if note else []


def plan_field(section: str, shape: Callable[[str], Any], pick: Callable[[Any], str]) -> tuple[Any, Any]:
    def write(w: World, value: str) -> Outcome:
        return w.put_plan({section: shape(value)})

    def read(w: World) -> list[str]:
        content = w.plan()["sections"][section]
        return [pick(content)] if content else []

    return write, read


def write_plan_note(w: World, value: str) -> Outcome:
    return w.put_plan({"self_help": [f"Punkt {w.next()}"]}, note=value)


def read_plan_notes(w: World) -> list[str]:
    versions = w.mona.get(w.plan_url + "/versions").json
    return [v["note"] for v in sorted(versions, key=lambda v: v["number"]) if v["note"]]


def write_proposal(w: World, value: str, *, item: str | None = None) -> Outcome:
    body = {
        "base_version": w.plan()["version"],
        "sections": {"self_help": [item if item is not None else f"Forslag {w.next()}"]},
        "note": value if item is None else "",
    }
    return http(w.kari.post(w.plan_url + "/proposals", json=body))


def write_agreed_in_meeting(w: World, value: str) -> Outcome:
    from nattlys.accounts.models import User

    w.db.refresh(w.plan_row)
    kari = w.db.get(User, w.kari_id)
    proposal = w.factories.crisis_proposal(w.plan_row, kari, {"self_help": [f"Avtalt {w.next()}"]})
    body = {"base_version": w.plan_row.current_version, "note": value}
    return http(w.kari.post(w.plan_url + f"/proposals/{proposal.id}/agree-in-meeting", json=body))


def write_checkin(w: World, value: str) -> Outcome:
    body = {
        "idempotency_key": uuid.uuid4().hex,
        "pressure": 2,
        "mood": 4,
        "sleep": "good",
        "self_harm_urge": "none",
        "suicidal_thoughts": "none",
        "note": value,
    }
    return http(w.mona.post("/api/checkins", json=body))


def read_checkin_notes(w: World) -> list[str]:
    items = w.mona.get(f"/api/patients/{w.mona_id}/checkins?days=7").json["items"]
    return [c["note"] for c in reversed(items) if c["note"]]


@dataclass(frozen=True)
class Field:
    id: str
    limit: int
    loc: tuple[str, ...] | None  # where a refusal points; None: a socket ack carries a code only
    rule: Callable[[str], str]
    write: Callable[[World, str], Outcome]
    read: Callable[[World], list[str]]


def _item(section: str, limit: int) -> Field:
    write, read = plan_field(section, lambda v: [v], lambda items: items[-1])
    return Field(f"plan.{section}[]", limit, ("sections", section, "0"), text_rule, write, read)


def _text(section: str) -> Field:
    write, read = plan_field(section, lambda v: v, lambda text: text)
    return Field(f"plan.{section}", 4000, ("sections", section), text_rule, write, read)


def _nested(section: str, key: str, limit: int, base: dict[str, Any], many: bool) -> Field:
    def shape(value: str) -> Any:
        entry = {**base, key: value}
        return [entry] if many else entry

    def pick(content: Any) -> str:
        return (content[-1] if many else content)[key]

    write, read = plan_field(section, shape, pick)
    loc = ("sections", section, "0", key) if many else ("sections", section, key)
    return Field(f"plan.{section}.{key}", limit, loc, text_rule, write, read)


FIELDS = [
    Field(
        "user.display_name (create)",
        80,
        ("display_name",),
        name_rule,
        write_user,
        lambda w: _users(w, "hostile"),
    ),
    Field("user.display_name (rename)", 80, ("display_name",), name_rule, rename_mona, mona_as_kari_sees_her),
    Field(
        "patient.display_name (create)",
        80,
        ("display_name",),
        name_rule,
        write_patient,
        lambda w: _users(w, "hostilep"),
    ),
    Field("team.name (create)", 120, ("name",), name_rule, write_team, lambda w: _team_names(w)[1:]),
    Field("team.name (rename)", 120, ("name",), name_rule, rename_team, lambda w: _team_names(w)),
    Field("rotation.name", 80, ("rotations", "0", "name"), name_rule, write_rotation, read_rotation),
    Field("override.note", 500, ("note",), lambda v: v, write_override, read_overrides),
    Field(
        "chat.body (patient, HTTP)",
        4000,
        ("body",),
        text_rule,
        patient_http_message,
        read_messages_as_supporter,
    ),
    Field(
        "chat.body (patient, socket)",
        4000,
        None,
        text_rule,
        patient_socket_message,
        read_messages_as_supporter,
    ),
    Field(
        "chat.body (supporter, HTTP)", 4000, ("body",), text_rule, supporter_message, read_messages_as_patient
    ),
    Field("chat.handover_note (HTTP)", 1000, ("note",), text_rule, handover_http, read_handover_note),
    Field("chat.handover_note (socket)", 1000, None, text_rule, handover_socket, read_handover_note),
    Field(
        "chat.handover_note (asked before the shift ends)",
        1000,
        ("note",),
        text_rule,
        handover_note_http,
        read_own_handover_note,
    ),
    _item("warning_signs", 300),
    _item("self_help", 300),
    _item("people_places", 300),
    _item("reasons_to_live", 300),
    _text("safe_surroundings"),
    _text("alternatives_to_admission"),
    _nested("contacts", "name", 100, {"phone": "400 00 000"}, many=True),
    _nested("contacts", "relation", 100, {"name": "Eva"}, many=True),
    _nested("professionals", "name", 100, {}, many=True),
    _nested("professionals", "service", 120, {}, many=True),
    _nested("professionals", "hours", 200, {"name": "Fastlegen"}, many=True),
    _nested("meeting", "wants", 4000, {}, many=False),
    _nested("meeting", "does_not_help", 4000, {}, many=False),
    _nested("self_referral", "with_whom", 200, {"has_agreement": True}, many=False),
    _nested("self_referral", "how_to_ask", 1000, {"has_agreement": True}, many=False),
    _nested("who_does_what", "who", 100, {"role": "bolig", "does": "Ringer"}, many=True),
    _nested("who_does_what", "does", 1000, {"role": "bolig"}, many=True),
    Field("plan.note", 500, ("note",), text_rule, write_plan_note, read_plan_notes),
    Field(
        "proposal.note",
        500,
        ("note",),
        text_rule,
        write_proposal,
        lambda w: [p["note"] for p in w.proposals() if p["note"]],
    ),
    Field(
        "proposal.sections.self_help[]",
        300,
        ("sections", "self_help", "0"),
        text_rule,
        lambda w, v: write_proposal(w, "", item=v),
        lambda w: [p["sections"]["self_help"][0] for p in w.proposals()],
    ),
    Field(
        "proposal.decision_note (agreed in meeting)",
        500,
        ("note",),
        text_rule,
        write_agreed_in_meeting,
        lambda w: [p["decision_note"] for p in w.proposals() if p["decision_note"]],
    ),
    Field("checkin.note", 1000, ("note",), text_rule, write_checkin, read_checkin_notes),
]


@pytest.fixture
def app(make_app: Any) -> Flask:
    # Each field takes some twenty messages in the same frozen minute.
    return make_app(CHAT_MESSAGES_PER_MINUTE=1000)


@pytest.fixture
def world(app: Flask, auth: Any, factories: Any, db: Any, socket_client: Any, clock: Any) -> World:
    clock.set(datetime(2026, 11, 25, 20, 0, tzinfo=OSLO))
    return World(app, auth, factories, db, socket_client)


def _refusal_names(outcome: Outcome, field: Field) -> None:
    assert not outcome.ok, f"{field.id}: accepted"
    if outcome.status is not None:
        assert outcome.status in (400, 422), outcome
    assert outcome.error.get("error") and outcome.error.get("message"), outcome.error
    if field.loc is not None:
        locs = [tuple(f["loc"]) for f in outcome.error.get("fields") or []]
        assert field.loc in locs, f"{field.id}: the error does not name the field: {outcome.error}"


@pytest.mark.parametrize("field", FIELDS, ids=[f.id for f in FIELDS])
def test_hostile_text_is_stored_as_sent_and_unstorable_text_is_refused(world: World, field: Field) -> None:
    for name, value in ALLOWED.items():
        outcome = field.write(world, value)
        assert outcome.ok, f"{field.id} refused {name}: {outcome}"
        stored = field.read(world)
        assert stored, f"{field.id}: {name} not found after saving"
        assert stored[-1].encode() == field.rule(value).encode(), (
            f"{field.id}: {name} came back as {stored[-1]!r}"
        )
    for name, value in REFUSED.items():
        before = field.read(world)
        outcome = field.write(world, value)
        _refusal_names(outcome, field)
        if field.loc is None:
            assert outcome.error["error"] == "invalid_input", outcome.error
        assert field.read(world) == before, f"{field.id}: {name} was partly saved"


@pytest.mark.parametrize("field", FIELDS, ids=[f.id for f in FIELDS])
def test_text_at_the_limit_fits_and_one_more_is_refused(world: World, field: Field) -> None:
    # Four-byte characters: limits count characters, not bytes (nor UTF-16 units).
    at_limit = "𝄞" * field.limit
    outcome = field.write(world, at_limit)
    assert outcome.ok, f"{field.id}: {field.limit} characters refused: {outcome}"
    assert field.read(world)[-1] == at_limit
    before = field.read(world)
    outcome = field.write(world, "x" * (field.limit + 1))
    _refusal_names(outcome, field)
    assert field.read(world) == before, f"{field.id}: an over-long value was saved"


def test_invalid_utf8_in_the_body_is_a_clear_400(world: World) -> None:
    before = read_messages_as_patient(world)
    response = world.mona.post(
        "/api/chat/messages",
        data=b'{"client_id": "abcdefgh12", "body": "\xff\xfe"}',
        content_type="application/json",
    )
    assert response.status_code == 400 and response.json["error"] == "malformed_json", response.json
    assert read_messages_as_patient(world) == before


def test_a_nul_in_a_query_string_is_a_clear_400(world: World) -> None:
    response = world.admin.get(f"/api/teams/{world.team_id}/overrides?start=2026-11-30%00")
    assert response.status_code == 400 and response.json["error"] == "invalid_input", response.json


TWO_MEGABYTES = "x" * (2 * 1024 * 1024)


@pytest.mark.parametrize(
    ("who", "method", "path", "body"),
    [
        (None, "POST", "/api/auth/login", {"username": "mona", "password": TWO_MEGABYTES}),
        ("mona", "POST", "/api/chat/messages", {"client_id": "abcdefgh12", "body": TWO_MEGABYTES}),
        (
            "mona",
            "PUT",
            "/crisis-plan",
            {"base_version": 1, "sections": {"safe_surroundings": TWO_MEGABYTES}},
        ),
        ("admin", "POST", "/api/teams", {"name": TWO_MEGABYTES, "kind": "bolig"}),
    ],
    ids=["login", "chat", "plan", "team"],
)
def test_a_body_far_over_the_size_limit_is_413(
    world: World, app: Flask, who: str | None, method: str, path: str, body: dict[str, Any]
) -> None:
    client: Any = getattr(world, who) if who else app.test_client()
    if path == "/crisis-plan":
        path = world.plan_url
    before = (read_messages_as_patient(world), world.plan()["version"], _team_names(world))
    response = client.open(path, method=method, data=json.dumps(body), content_type="application/json")
    assert response.status_code == 413, response.status_code
    assert response.json["error"] == "too_large", response.json
    assert (read_messages_as_patient(world), world.plan()["version"], _team_names(world)) == before


BLANK_NAME_WRITES: dict[str, tuple[Callable[[World, str], Outcome], tuple[str, ...]]] = {
    "user.display_name (create)": (write_user, ("display_name",)),
    "user.display_name (rename)": (rename_mona, ("display_name",)),
    "patient.display_name (create)": (write_patient, ("display_name",)),
    "team.name (create)": (write_team, ("name",)),
    "team.name (rename)": (rename_team, ("name",)),
    "rotation.name": (write_rotation, ("rotations", "0", "name")),
}


@pytest.mark.parametrize("write", BLANK_NAME_WRITES, ids=list(BLANK_NAME_WRITES))
@pytest.mark.parametrize(
    "blank", ["   ", "\r\n\t", "\u00a0\u2003"], ids=["spaces", "crlf_tab", "nbsp_emspace"]
)
def test_a_name_of_only_whitespace_is_refused(world: World, write: str, blank: str) -> None:
    """Names are whitespace-collapsed before they are stored: one that
    collapses to nothing is refused, not saved as an empty name that every
    later listing would choke on."""
    action, loc = BLANK_NAME_WRITES[write]
    before = (_users(world, ""), _team_names(world), read_rotation(world))
    outcome = action(world, blank)
    assert not outcome.ok and outcome.status == 400, outcome
    assert loc in [tuple(f["loc"]) for f in outcome.error["fields"]], outcome.error
    assert (_users(world, ""), _team_names(world), read_rotation(world)) == before
