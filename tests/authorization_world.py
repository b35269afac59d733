"""The authorization matrix's world: every kind of caller, one patient's circle
around them, and every API route with the status each caller must get (MATRIX).

tests/test_authorization_matrix.py walks it; the socket matrix, the session
attacks, the audit completeness check and the policy table reuse it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlmodel import Session

from nattlys import access
from nattlys.accounts.models import PatientDisableRequest, User
from nattlys.accounts.strong_models import Passkey
from nattlys.break_glass.models import BreakGlassAccess
from nattlys.care_circles.models import Team, TeamKind
from nattlys.chat.models import Conversation
from nattlys.checkins.models import Checkin, CheckinAlert
from nattlys.next_of_kin.models import NextOfKinConsent
from nattlys.plans.models import CrisisPlanProposal, ProposalStatus
from nattlys.rosters.models import RosterOverride
from tests.conftest import PASSWORD

CALLERS = (
    "anonymous",
    "patient_self",
    "patient_other",
    "supporter_in_circle",  # in the patient's circle and on duty round the clock
    # A colleague in the same team of the patient's circle who works days
    # (08:00-16:00); the frozen clock says 21:30 on a Monday evening in Oslo.
    "supporter_in_circle_off_duty",
    # The patient's named primary contact: in a DPS team outside her tiers, on
    # duty for nobody tonight.
    "primary_contact",
    "supporter_outside",
    "admin",
    # The patient's next of kin: she shares warning_signs with them and lets
    # them say they are worried; never chat, check-ins or anything else.
    "next_of_kin",
)
# Need to know (README, "Who may see what, when"): the circle sees the profile
# and the plan's shared sections; check-in answers and the schedule need the
# supporter on duty now or a named primary contact (anyone else in the circle:
# break-glass, see test_need_to_know.py); chat actions need the supporter on duty.
IN_TEAM = ("supporter_in_circle", "supporter_in_circle_off_duty")  # members of the circle's team
IN_CIRCLE = (*IN_TEAM, "primary_contact")
SEES_CHECKINS = ("patient_self", "supporter_in_circle", "primary_contact")


@dataclass
class World:
    patient: User
    other_patient: User
    supporter_in: User
    supporter_off: User
    supporter_out: User
    contact: User
    admin: User
    team_in: Team
    team_out: Team
    override: RosterOverride
    conversation: Conversation
    now: datetime  # the frozen clock
    proposal: CrisisPlanProposal  # a pending crisis-plan proposal by supporter_in
    agreed: (
        CrisisPlanProposal  # a proposal supporter_in recorded as agreed in a meeting, awaiting confirmation
    )
    break_glass: BreakGlassAccess  # supporter_off's break-glass access of last night, expired
    passkey: Passkey  # the patient's passkey
    alert: CheckinAlert  # a red check-in alert offered to supporter_in, not yet taken
    # Another administrator asked to disable other_patient's account; it waits for a second one.
    disable_request: PatientDisableRequest
    kin: User  # the patient's next of kin (caller next_of_kin)
    kin_consent: NextOfKinConsent


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
    # Strong login: national eID (off in this world) and passkeys. A passkey is
    # only ever one's own: someone else's answers as if it did not exist.
    ("GET", "/api/auth/methods"): ({}, None, everyone(200)),
    ("POST", "/api/auth/eid/<provider>/start"): ({"provider": "patient"}, {}, everyone(404)),
    ("GET", "/api/auth/eid/callback"): ({}, None, everyone(302)),
    ("POST", "/api/auth/eid/logout"): ({}, None, ok_for(200, *CALLERS[1:])),
    ("POST", "/api/auth/passkey/options"): ({}, None, everyone(200)),
    ("POST", "/api/auth/passkey/login"): ({}, {"ceremony": "x" * 43, "credential": {}}, everyone(400)),
    ("GET", "/api/me/passkeys"): ({}, None, ok_for(200, *CALLERS[1:])),
    ("POST", "/api/me/passkeys/options"): ({}, None, ok_for(200, *CALLERS[1:])),
    ("POST", "/api/me/passkeys"): ({}, {"ceremony": "x" * 43, "credential": {}}, ok_for(400, *CALLERS[1:])),
    ("DELETE", "/api/me/passkeys/<int:passkey_id>"): (
        {"passkey_id": "passkey"},
        None,
        ok_for(204, "patient_self", default=404),
    ),
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
    # No administrator alone disables a patient (she would lose the crisis chat):
    # one asks with a reason, a second one decides (test_nobody_alone_disables_a_patient
    # below; tests/test_patient_disabling.py). The world's waiting request was
    # asked by another administrator, so the caller "admin" is the second one.
    ("POST", "/api/users/<int:user_id>/disable-request"): (
        {"user_id": "patient"},
        {"reason": "Flyttet fra kommunen"},
        ok_for(202, "admin"),
    ),
    ("GET", "/api/disable-requests"): ({}, None, ok_for(200, "admin")),
    ("POST", "/api/disable-requests/<int:request_id>/approve"): (
        {"request_id": "disable_request"},
        None,
        ok_for(204, "admin"),
    ),
    ("POST", "/api/disable-requests/<int:request_id>/decline"): (
        {"request_id": "disable_request"},
        None,
        ok_for(204, "admin"),
    ),
    ("POST", "/api/users/<int:user_id>/invitation"): (
        {"user_id": "patient"},
        None,
        ok_for(201, "admin", *IN_CIRCLE),
    ),
    # One's own account (every role): password, devices, events, links to confirm.
    ("POST", "/api/me/password"): (
        {},
        {"current_password": PASSWORD, "new_password": "et nytt og langt passord 42"},
        ok_for(204, *CALLERS[1:]),
    ),
    ("GET", "/api/me/sessions"): ({}, None, ok_for(200, *CALLERS[1:])),
    ("DELETE", "/api/me/sessions/<handle>"): ({"handle": "ingen-slik"}, None, ok_for(404, *CALLERS[1:])),
    ("GET", "/api/me/account-events"): ({}, None, ok_for(200, *CALLERS[1:])),
    ("GET", "/api/me/reenrolments"): ({}, None, ok_for(200, *CALLERS[1:])),
    ("POST", "/api/me/reenrolments/<int:invitation_id>/confirm"): (
        {"invitation_id": "987654"},
        None,
        ok_for(404, *CALLERS[1:]),
    ),
    ("POST", "/api/me/reenrolments/<int:invitation_id>/decline"): (
        {"invitation_id": "987654"},
        None,
        ok_for(404, *CALLERS[1:]),
    ),
    # A second staff member's approval of a re-enrolment link (tests/test_account_takeover.py
    # shows who may approve which link).
    ("GET", "/api/reenrolments"): ({}, None, ok_for(200, "admin", *IN_CIRCLE, "supporter_outside")),
    ("POST", "/api/reenrolments/<int:invitation_id>/approve"): (
        {"invitation_id": "987654"},
        None,
        ok_for(404, "admin", *IN_CIRCLE, "supporter_outside"),
    ),
    # Staff second factor: the two login steps need a password login that waits
    # for them, which no caller here has; resets need a second administrator.
    ("POST", "/api/auth/second-factor/enrol"): ({}, None, everyone(401)),
    ("POST", "/api/auth/second-factor/verify"): ({}, {"code": "123456"}, everyone(401)),
    ("GET", "/api/second-factor-resets"): ({}, None, ok_for(200, "admin")),
    ("POST", "/api/users/<int:user_id>/second-factor/reset"): (
        {"user_id": "supporter_in"},
        None,
        ok_for(202, "admin"),
    ),
    ("POST", "/api/second-factor-resets/<int:reset_id>/approve"): (
        {"reset_id": "987654"},
        None,
        ok_for(404, "admin"),
    ),
    ("GET", "/api/teams"): ({}, None, ok_for(200, "admin", *IN_CIRCLE, "supporter_outside")),
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
    ("GET", "/api/patients"): ({}, None, ok_for(200, "admin", *IN_CIRCLE, "supporter_outside")),
    ("POST", "/api/patients"): (
        {},
        {"username": "ny.pasient", "display_name": "Siri", "team_id": "team_in"},
        ok_for(201, "admin", *IN_TEAM),
    ),
    ("GET", "/api/patients/<int:patient_id>"): (
        {"patient_id": "patient"},
        None,
        ok_for(200, "patient_self", *IN_CIRCLE, "admin"),
    ),
    ("GET", "/api/patients/<int:patient_id>/care-circle"): (
        {"patient_id": "patient"},
        None,
        ok_for(200, "patient_self", *IN_CIRCLE, "admin"),
    ),
    ("PUT", "/api/patients/<int:patient_id>/care-circle"): (
        {"patient_id": "patient"},
        {"tiers": [{"team_ids": ["team_in"]}], "primary_contact_ids": []},
        ok_for(200, "admin"),
    ),
    ("GET", "/api/me/audit"): ({}, None, ok_for(200, "patient_self", "patient_other")),
    # The patient's own copy and erasure: only ever about the caller, never staff.
    ("POST", "/api/me/export"): ({}, {"format": "json"}, ok_for(200, "patient_self", "patient_other")),
    ("GET", "/api/me/deletion"): ({}, None, ok_for(200, "patient_self", "patient_other")),
    ("POST", "/api/me/deletion"): ({}, {"confirm": True}, ok_for(201, "patient_self", "patient_other")),
    ("DELETE", "/api/me/deletion"): ({}, None, ok_for(204, "patient_self", "patient_other")),
    # Rosters
    ("GET", "/api/teams/<int:team_id>/roster"): (
        {"team_id": "team_in"},
        None,
        ok_for(200, "admin", *IN_TEAM),
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
        ok_for(200, "admin", *IN_TEAM),
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
        ok_for(200, "admin", *IN_TEAM),
    ),
    ("GET", "/api/teams/<int:team_id>/shifts"): (
        {"team_id": "team_in"},
        None,
        ok_for(200, "admin", *IN_TEAM),
    ),
    ("GET", "/api/on-duty"): ({}, None, ok_for(200, "admin", *IN_CIRCLE, "supporter_outside")),
    ("GET", "/api/patients/<int:patient_id>/on-duty"): (
        {"patient_id": "patient"},
        None,
        ok_for(200, "patient_self", *IN_CIRCLE, "admin"),
    ),
    ("GET", "/api/patients/on-duty"): ({}, None, ok_for(200, "admin", *IN_CIRCLE, "supporter_outside")),
    ("GET", "/api/coverage"): ({}, None, ok_for(200, "admin")),
    ("GET", "/api/coverage/nights"): ({}, None, ok_for(200, "admin")),
    ("GET", "/api/coverage/by-night"): ({}, None, ok_for(200, "admin")),
    ("GET", "/api/me/shifts"): ({}, None, ok_for(200, *IN_CIRCLE, "supporter_outside")),
    ("POST", "/api/me/calendar-feed"): ({}, None, ok_for(201, *IN_CIRCLE, "supporter_outside")),
    ("GET", "/api/me/calendar-feed"): ({}, None, ok_for(200, *IN_CIRCLE, "supporter_outside")),
    ("DELETE", "/api/me/calendar-feed"): ({}, None, ok_for(204, *IN_CIRCLE, "supporter_outside")),
    # Chat: reading or acting in a conversation also needs the supporter on duty
    # now, so the off-duty colleague is refused there (see BODY_CHECKS).
    ("GET", "/api/chat/conversation"): ({}, None, ok_for(200, "patient_self", "patient_other")),
    ("POST", "/api/chat/messages"): (
        {},
        {"client_id": "matrix-0001", "body": "Hei"},
        ok_for(201, "patient_self", "patient_other"),
    ),
    ("GET", "/api/chat/inbox"): ({}, None, ok_for(200, *IN_CIRCLE, "supporter_outside")),
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
    # Only the holder writes the note for whoever takes over.
    ("PUT", "/api/chat/conversations/<int:conversation_id>/handover-note"): (
        {"conversation_id": "conversation"},
        {"note": "Sov dårlig i natt, vil gjerne snakke om morgendagen"},
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
    # Alerts, the gap log, reachability
    ("GET", "/api/alerts/me"): ({}, None, ok_for(200, "patient_self", "patient_other")),
    ("GET", "/api/alerts/open"): ({}, None, ok_for(200, *IN_CIRCLE, "supporter_outside")),
    ("POST", "/api/alerts/<int:alert_id>/ack"): (
        {"alert_id": "alert"},
        None,
        ok_for(204, "supporter_in_circle"),
    ),
    ("GET", "/api/gaps"): ({}, None, ok_for(200, "admin")),
    # Outcome figures: aggregates only, for administrators (tests/test_outcomes.py).
    ("GET", "/api/outcomes"): ({}, None, ok_for(200, "admin")),
    ("GET", "/api/outcomes.csv"): ({}, None, ok_for(200, "admin")),
    # What happened after a night: any supporter in the circle, on duty or not.
    ("POST", "/api/patients/<int:patient_id>/night-outcomes"): (
        {"patient_id": "patient"},
        {"night": "2026-11-01", "outcome": "nothing"},
        ok_for(201, *IN_CIRCLE),
    ),
    # Next of kin (tests/test_next_of_kin.py): only the patient invites them and
    # changes or withdraws what they may see; they read only what her consent
    # shares and may say they are worried; staff gain nothing.
    ("POST", "/api/patients/<int:patient_id>/next-of-kin"): (
        {"patient_id": "patient"},
        {"display_name": "Lene", "sections": ["meeting"], "notify_on_red": True},
        ok_for(201, "patient_self"),
    ),
    ("GET", "/api/patients/<int:patient_id>/next-of-kin"): (
        {"patient_id": "patient"},
        None,
        ok_for(200, "patient_self"),
    ),
    ("PUT", "/api/patients/<int:patient_id>/next-of-kin/<int:consent_id>"): (
        {"patient_id": "patient", "consent_id": "kin_consent"},
        {"sections": ["warning_signs", "meeting"], "notify_on_red": False, "may_signal_worry": True},
        ok_for(200, "patient_self"),
    ),
    ("POST", "/api/patients/<int:patient_id>/next-of-kin/<int:consent_id>/withdraw"): (
        {"patient_id": "patient", "consent_id": "kin_consent"},
        None,
        ok_for(200, "patient_self"),
    ),
    ("GET", "/api/next-of-kin/home"): ({}, None, ok_for(200, "next_of_kin")),
    ("GET", "/api/patients/<int:patient_id>/next-of-kin/plan"): (
        {"patient_id": "patient"},
        None,
        ok_for(200, "next_of_kin"),
    ),
    ("POST", "/api/patients/<int:patient_id>/next-of-kin/worry"): (
        {"patient_id": "patient"},
        None,
        ok_for(201, "next_of_kin"),
    ),
    ("GET", "/api/duty/reachability"): ({}, None, ok_for(200, "admin", *IN_CIRCLE, "supporter_outside")),
    ("GET", "/api/duty/me"): ({}, None, ok_for(200, *IN_CIRCLE, "supporter_outside")),
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
    ("GET", "/api/checkins/tonight"): ({}, None, ok_for(200, *IN_CIRCLE, "supporter_outside")),
    ("GET", "/api/checkins/recently-discharged"): (
        {},
        None,
        ok_for(200, *IN_CIRCLE, "supporter_outside"),
    ),
    # Check-in answers and the schedule: on duty now, or a named primary contact.
    # The off-duty colleague is refused (break-glass is offered, see BODY_CHECKS).
    ("GET", "/api/patients/<int:patient_id>/checkins"): (
        {"patient_id": "patient"},
        None,
        ok_for(200, *SEES_CHECKINS),
    ),
    ("GET", "/api/patients/<int:patient_id>/checkin-schedule"): (
        {"patient_id": "patient"},
        None,
        ok_for(200, *SEES_CHECKINS),
    ),
    # Moving the time (the safety net unchanged); turning check-ins off or changing
    # what happens after a missed one is the patient's or a primary contact's:
    # test_separation_of_duties.py.
    ("PUT", "/api/patients/<int:patient_id>/checkin-schedule"): (
        {"patient_id": "patient"},
        {"evening_time": "20:30"},
        ok_for(200, *SEES_CHECKINS),
    ),
    ("POST", "/api/patients/<int:patient_id>/discharges"): (
        {"patient_id": "patient"},
        {"discharge_date": "2026-11-22"},
        ok_for(201, *IN_CIRCLE),
    ),
    ("POST", "/api/patients/<int:patient_id>/discharges/contact"): (
        {"patient_id": "patient"},
        None,
        ok_for(200, *IN_CIRCLE),
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
        ok_for(200, "patient_self", *IN_CIRCLE),
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
        ok_for(200, "patient_self", *IN_CIRCLE),
    ),
    ("POST", "/api/patients/<int:patient_id>/crisis-plan/proposals"): (
        {"patient_id": "patient"},
        {"base_version": 1, "sections": {"warning_signs": ["Sover dårlig"]}, "note": "Fra samtalen i går"},
        ok_for(201, *IN_CIRCLE),
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
    # Recorded, not yet in force: the patient confirms (approve) or a second
    # supporter co-signs; the one who recorded it cannot co-sign it.
    ("POST", "/api/patients/<int:patient_id>/crisis-plan/proposals/<int:proposal_id>/agree-in-meeting"): (
        {"patient_id": "patient", "proposal_id": "proposal"},
        {"base_version": 1, "note": "Ansvarsgruppemøte"},
        ok_for(200, *IN_CIRCLE),
    ),
    ("POST", "/api/patients/<int:patient_id>/crisis-plan/proposals/<int:proposal_id>/co-sign"): (
        {"patient_id": "patient", "proposal_id": "agreed"},
        {"base_version": 1},
        ok_for(200, "supporter_in_circle_off_duty", "primary_contact"),
    ),
    # Break-glass (nødtilgang): only someone in the circle who does not already
    # see the check-ins opens it (409 for those who do); never administrators.
    ("POST", "/api/patients/<int:patient_id>/break-glass"): (
        {"patient_id": "patient"},
        {"reason": "Mona ringte vakttelefonen og er redd; ingen på vakt svarer"},
        {**ok_for(201, "supporter_in_circle_off_duty"), "supporter_in_circle": 409, "primary_contact": 409},
    ),
    ("GET", "/api/me/break-glass"): ({}, None, ok_for(200, "patient_self", "patient_other")),
    ("GET", "/api/break-glass"): ({}, None, ok_for(200, "admin")),
    ("POST", "/api/break-glass/<int:opening_id>/review"): (
        {"opening_id": "break_glass"},
        {"note": "Gjennomgått med teamleder"},
        ok_for(200, "admin"),
    ),
}


PRIVATE_REASON = "Barnebarna mine"  # in a section the patient has not shared
NOT_ON_DUTY = access.NOT_ON_DUTY


def api_routes(app: Flask) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        if not (rule.rule.startswith(("/api", "/calendar")) or rule.rule in ("/healthz", "/readyz")):
            continue
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            routes.add((method, rule.rule))
    return routes


def build_world(factories: Any, db: Session, clock: Any) -> World:
    """A fresh world per case, so no case can hide another's failure."""
    supporter_in = factories.supporter()
    supporter_off = factories.supporter()
    supporter_out = factories.supporter()
    team_in = factories.team(TeamKind.bolig, members=[supporter_in, supporter_off])
    team_out = factories.team(TeamKind.kommune, members=[supporter_out])
    contact = factories.supporter()
    factories.team(TeamKind.dps, members=[contact])
    patient = factories.patient()
    other_patient = factories.patient()
    factories.care_circle(patient, [[team_in]], contacts=[contact])
    factories.care_circle(other_patient, [[team_out]])
    factories.draft_roster(team_in)
    factories.published_roster(
        team_in,
        [([supporter_in], [("00:00", "00:00", True)]), ([supporter_off], [("08:00", "16:00", False)])],
    )
    conversation = factories.conversation(patient, holder=supporter_in)
    factories.discharge(patient, date(2026, 11, 20), by=supporter_in)
    # Tonight's check-in (after 16:00 Oslo), for the on-duty lists.
    db.add(
        Checkin(
            patient_id=patient.id,
            idempotency_key="matrix-tonight",
            created_at=clock() - timedelta(minutes=30),
            pressure=4,
            mood=4,
            sleep="ok",
            self_harm_urge="none",
            suicidal_thoughts="none",
            level="green",
        )
    )
    alert = CheckinAlert(
        patient_id=patient.id,
        reason="red",
        at=clock() - timedelta(minutes=1),
        outcome="alerted",
        state="offered",
        tier_position=0,
        supporter_ids=[supporter_in.id],
        undelivered_tiers=[],
        escalate_at=clock() + timedelta(minutes=3),
    )
    db.add(alert)
    db.commit()
    override = factories.override(
        team_in, supporter_in, kind="remove", starts_at=datetime(2027, 1, 10, tzinfo=UTC)
    )
    # warning_signs is shared with every team kind by default; reasons_to_live
    # stays private until the patient shares it.
    plan = factories.crisis_plan(
        patient, {"warning_signs": ["Jeg sover dårlig"], "reasons_to_live": [PRIVATE_REASON]}
    )
    proposal = factories.crisis_proposal(
        plan, supporter_in, {"warning_signs": ["Jeg sover dårlig", "Jeg trekker meg unna"]}
    )
    agreed = factories.crisis_proposal(
        plan, supporter_in, {"warning_signs": ["Jeg sover dårlig", "Jeg gråter"]}
    )
    agreed.status = ProposalStatus.awaiting_confirmation
    agreed.meeting_recorded_by_id = supporter_in.id
    agreed.meeting_recorded_at = clock()
    break_glass = BreakGlassAccess(
        supporter_id=supporter_off.id,
        patient_id=patient.id,
        reason="Natt til i går: Mona ringte og ingen på vakt svarte",
        opened_at=clock() - timedelta(hours=24),
        expires_at=clock() - timedelta(hours=22),
    )
    db.add_all([agreed, break_glass])
    passkey = Passkey(
        user_id=patient.id,
        credential_id="bWF0cml4LWNyZWRlbnRpYWw",
        public_key="AQID",
        name="Telefon",
        created_at=clock(),
    )
    db.add(passkey)
    disable_request = PatientDisableRequest(
        user_id=other_patient.id,
        requested_by_id=factories.admin(display_name="Andre Admin").id,
        reason="Flyttet fra kommunen",
        created_at=clock(),
        expires_at=clock() + timedelta(days=7),
    )
    db.add(disable_request)
    db.commit()
    kin, kin_consent = factories.next_of_kin(
        patient, sections=["warning_signs"], notify_on_red=True, may_signal_worry=True
    )
    return World(
        kin=kin,
        kin_consent=kin_consent,
        disable_request=disable_request,
        passkey=passkey,
        proposal=proposal,
        agreed=agreed,
        break_glass=break_glass,
        contact=contact,
        patient=patient,
        other_patient=other_patient,
        supporter_in=supporter_in,
        supporter_off=supporter_off,
        supporter_out=supporter_out,
        admin=factories.admin(),
        team_in=team_in,
        team_out=team_out,
        override=override,
        conversation=conversation,
        alert=alert,
        now=clock(),
    )


