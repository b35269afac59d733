"""Audit completeness: every route and Socket.IO event that reads or writes a
patient's data leaves exactly the audit rows it should (who, what, which
patient, when), a refused call leaves none, and no row ever holds clinical text.

A route added to the authorization matrix without an entry in AUDITED or
NOT_AUDITED fails `test_every_route_is_decided`, so nobody ships an endpoint
whose auditing was never thought about.
"""

# The matrix's `world` fixture is imported; test arguments of that name use it.
# ruff: noqa: F811

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlmodel import Session, col, func, select

from nattlys.audit.models import AuditEntry
from nattlys.realtime.connections import socketio
from tests.authorization_world import (
    CALLER_USER,
    MATRIX,
    World,
    api_routes,
    resolve,
    world,  # noqa: F401  (the fixture, reused as is)
)
from tests.conftest import MovableClock

# (action, the World attribute of the patient it points to, or "created"), and
# when the actor is not the caller a third element: a World attribute, or SYSTEM
# for the server's own routing decisions.
Row = tuple[str, ...]
SYSTEM = "system"
NO_PATIENT = "no_patient"  # a row about no patient (e.g. the invitation of her next of kin's own account)
LOGIN_ACTIONS = ("auth.login", "auth.new_device", "auth.factor_added")  # a first login sets up TOTP


class Ctx:
    """Logged-in clients for the people of the matrix world, made once each."""

    def __init__(self, world: World, auth: Any) -> None:
        self.world = world
        self.auth = auth
        self._clients: dict[str, Any] = {}

    def as_(self, who: str) -> Any:
        if who not in self._clients:
            self._clients[who] = self.auth.client_for(getattr(self.world, who).username)
        return self._clients[who]


Prepare = Callable[[Ctx], dict[str, Any]]


@dataclass(frozen=True)
class Audited:
    rows: tuple[Row, ...]
    caller: str = "supporter_in_circle"
    actor: str | None = None  # World attribute of the actor when it is not the caller
    prepare: Prepare | None = None  # arranges the world; returns body fields to override
    status: int | None = None  # when `prepare` makes the matrix's answer a different one


# --- arranging what some calls need ---------------------------------------------------


def _patient_wrote(ctx: Ctx) -> dict[str, Any]:
    sent = ctx.as_("patient").post("/api/chat/messages", json={"client_id": "audit-prep", "body": "Hei"})
    assert sent.status_code == 201, sent.json
    return {"upto_id": sent.json["id"]}


def _offered_to_supporter(ctx: Ctx) -> dict[str, Any]:
    """The holder closes; the patient writes again, so it is offered anew."""
    conv = ctx.world.conversation.id
    assert ctx.as_("supporter_in").post(f"/api/chat/conversations/{conv}/close").status_code == 204
    _patient_wrote(ctx)
    return {}


def _plan_version_2(ctx: Ctx) -> dict[str, Any]:
    path = f"/api/patients/{ctx.world.patient.id}/crisis-plan"
    edited = ctx.as_("patient").put(path, json={"base_version": 1, "sections": {"self_help": ["Ringe Per"]}})
    assert edited.status_code == 200, edited.json
    return {"base_version": 2}


def _invitation_token(ctx: Ctx) -> dict[str, Any]:
    """A new link for the patient, which she confirms on her phone (she has a password)."""
    issued = ctx.as_("admin").post(f"/api/users/{ctx.world.patient.id}/invitation")
    assert issued.status_code == 201, issued.json
    phone = ctx.as_("patient")
    (waiting,) = phone.get("/api/me/reenrolments").json
    assert phone.post(f"/api/me/reenrolments/{waiting['id']}/confirm").status_code == 204
    return {"token": issued.json["url"].rsplit("/", 1)[1]}


def _as_patient_account(ctx: Ctx) -> dict[str, Any]:
    return {"role": "patient"}


def _nobody_on_duty_for_other(ctx: Ctx) -> dict[str, Any]:
    """The other patient's circle has no roster: their message is a coverage gap."""
    sent = ctx.as_("other_patient").post(
        "/api/chat/messages", json={"client_id": "gap-0001", "body": "Hallo?"}
    )
    assert sent.status_code == 201, sent.json
    return {}


def _someone_read_the_profile(ctx: Ctx) -> dict[str, Any]:
    assert ctx.as_("supporter_in").get(f"/api/patients/{ctx.world.patient.id}").status_code == 200
    return {}


def _deletion_requested(ctx: Ctx) -> dict[str, Any]:
    assert ctx.as_("patient").post("/api/me/deletion", json={"confirm": True}).status_code == 201
    return {}


def one(action: str, patient: str = "patient") -> tuple[Row, ...]:
    return ((action, patient),)


# The patient writes to the conversation supporter_in holds: the message goes
# live to supporter_in, who is recorded as having got it.
WRITE_AND_DELIVER = (("chat.write", "patient"), ("chat.deliver", "patient", "supporter_in"))
# Handing over to a tier: the supporter's action, the server's routing decision,
# and tonight's check-in carried by the live offer to the tier (supporter_in, on
# duty round the clock, is in it).
HANDOVER_TO_TIER = (
    ("chat.handover", "patient"),
    ("checkin.read", "patient", "supporter_in"),
    ("route.handover", "patient", SYSTEM),
)

# (method, rule) -> the rows a call by the allowed caller must add.
AUDITED: dict[tuple[str, str], Audited] = {
    # Accounts and invitations
    ("DELETE", "/api/me/passkeys/<int:passkey_id>"): Audited(one("passkey.remove"), caller="patient_self"),
    ("GET", "/api/users"): Audited(
        (("patient.list", "patient"), ("patient.list", "other_patient")), caller="admin"
    ),
    ("POST", "/api/users"): Audited(
        (("user.create", "created"), ("invitation.issue", "created")),
        caller="admin",
        prepare=_as_patient_account,
    ),
    ("PATCH", "/api/users/<int:user_id>"): Audited(one("user.update"), caller="admin"),
    # Disabling a patient by two administrators: each step is in her "who has seen my data".
    ("POST", "/api/users/<int:user_id>/disable-request"): Audited(
        one("user.disable_request"), caller="admin"
    ),
    ("POST", "/api/disable-requests/<int:request_id>/approve"): Audited(
        one("user.disable_approve", "other_patient"), caller="admin"
    ),
    ("POST", "/api/disable-requests/<int:request_id>/decline"): Audited(
        one("user.disable_decline", "other_patient"), caller="admin"
    ),
    ("POST", "/api/users/<int:user_id>/invitation"): Audited(one("invitation.issue")),
    ("POST", "/api/invitations/accept"): Audited(
        one("invitation.accept"),
        caller="anonymous",
        actor="patient",
        prepare=_invitation_token,
        status=200,
    ),
    # Profiles and care circles
    ("GET", "/api/patients"): Audited(one("patient.list")),
    ("POST", "/api/patients"): Audited(
        (("user.create", "created"), ("care_circle.update", "created"), ("invitation.issue", "created"))
    ),
    ("GET", "/api/patients/<int:patient_id>"): Audited(one("patient.read")),
    ("GET", "/api/patients/<int:patient_id>/care-circle"): Audited(one("care_circle.read")),
    ("PUT", "/api/patients/<int:patient_id>/care-circle"): Audited(one("care_circle.update"), caller="admin"),
    ("GET", "/api/patients/<int:patient_id>/on-duty"): Audited(one("on_duty.read")),
    ("GET", "/api/patients/on-duty"): Audited(one("on_duty.read")),
    ("GET", "/api/coverage"): Audited(
        (("coverage.read", "patient"), ("coverage.read", "other_patient")), caller="admin"
    ),
    ("GET", "/api/coverage/nights"): Audited(
        (("coverage.read", "patient"), ("coverage.read", "other_patient")), caller="admin"
    ),
    ("GET", "/api/coverage/by-night"): Audited(
        (("coverage.read", "patient"), ("coverage.read", "other_patient")), caller="admin"
    ),
    ("GET", "/api/audit"): Audited(one("audit.read"), caller="admin", prepare=_someone_read_the_profile),
    # The patient's rights
    ("POST", "/api/me/export"): Audited(one("patient.export"), caller="patient_self"),
    ("POST", "/api/me/deletion"): Audited(one("patient.deletion_request"), caller="patient_self"),
    ("DELETE", "/api/me/deletion"): Audited(
        one("patient.deletion_withdraw"), caller="patient_self", prepare=_deletion_requested
    ),
    # Chat
    ("POST", "/api/chat/messages"): Audited(WRITE_AND_DELIVER, caller="patient_self"),
    ("GET", "/api/chat/inbox"): Audited(one("chat.inbox")),
    # With tonight's check-in beside the messages (why it may be urgent).
    ("GET", "/api/chat/conversations/<int:conversation_id>"): Audited(
        (("chat.read", "patient"), ("checkin.read", "patient"))
    ),
    ("POST", "/api/chat/conversations/<int:conversation_id>/messages"): Audited(one("chat.write")),
    ("POST", "/api/chat/conversations/<int:conversation_id>/take"): Audited(
        one("chat.take"), prepare=_offered_to_supporter
    ),
    ("POST", "/api/chat/conversations/<int:conversation_id>/handover"): Audited(HANDOVER_TO_TIER),
    ("PUT", "/api/chat/conversations/<int:conversation_id>/handover-note"): Audited(
        one("chat.handover_note")
    ),
    ("POST", "/api/chat/conversations/<int:conversation_id>/close"): Audited(one("chat.close")),
    ("POST", "/api/chat/conversations/<int:conversation_id>/read"): Audited(
        one("chat.mark_read"), prepare=_patient_wrote
    ),
    ("POST", "/api/chat/conversations/<int:conversation_id>/delivered"): Audited(
        one("chat.mark_delivered"), prepare=_patient_wrote
    ),
    ("GET", "/api/chat/gaps"): Audited(
        one("chat.gaps_read", "other_patient"), caller="admin", prepare=_nobody_on_duty_for_other
    ),
    ("GET", "/api/alerts/open"): Audited(one("alert.list")),
    ("POST", "/api/alerts/<int:alert_id>/ack"): Audited(one("alert.acknowledge")),
    ("GET", "/api/gaps"): Audited(
        one("gaps.read", "other_patient"), caller="admin", prepare=_nobody_on_duty_for_other
    ),
    # Check-ins and discharges
    ("POST", "/api/checkins"): Audited(one("checkin.write"), caller="patient_self"),
    # Next of kin: her choices, and every read or signal of theirs under her name
    # (so "who has seen my data" shows them).
    ("POST", "/api/patients/<int:patient_id>/next-of-kin"): Audited(
        (("next_of_kin.invite", "patient"), ("invitation.issue", NO_PATIENT)), caller="patient_self"
    ),
    ("PUT", "/api/patients/<int:patient_id>/next-of-kin/<int:consent_id>"): Audited(
        one("next_of_kin.change"), caller="patient_self"
    ),
    ("POST", "/api/patients/<int:patient_id>/next-of-kin/<int:consent_id>/withdraw"): Audited(
        one("next_of_kin.withdraw"), caller="patient_self"
    ),
    ("GET", "/api/next-of-kin/home"): Audited(one("next_of_kin.home"), caller="next_of_kin"),
    ("GET", "/api/patients/<int:patient_id>/next-of-kin/plan"): Audited(
        one("next_of_kin.plan_read"), caller="next_of_kin"
    ),
    ("POST", "/api/patients/<int:patient_id>/next-of-kin/worry"): Audited(
        one("next_of_kin.worry"), caller="next_of_kin"
    ),
    ("GET", "/api/checkins/tonight"): Audited(one("checkin.read")),
    ("GET", "/api/checkins/recently-discharged"): Audited(one("checkin.read")),
    ("GET", "/api/patients/<int:patient_id>/checkins"): Audited(one("checkin.read")),
    ("GET", "/api/patients/<int:patient_id>/checkin-schedule"): Audited(one("checkin_schedule.read")),
    ("PUT", "/api/patients/<int:patient_id>/checkin-schedule"): Audited(one("checkin_schedule.write")),
    ("POST", "/api/patients/<int:patient_id>/discharges"): Audited(one("discharge.write")),
    ("POST", "/api/patients/<int:patient_id>/discharges/contact"): Audited(one("discharge.contact")),
    ("POST", "/api/patients/<int:patient_id>/night-outcomes"): Audited(one("outcome.write")),
    # Crisis plans
    ("GET", "/api/patients/<int:patient_id>/crisis-plan"): Audited(one("crisis_plan.read")),
    ("PUT", "/api/patients/<int:patient_id>/crisis-plan"): Audited(
        one("crisis_plan.edit"), caller="patient_self"
    ),
    ("PUT", "/api/patients/<int:patient_id>/crisis-plan/sharing"): Audited(
        one("crisis_plan.sharing"), caller="patient_self"
    ),
    ("POST", "/api/patients/<int:patient_id>/crisis-plan/versions/<int:number>/restore"): Audited(
        one("crisis_plan.restore"), caller="patient_self", prepare=_plan_version_2
    ),
    ("GET", "/api/patients/<int:patient_id>/crisis-plan/proposals"): Audited(
        one("crisis_plan.proposals_read")
    ),
    ("POST", "/api/patients/<int:patient_id>/crisis-plan/proposals"): Audited(one("crisis_plan.propose")),
    ("POST", "/api/patients/<int:patient_id>/crisis-plan/proposals/<int:proposal_id>/approve"): Audited(
        one("crisis_plan.proposal_approve"), caller="patient_self"
    ),
    ("POST", "/api/patients/<int:patient_id>/crisis-plan/proposals/<int:proposal_id>/reject"): Audited(
        one("crisis_plan.proposal_reject"), caller="patient_self"
    ),
    (
        "POST",
        "/api/patients/<int:patient_id>/crisis-plan/proposals/<int:proposal_id>/agree-in-meeting",
    ): Audited(one("crisis_plan.agreed_in_meeting")),
    ("POST", "/api/patients/<int:patient_id>/crisis-plan/proposals/<int:proposal_id>/co-sign"): Audited(
        one("crisis_plan.co_sign"), caller="supporter_in_circle_off_duty"
    ),
    # Break-glass
    ("POST", "/api/patients/<int:patient_id>/break-glass"): Audited(
        one("break_glass.open"), caller="supporter_in_circle_off_duty"
    ),
    ("GET", "/api/break-glass"): Audited(one("break_glass.list"), caller="admin"),
    ("POST", "/api/break-glass/<int:opening_id>/review"): Audited(one("break_glass.review"), caller="admin"),
}