@pytest.fixture
def world(factories: Any, db: Session, clock: Any) -> World:
    return build_world(factories, db, clock)


def resolve(value: Any, world: World) -> Any:
    """Replace world object names ("patient", "team_in", ...) by their ids."""
    if isinstance(value, str) and hasattr(world, value):
        return getattr(world, value).id
    if isinstance(value, list):
        return [resolve(v, world) for v in value]
    if isinstance(value, dict):
        return {k: resolve(v, world) for k, v in value.items()}
    return value


CALLER_USER = {
    "patient_self": "patient",
    "patient_other": "other_patient",
    "supporter_in_circle": "supporter_in",
    "supporter_in_circle_off_duty": "supporter_off",
    "primary_contact": "contact",
    "supporter_outside": "supporter_out",
    "admin": "admin",
    "next_of_kin": "kin",
}


def client_of(caller: str, app: Flask, world: World, auth: Any) -> Any:
    """A test client logged in as the caller (anonymous: not logged in)."""
    if caller == "anonymous":
        return app.test_client()
    return auth.client_for(getattr(world, CALLER_USER[caller]).username)


def call(route: tuple[str, str], client: Any, world: World) -> Any:
    method, rule = route
    params, body, _expected = MATRIX[route]
    path = rule
    for name, ref in params.items():
        path = path.replace(f"<int:{name}>", str(resolve(ref, world))).replace(f"<{name}>", str(ref))
    kwargs: dict[str, Any] = {}
    if body is not None:
        kwargs["json"] = resolve(body, world)
    return client.open(path, method=method, **kwargs)