# Routes that touch no patient's data, or only the patient's own reads of it
# ("own": by design not recorded, see test_audit.py), with why in one word.
NOT_AUDITED: dict[tuple[str, str], str] = {
    ("GET", "/api/openapi.json"): "public",
    ("GET", "/healthz"): "probe",
    ("GET", "/readyz"): "probe",
    ("POST", "/api/auth/login"): "credentials",
    ("POST", "/api/auth/logout"): "session",
    ("GET", "/api/auth/session"): "session",
    ("POST", "/api/invitations/lookup"): "credentials",
    ("GET", "/api/teams"): "staff",
    ("POST", "/api/teams"): "staff",
    ("PATCH", "/api/teams/<int:team_id>"): "staff",
    ("PUT", "/api/teams/<int:team_id>/members"): "staff",
    ("GET", "/api/me/audit"): "own",
    ("GET", "/api/me/deletion"): "own",
    ("GET", "/api/me/break-glass"): "own",
    ("GET", "/api/auth/methods"): "public",
    ("POST", "/api/auth/eid/<provider>/start"): "credentials",
    ("GET", "/api/auth/eid/callback"): "credentials",
    ("POST", "/api/auth/eid/logout"): "session",
    ("POST", "/api/auth/passkey/options"): "credentials",
    ("POST", "/api/auth/passkey/login"): "credentials",
    ("GET", "/api/me/passkeys"): "own",
    ("POST", "/api/me/passkeys/options"): "own",
    ("POST", "/api/me/passkeys"): "credentials",
    ("GET", "/api/teams/<int:team_id>/roster"): "roster",
    ("POST", "/api/teams/<int:team_id>/roster/draft"): "roster",
    ("PUT", "/api/teams/<int:team_id>/roster/draft"): "roster",
    ("DELETE", "/api/teams/<int:team_id>/roster/draft"): "roster",
    ("POST", "/api/teams/<int:team_id>/roster/publish"): "roster",
    ("GET", "/api/teams/<int:team_id>/overrides"): "roster",
    ("POST", "/api/teams/<int:team_id>/overrides"): "roster",
    ("DELETE", "/api/teams/<int:team_id>/overrides/<int:override_id>"): "roster",
    ("GET", "/api/teams/<int:team_id>/on-duty"): "roster",
    ("GET", "/api/teams/<int:team_id>/shifts"): "roster",
    ("GET", "/api/on-duty"): "roster",
    ("GET", "/api/me/shifts"): "roster",
    ("POST", "/api/me/calendar-feed"): "roster",
    ("GET", "/api/me/calendar-feed"): "roster",
    ("DELETE", "/api/me/calendar-feed"): "roster",
    ("GET", "/calendar/<token>.ics"): "roster",
    ("GET", "/api/chat/conversation"): "own",
    ("GET", "/api/checkins/state"): "own",
    ("GET", "/api/alerts/me"): "own",
    ("GET", "/api/duty/reachability"): "roster",
    ("GET", "/api/duty/me"): "roster",
    ("GET", "/api/patients/<int:patient_id>/crisis-plan/versions"): "own",
    ("GET", "/api/patients/<int:patient_id>/crisis-plan/versions/<int:number>"): "own",
    ("GET", "/api/push/key"): "device",
    ("POST", "/api/push/subscriptions"): "device",
    ("DELETE", "/api/push/subscriptions"): "device",
    # One's own account: these write account events (auth.*), shown to the
    # account holder; tests/test_auth_events.py checks them.
    ("POST", "/api/auth/second-factor/enrol"): "credentials",
    ("POST", "/api/auth/second-factor/verify"): "credentials",
    ("POST", "/api/me/password"): "account",
    ("GET", "/api/me/sessions"): "account",
    ("DELETE", "/api/me/sessions/<handle>"): "account",
    ("GET", "/api/me/account-events"): "own",
    ("GET", "/api/me/reenrolments"): "account",
    ("POST", "/api/me/reenrolments/<int:invitation_id>/confirm"): "account",
    ("POST", "/api/me/reenrolments/<int:invitation_id>/decline"): "account",
    ("GET", "/api/reenrolments"): "account",
    ("POST", "/api/reenrolments/<int:invitation_id>/approve"): "account",
    ("GET", "/api/second-factor-resets"): "staff",
    ("POST", "/api/users/<int:user_id>/second-factor/reset"): "staff",
    ("POST", "/api/second-factor-resets/<int:reset_id>/approve"): "staff",
    ("GET", "/api/disable-requests"): "account",
    # Aggregates of no one patient; each read is audited without a patient (tests/test_outcomes.py).
    ("GET", "/api/outcomes"): "aggregates",
    ("GET", "/api/outcomes.csv"): "aggregates",
    # The patient reads her own list of next of kin.
    ("GET", "/api/patients/<int:patient_id>/next-of-kin"): "own",
}


# --- reading the log ------------------------------------------------------------------


def _last_id(db: Session) -> int:
    last = db.exec(select(func.max(AuditEntry.id))).one()
    db.commit()  # end the read (SQLite: it holds the write lock)
    return int(last or 0)


def _rows_after(db: Session, last_id: int) -> list[AuditEntry]:
    """Rows since `last_id`, without the logins of the clients made meanwhile."""
    rows = list(
        db.exec(
            select(AuditEntry)
            .where(col(AuditEntry.id) > last_id, col(AuditEntry.action).not_in(LOGIN_ACTIONS))
            .order_by(col(AuditEntry.id))
            .execution_options(populate_existing=True)
        ).all()
    )
    db.commit()
    return rows


def _created_patient_id(body: Any) -> int:
    return int((body.get("patient") or body["user"])["id"])


def _expected(
    rows: tuple[Row, ...], *, world: World, actor_id: int | None, at: Any, body: Any
) -> list[tuple[Any, ...]]:
    def patient_id(ref: str) -> int | None:
        if ref == NO_PATIENT:
            return None
        return _created_patient_id(body) if ref == "created" else int(getattr(world, ref).id)

    def actor(row: Row) -> int | None:
        if len(row) < 3:
            return actor_id
        return None if row[2] == SYSTEM else int(getattr(world, row[2]).id)

    return sorted((row[0], actor(row), patient_id(row[1]), at) for row in rows)


def _actual(rows: list[AuditEntry]) -> list[tuple[Any, ...]]:
    return sorted((r.action, r.actor_id, r.patient_id, r.at) for r in rows)


def _path(rule: str, params: dict[str, str], world: World) -> str:
    path = rule
    for name, ref in params.items():
        path = path.replace(f"<int:{name}>", str(resolve(ref, world))).replace(f"<{name}>", str(ref))
    return path


def _client(caller: str, ctx: Ctx, app: Flask) -> Any:
    return app.test_client() if caller == "anonymous" else ctx.as_(CALLER_USER[caller])


# --- routes ---------------------------------------------------------------------------


def test_every_route_is_decided(app: Flask) -> None:
    both = sorted(set(AUDITED) & set(NOT_AUDITED))
    assert not both, f"a route is either audited or not: {both}"
    undecided = sorted((api_routes(app) | set(MATRIX)) - set(AUDITED) - set(NOT_AUDITED))
    assert not undecided, f"say whether these routes read or write a patient's data: {undecided}"
    stale = sorted((set(AUDITED) | set(NOT_AUDITED)) - api_routes(app))
    assert not stale, f"these entries name routes that no longer exist: {stale}"
    for route, entry in AUDITED.items():
        allowed = MATRIX[route][2][entry.caller] not in (401, 403)
        assert allowed, (route, entry.caller, "is not allowed by the matrix")


@pytest.mark.parametrize("route", sorted(AUDITED), ids=lambda r: f"{r[0]} {r[1]}")
def test_route_writes_exactly_its_audit_rows(
    route: tuple[str, str], app: Flask, world: World, auth: Any, db: Session, clock: MovableClock
) -> None:
    method, rule = route
    params, body, statuses = MATRIX[route]
    entry = AUDITED[route]
    ctx = Ctx(world, auth)
    payload = resolve(body, world) if body is not None else None
    if entry.prepare is not None:
        payload = {**(payload or {}), **entry.prepare(ctx)}
    path = _path(rule, params, world)
    kwargs: dict[str, Any] = {"json": payload} if payload is not None else {}
    clock.advance(minutes=7)

    # Design: a refused call is rolled back with everything else, so it leaves no row.
    for refused_by in (c for c, status in statuses.items() if status == 403):
        before = _last_id(db)
        refused = _client(refused_by, ctx, app).open(path, method=method, **kwargs)
        assert refused.status_code == 403, (refused_by, refused.get_json(silent=True))
        assert _rows_after(db, before) == [], refused_by

    before = _last_id(db)
    response = _client(entry.caller, ctx, app).open(path, method=method, **kwargs)
    assert response.status_code == (entry.status or statuses[entry.caller]), response.get_json(silent=True)
    actor = getattr(world, entry.actor or CALLER_USER[entry.caller])
    rows = _rows_after(db, before)
    assert _actual(rows) == _expected(
        entry.rows, world=world, actor_id=actor.id, at=clock(), body=response.get_json(silent=True)
    )
    assert all(r.actor_role == str(actor.role) for r in rows if r.actor_id == actor.id)
    assert all(r.actor_role == SYSTEM for r in rows if r.actor_id is None)
    assert all(r.request_id == response.headers["X-Request-ID"] for r in rows)


OWN_READS = sorted(r for r in MATRIX if r[0] == "GET" and MATRIX[r][2]["patient_self"] == 200)


@pytest.mark.parametrize("route", OWN_READS, ids=lambda r: f"{r[0]} {r[1]}")
def test_a_patients_own_reads_write_no_row(
    route: tuple[str, str], app: Flask, world: World, auth: Any, db: Session
) -> None:
    params, _, _ = MATRIX[route]
    before = _last_id(db)
    response = Ctx(world, auth).as_("patient").get(_path(route[1], params, world))
    assert response.status_code == 200
    assert _rows_after(db, before) == []


# --- Socket.IO events -----------------------------------------------------------------


@dataclass(frozen=True)
class EventCase:
    event: str
    caller: str
    payload: dict[str, Any]
    rows: tuple[Row, ...]
    prepare: Prepare | None = None
    refused: tuple[str, ...] = ("supporter_off", "supporter_out")  # off duty, outside the circle


CONV = {"conversation_id": "conversation"}
EVENT_CASES: dict[str, EventCase] = {
    "patient sends": EventCase(
        "chat:send", "patient", {"client_id": "sock-0001", "body": "Hei"}, WRITE_AND_DELIVER, refused=()
    ),
    "supporter sends": EventCase(
        "chat:send", "supporter_in", {**CONV, "client_id": "sock-0002", "body": "Her"}, one("chat.write")
    ),
    "supporter syncs": EventCase(
        "chat:sync", "supporter_in", CONV, (("chat.read", "patient"), ("checkin.read", "patient"))
    ),
    "patient syncs (own)": EventCase("chat:sync", "patient", {}, (), refused=()),
    "supporter reads": EventCase("chat:read", "supporter_in", CONV, one("chat.mark_read"), _patient_wrote),
    "patient reads (own)": EventCase("chat:read", "patient", {}, (), _patient_wrote, refused=()),
    "supporter gets delivery": EventCase(
        "chat:delivered", "supporter_in", CONV, one("chat.mark_delivered"), _patient_wrote
    ),
    "supporter takes": EventCase("chat:take", "supporter_in", CONV, one("chat.take"), _offered_to_supporter),
    "supporter hands over": EventCase(
        "chat:handover", "supporter_in", {**CONV, "to_tier": 0, "note": "Overtar du?"}, HANDOVER_TO_TIER
    ),
    "supporter closes": EventCase("chat:close", "supporter_in", CONV, one("chat.close")),
}
NOT_AUDITED_EVENTS = {
    "connect": "session",
    "disconnect": "session",
    "chat:typing": "ephemeral",
    "*": "unknown",
}


def test_every_event_is_decided() -> None:
    import nattlys.chat.events  # noqa: F401  (registers the handlers)

    registered = {handler[0] for handler in socketio.handlers}
    decided = {c.event for c in EVENT_CASES.values()} | set(NOT_AUDITED_EVENTS)
    assert registered == decided, f"undecided: {registered - decided}, stale: {decided - registered}"


@pytest.mark.parametrize("case", sorted(EVENT_CASES))
def test_event_writes_exactly_its_audit_rows(
    case: str, world: World, auth: Any, db: Session, clock: MovableClock, socket_client: Any
) -> None:
    spec = EVENT_CASES[case]
    ctx = Ctx(world, auth)
    payload = resolve(spec.payload, world)
    if spec.prepare is not None:
        payload = {**payload, **spec.prepare(ctx)}
    clock.advance(minutes=7)

    for refused_by in spec.refused:
        before = _last_id(db)
        answer = socket_client(ctx.as_(refused_by)).emit(spec.event, payload, callback=True)
        assert answer.get("error") == "forbidden", (refused_by, answer)
        assert _rows_after(db, before) == [], refused_by

    before = _last_id(db)
    actor = getattr(world, spec.caller)
    answer = socket_client(ctx.as_(spec.caller)).emit(spec.event, payload, callback=True)
    assert "ok" in answer, answer
    assert _actual(_rows_after(db, before)) == _expected(
        spec.rows, world=world, actor_id=actor.id, at=clock(), body=None
    )


def test_a_repeated_acknowledgement_adds_no_row(
    world: World, auth: Any, db: Session, socket_client: Any
) -> None:
    ctx = Ctx(world, auth)
    upto = _patient_wrote(ctx)["upto_id"]
    sio = socket_client(ctx.as_("supporter_in"))
    for event in ("chat:delivered", "chat:read"):
        mark = {"conversation_id": world.conversation.id, "upto_id": upto}
        assert "ok" in sio.emit(event, mark, callback=True)
        before = _last_id(db)
        assert "ok" in sio.emit(event, mark, callback=True)
        assert _rows_after(db, before) == [], event


# --- no clinical content in the log -------------------------------------------------


def test_audit_rows_never_hold_clinical_text(
    world: World, auth: Any, db: Session, socket_client: Any
) -> None:
    marker = "MARKER-7f3a9c-klinisk"
    ctx = Ctx(world, auth)
    pid, conv = world.patient.id, world.conversation.id
    plan = f"/api/patients/{pid}/crisis-plan"
    calls: list[tuple[str, str, str, dict[str, Any]]] = [
        ("patient", "POST", "/api/chat/messages", {"client_id": "mark-0001", "body": marker}),
        (
            "supporter_in",
            "POST",
            f"/api/chat/conversations/{conv}/messages",
            {"client_id": "mark-0002", "body": marker},
        ),
        ("patient", "PUT", plan, {"base_version": 1, "sections": {"self_help": [marker]}, "note": marker}),
        (
            "supporter_in",
            "POST",
            f"{plan}/proposals",
            {"base_version": 2, "sections": {"warning_signs": [marker]}, "note": marker},
        ),
        (
            "supporter_in",
            "POST",
            f"{plan}/proposals/{world.proposal.id}/agree-in-meeting",
            {"base_version": 2, "note": marker},
        ),
        ("supporter_in", "PUT", f"/api/chat/conversations/{conv}/handover-note", {"note": marker}),
        ("supporter_in", "POST", f"/api/chat/conversations/{conv}/handover", {"to_tier": 0, "note": marker}),
        (
            "patient",
            "POST",
            "/api/checkins",
            {**MATRIX[("POST", "/api/checkins")][1], "note": marker, "wants_contact": True},
        ),
    ]
    before = _last_id(db)
    for who, method, path, body in calls:
        response = ctx.as_(who).open(path, method=method, json=body)
        assert response.status_code in (200, 201, 204), (path, response.get_json(silent=True))
    answer = socket_client(ctx.as_("patient")).emit(
        "chat:send", {"client_id": "mark-0003", "body": marker}, callback=True
    )
    assert "ok" in answer, answer

    rows = _rows_after(db, before)
    assert len(rows) >= len(calls) + 1  # every call above is audited
    for row in rows:
        for column in AuditEntry.model_fields:
            assert marker not in str(getattr(row, column)), (row.action, column)


# --- what the patient sees ----------------------------------------------------------


def test_the_patient_sees_a_supporters_read_of_the_plan(world: World, auth: Any, clock: MovableClock) -> None:
    ctx = Ctx(world, auth)
    clock.advance(minutes=3)
    assert ctx.as_("supporter_in").get(f"/api/patients/{world.patient.id}/crisis-plan").status_code == 200
    seen = ctx.as_("patient").get("/api/me/audit")
    assert seen.status_code == 200
    (read,) = [e for e in seen.json if e["action"] == "crisis_plan.read"]
    assert read["actor_id"] == world.supporter_in.id
    assert read["actor_name"] == world.supporter_in.display_name
    assert read["actor_team_kinds"] == ["bolig"]
    assert read["patient_id"] == world.patient.id
    assert read["at"].replace("Z", "+00:00") == clock().isoformat()
    # The other patient does not see it.
    assert ctx.as_("other_patient").get("/api/me/audit").json == []


# Routing decisions a supporter makes by hand have rows of their own (chat.take, chat.close).
SUPPORTERS_DECISIONS = {"take", "close"}


def _routing_actions() -> set[str]:
    """Every routing decision the chat code can record becomes a "route.*" row."""
    chat = Path(__file__).resolve().parents[1] / "nattlys" / "chat"
    found = {
        m for f in chat.glob("*.py") for m in re.findall(r'action="(\w+)"', f.read_text(encoding="utf-8"))
    }
    return {f"route.{a}" for a in found - SUPPORTERS_DECISIONS}


def test_every_audited_action_has_words_for_the_patient_and_the_admin() -> None:
    actions = {r[0] for e in AUDITED.values() for r in e.rows} | {
        r[0] for c in EVENT_CASES.values() for r in c.rows
    }
    actions |= _routing_actions()
    assert "route.no_one_on_duty" in actions
    i18n = Path(__file__).resolve().parents[1] / "pwa" / "app" / "i18n"
    for language in ("nb", "en"):
        words = json.loads((i18n / f"{language}.json").read_text(encoding="utf-8"))["audit"]
        for group in ("patient_actions", "admin_actions"):
            missing = sorted(a for a in actions if a.replace(".", "_") not in words[group])
            assert not missing, f"{language}.json audit.{group} lacks {missing}"


# --- live deliveries and routing decisions ------------------------------------------


def test_a_live_delivery_and_the_routing_are_recorded_and_shown_in_plain_words(
    world: World, auth: Any, db: Session, clock: MovableClock, socket_client: Any
) -> None:
    """The patient writes after the holder closed: the server offers it to the
    bolig team on duty and sends it live to supporter_in, who has not taken it.
    Both are rows, and the patient reads where her message went."""
    ctx = Ctx(world, auth)
    conv = world.conversation.id
    assert ctx.as_("supporter_in").post(f"/api/chat/conversations/{conv}/close").status_code == 204
    live = socket_client(ctx.as_("supporter_in"))
    live.get_received()
    clock.advance(minutes=7)
    before = _last_id(db)
    _patient_wrote(ctx)
    assert any(m["name"] == "chat:message" for m in live.get_received())

    rows = _rows_after(db, before)
    assert _actual(rows) == _expected(
        (
            ("chat.write", "patient"),
            ("checkin.read", "patient", "supporter_in"),  # the offer carries tonight's check-in
            ("route.offer", "patient", SYSTEM),
            ("chat.deliver", "patient", "supporter_in"),
        ),
        world=world,
        actor_id=world.patient.id,
        at=clock(),
        body=None,
    )
    (routed,) = [r for r in rows if r.action == "route.offer"]
    assert (routed.actor_role, routed.to_team_kinds, routed.object_id) == (SYSTEM, "bolig", str(conv))
    (delivered,) = [r for r in rows if r.action == "chat.deliver"]
    assert delivered.actor_team_kinds == "bolig"

    seen = {e["action"]: e for e in ctx.as_("patient").get("/api/me/audit").json}
    assert seen["route.offer"]["to_team_kinds"] == ["bolig"]
    assert seen["route.offer"]["actor_role"] == SYSTEM
    assert seen["chat.deliver"]["actor_name"] == world.supporter_in.display_name
    assert seen["chat.deliver"]["actor_team_kinds"] == ["bolig"]


def test_a_delivery_row_keeps_the_team_kinds_the_supporter_has_at_that_moment(
    world: World, auth: Any, db: Session, clock: MovableClock
) -> None:
    """The administrator puts supporter_in in the kommune team too: the next
    message delivered to her is recorded with both kinds, not the kinds she had."""
    ctx = Ctx(world, auth)
    _patient_wrote(ctx)  # her team kinds are read once before the change
    members = [world.supporter_out.id, world.supporter_in.id]
    joined = ctx.as_("admin").put(f"/api/teams/{world.team_out.id}/members", json={"user_ids": members})
    assert joined.status_code == 200, joined.json
    clock.advance(minutes=1)
    before = _last_id(db)
    sent = ctx.as_("patient").post(
        "/api/chat/messages", json={"client_id": "after-join", "body": "Hei igjen"}
    )
    assert sent.status_code == 201, sent.json

    (delivered,) = [r for r in _rows_after(db, before) if r.action == "chat.deliver"]
    assert (delivered.actor_id, delivered.actor_team_kinds) == (world.supporter_in.id, "bolig,kommune")


def test_a_supporters_own_rows_keep_the_team_kinds_she_has_at_that_moment(
    world: World, auth: Any, db: Session, clock: MovableClock
) -> None:
    """Her reading, delivery mark and answer after the administrator put her in
    the kommune team too are recorded with both kinds (they come from the roster
    snapshot, which the change renews), not the kinds she had."""
    ctx = Ctx(world, auth)
    conv = world.conversation.id
    _patient_wrote(ctx)
    assert ctx.as_("supporter_in").get(f"/api/chat/conversations/{conv}").status_code == 200
    members = [world.supporter_out.id, world.supporter_in.id]
    joined = ctx.as_("admin").put(f"/api/teams/{world.team_out.id}/members", json={"user_ids": members})
    assert joined.status_code == 200, joined.json
    clock.advance(minutes=1)
    sent = ctx.as_("patient").post(
        "/api/chat/messages", json={"client_id": "after-join", "body": "Hei igjen"}
    )
    assert sent.status_code == 201, sent.json
    before = _last_id(db)

    supporter = ctx.as_("supporter_in")
    assert supporter.get(f"/api/chat/conversations/{conv}").status_code == 200
    marked = supporter.post(f"/api/chat/conversations/{conv}/delivered", json={"upto_id": sent.json["id"]})
    assert marked.status_code == 204, marked.json
    answer = {"client_id": "svar-etter", "body": "Jeg er her."}
    assert supporter.post(f"/api/chat/conversations/{conv}/messages", json=answer).status_code == 201

    rows = [r for r in _rows_after(db, before) if r.actor_id == world.supporter_in.id]
    assert sorted((r.action, r.actor_team_kinds) for r in rows) == [
        ("chat.mark_delivered", "bolig,kommune"),
        ("chat.read", "bolig,kommune"),
        ("chat.write", "bolig,kommune"),
        ("checkin.read", "bolig,kommune"),
    ]


def test_nobody_on_duty_is_recorded_for_the_patient(world: World, auth: Any, db: Session) -> None:
    before = _last_id(db)
    _nobody_on_duty_for_other(Ctx(world, auth))
    rows = _rows_after(db, before)
    assert sorted((r.action, r.actor_role, r.to_team_kinds) for r in rows) == [
        ("chat.write", "patient", ""),
        ("route.no_one_on_duty", SYSTEM, ""),
    ]


# Calls that change nothing an administrator answers for, with why.
ADMIN_UNRECORDED = {
    ("POST", "/api/push/subscriptions"): "their own browser",
    ("DELETE", "/api/push/subscriptions"): "their own browser",
    ("POST", "/api/auth/logout"): "their own session",
    ("POST", "/api/auth/eid/logout"): "their own session",
    ("POST", "/api/auth/passkey/options"): "a one-time login challenge; the login itself is recorded",
    ("POST", "/api/me/passkeys/options"): "a one-time challenge; adding the passkey is recorded",
    ("POST", "/api/teams/<int:team_id>/roster/draft"): "the world's draft exists: it is returned unchanged",
}
ADMIN_CHANGES = sorted(
    r
    for r in MATRIX
    if r[0] in ("POST", "PUT", "PATCH", "DELETE")
    and 200 <= MATRIX[r][2]["admin"] < 300
    and r not in ADMIN_UNRECORDED
)


@pytest.mark.parametrize("route", ADMIN_CHANGES, ids=lambda r: f"{r[0]} {r[1]}")
def test_every_change_an_administrator_makes_is_recorded(
    route: tuple[str, str], app: Flask, world: World, auth: Any, db: Session
) -> None:
    method, rule = route
    params, body, _ = MATRIX[route]
    payload = resolve(body, world) if body is not None else None
    entry = AUDITED.get(route)
    if entry is not None and entry.prepare is not None:
        payload = {**(payload or {}), **entry.prepare(Ctx(world, auth))}
    before = _last_id(db)
    kwargs: dict[str, Any] = {"json": payload} if payload is not None else {}
    response = Ctx(world, auth).as_("admin").open(_path(rule, params, world), method=method, **kwargs)
    assert response.status_code < 300, response.get_json(silent=True)
    rows = _rows_after(db, before)
    assert any(r.actor_id == world.admin.id for r in rows), [r.action for r in rows]
