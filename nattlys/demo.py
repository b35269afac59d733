"""Demo data for trying Nattlys locally. Idempotent: running it again brings the
demo accounts back to this state without duplicating anything."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import date, time

import click
from sqlmodel import Session, select

from nattlys import clock
from nattlys.accounts import mfa, passwords
from nattlys.accounts.models import Role, User
from nattlys.api.errors import ApiError
from nattlys.care_circles.models import Team, TeamKind, TeamMembership
from nattlys.care_circles.schemas import CareCirclePublic, CareCircleUpdate, CareTierIn
from nattlys.care_circles.service import care_circle, replace_care_circle
from nattlys.chat import conversations, sending, supporting
from nattlys.chat.demo import ensure_demo_chat_history
from nattlys.chat.models import Message
from nattlys.checkins.demo import (
    YEAR_PATIENTS,
    demo_evenings,
    ensure_demo_checkins,
    ensure_demo_discharge,
    ensure_demo_discharges,
)
from nattlys.clock import OSLO
from nattlys.db import get_db, stored_id
from nattlys.next_of_kin.demo import ensure_demo_next_of_kin
from nattlys.outcomes.demo import ensure_demo_night_outcome, ensure_demo_night_outcomes
from nattlys.plans.demo import ensure_demo_plan, ensure_demo_proposal
from nattlys.rosters import editing as rosters
from nattlys.rosters.schemas import RosterDraftIn, RotationIn, ShiftIn

# Local-only: `nattlys demo` refuses it outside development.
DEFAULT_DEMO_PASSWORD = "nattlys-demo"  # noqa: S105 - documented local-only default

TEAMS = (
    ("Bolig Askøy", TeamKind.bolig, ("bolig1", "bolig2")),
    ("Psykisk helse Askøy kommune", TeamKind.kommune, ("kommune1", "kommune2")),
    ("Øyane DPS akutt", TeamKind.dps, ("dps1", "dps2")),
)
STAFF = (
    ("admin", "Administrator", Role.admin),
    # Disabling a patient's account takes two administrators.
    ("admin2", "Administrator 2", Role.admin),
    ("bolig1", "Kari", Role.supporter),
    ("bolig2", "Ola", Role.supporter),
    ("kommune1", "Ingrid", Role.supporter),
    ("kommune2", "Lars", Role.supporter),
    ("dps1", "Silje", Role.supporter),
    ("dps2", "Jonas", Role.supporter),
)
FULL_CIRCLE = (TeamKind.bolig, TeamKind.kommune, TeamKind.dps)
# username, name, primary contact, care circle tier by tier. Eva has only the
# housing staff (as a patient a supporter enrolls gets): nobody after 22:00.
# Jon has no housing support: the municipality, then the DPS.
PATIENTS = (
    ("pasient1", "Mona", "bolig1", FULL_CIRCLE),
    ("pasient2", "Per", "bolig2", FULL_CIRCLE),
    ("pasient3", "Anne", None, FULL_CIRCLE),
    ("pasient4", "Tor", None, FULL_CIRCLE),
    ("pasient5", "Hanne", "bolig1", FULL_CIRCLE),
    ("pasient6", "Eva", "bolig2", (TeamKind.bolig,)),
    ("pasient7", "Jon", "kommune2", (TeamKind.kommune, TeamKind.dps)),
)


def _user(db: Session, username: str, display_name: str, role: Role, password_hash: str) -> User:
    user = db.exec(select(User).where(User.username == username)).first()
    if user is None:
        user = User(username=username, display_name=display_name, role=role)
    user.display_name = display_name
    user.role = role
    user.is_active = True
    user.password_hash = password_hash
    user.password_changed_at = clock.now()
    db.add(user)
    db.flush()
    return user


def _patient(db: Session, username: str) -> User:
    return db.exec(select(User).where(User.username == username)).one()


def _circle_shape(circle: CareCirclePublic) -> tuple[object, ...]:
    return (
        tuple(
            (tuple(sorted(t.id for t in tier.teams)), tier.escalate_after_minutes) for tier in circle.tiers
        ),
        tuple(sorted(c.id for c in circle.primary_contacts)),
    )


def _wanted_shape(update: CareCircleUpdate) -> tuple[object, ...]:
    return (
        tuple((tuple(sorted(tier.team_ids)), tier.escalate_after_minutes) for tier in update.tiers),
        tuple(sorted(update.primary_contact_ids)),
    )


# Weekly rotations from a fixed Monday, so who is on duty is predictable (far
# enough back that the year of generated history has someone on duty too).
ROSTER_START = date(2025, 1, 6)
EVERY_DAY = [0, 1, 2, 3, 4, 5, 6]


def _demo_rosters(db: Session, *, admin: User, teams: dict[TeamKind, Team], users: dict[str, User]) -> None:
    """Rosters covering every hour of the week, with one deliberate evening gap:
    Bolig Askøy is not staffed on Wednesdays 18:00-22:00, when the municipal
    evening service covers."""

    def rotation(name: str, members: list[str], shifts: list[ShiftIn]) -> RotationIn:
        return RotationIn(
            name=name,
            start_date=ROSTER_START,
            period_days=7,
            member_ids=[users[m].id for m in members],
            shifts=shifts,
        )

    plans = {
        TeamKind.bolig: [
            rotation(
                "Dag og kveld",
                ["bolig1", "bolig2"],
                [
                    ShiftIn(weekdays=[0, 1, 3, 4, 5, 6], start=time(8), end=time(22)),
                    ShiftIn(weekdays=[2], start=time(8), end=time(18)),
                ],
            ),
        ],
        TeamKind.kommune: [
            rotation(
                "Kveld",
                ["kommune1", "kommune2"],
                [ShiftIn(weekdays=EVERY_DAY, start=time(15, 30), end=time(23))],
            ),
        ],
        TeamKind.dps: [
            rotation("Dag", ["dps1", "dps2"], [ShiftIn(weekdays=EVERY_DAY, start=time(8), end=time(20))]),
            rotation(
                "Natt",
                ["dps2", "dps1"],
                [ShiftIn(weekdays=EVERY_DAY, start=time(20), end=time(8), ends_next_day=True)],
            ),
        ],
    }
    now = clock.now()
    for kind, rotations in plans.items():
        team = teams[kind]
        if rosters.published_version(db, team.id) is not None:
            continue
        rosters.replace_draft(db, actor=admin, team=team, data=RosterDraftIn(rotations=rotations), at=now)
        rosters.publish(db, actor=admin, team=team, confirm_uncovered=True, at=now)


def _demo_evening_chat(db: Session) -> None:
    """Per wrote at 22:30 yesterday evening; the roster routed it to whoever was
    on duty then (Bolig Askøy has gone home at 22:00, so the municipality's
    evening service), who answered and closed the conversation."""
    from datetime import datetime, timedelta

    per = db.exec(select(User).where(User.username == "pasient2")).first()
    if per is None:
        return
    if db.exec(select(Message).where(Message.client_id == "demo-2230-per")).first() is not None:
        return
    yesterday = clock.now().astimezone(OSLO).date() - timedelta(days=1)
    wrote = datetime.combine(yesterday, time(22, 30), tzinfo=OSLO)
    sending.send_from_patient(
        db,
        patient=per,
        client_id="demo-2230-per",
        body="Hei. Det er vanskelig å roe seg ned i kveld.",
        at=wrote,
    )
    db.flush()
    conv = conversations.conversation_for(db, patient_id=stored_id(per), at=wrote)
    if not conv.offered_to:
        return
    supporter = db.get(User, conv.offered_to[0])
    if supporter is None:
        return
    answered = wrote + timedelta(minutes=2)
    sending.send_from_supporter(
        db,
        supporter=supporter,
        conversation_id=stored_id(conv),
        client_id="demo-2230-reply",
        body="Hei Per, jeg er her. Vil du fortelle litt om hva som skjer?",
        at=answered,
    )
    sending.send_from_patient(
        db,
        patient=per,
        client_id="demo-2230-per-2",
        body="Det hjelper å skrive. Jeg tror jeg går en tur.",
        at=answered + timedelta(minutes=6),
    )
    supporting.close(db, supporter=supporter, conversation_id=conv.id, at=answered + timedelta(minutes=20))


def _demo_history(db: Session, users: dict[str, User]) -> None:
    """A year behind pasient1..pasient5, for the outcome figures: what happened
    after their red evenings, the discharges after admissions, and their chats."""

    staff = [users[u] for u in ("bolig1", "bolig2", "kommune1", "kommune2")]
    patients = [_patient(db, u) for u in YEAR_PATIENTS]
    admitted = ensure_demo_night_outcomes(db, patients, recorded_by=staff)
    ensure_demo_discharges(db, admitted, staff=staff)
    ensure_demo_night_outcome(db, recorded_by=users["bolig1"])
    for patient in patients:
        ensure_demo_chat_history(db, patient, demo_evenings(db, stored_id(patient)))


def load_demo(*, password: str) -> str:
    try:
        # The documented local-only default is itself on the refused list (so
        # nobody can choose it for a real account); any other must be strong.
        if password == DEFAULT_DEMO_PASSWORD:
            passwords.check_length(password)
        else:
            passwords.check_policy(password)
    except ApiError as err:
        # A clear one-line refusal for the operator, not a traceback.
        raise click.ClickException(f"demo password refused: {err.message}") from err
    db = get_db()
    password_hash = passwords.hash_password(password)
    users = {u: _user(db, u, name, role, password_hash) for u, name, role in STAFF}
    admin = users["admin"]
    for username, user in users.items():
        mfa.enrol_confirmed(db, user=user, secret=demo_totp_secret(password, username), at=clock.now())

    teams: dict[TeamKind, Team] = {}
    for name, kind, members in TEAMS:
        team = db.exec(select(Team).where(Team.name == name)).first()
        if team is None:
            team = Team(name=name, kind=kind)
            db.add(team)
            db.flush()
        teams[kind] = team
        for username in members:
            if db.get(TeamMembership, (team.id, users[username].id)) is None:
                db.add(TeamMembership(team_id=team.id, user_id=users[username].id))

    for username, name, contact, kinds in PATIENTS:
        patient = _user(db, username, name, Role.patient, password_hash)
        wanted = CareCircleUpdate(
            tiers=[CareTierIn(team_ids=[teams[kind].id], escalate_after_minutes=3) for kind in kinds],
            primary_contact_ids=[users[contact].id] if contact else [],
        )
        if _circle_shape(care_circle(db, patient=patient)) != _wanted_shape(wanted):
            replace_care_circle(db, actor=admin, patient=patient, data=wanted)
        ensure_demo_plan(db, patient)  # only if the patient has no crisis plan yet
    _demo_rosters(db, admin=admin, teams=teams, users=users)

    ensure_demo_checkins(db)  # schedules and a year (or four weeks) of check-ins, if none yet
    ensure_demo_discharge(db, "pasient7", recorded_by=users["kommune2"], days_ago=5)
    ensure_demo_proposal(db, _patient(db, "pasient6"), users["bolig1"])
    _demo_history(db, users)

    kin = _user(db, "parorende1", "Lene", Role.next_of_kin, password_hash)
    ensure_demo_next_of_kin(db, patient=_patient(db, "pasient1"), kin=kin)
    _demo_evening_chat(db)
    db.commit()
    secrets = "\n".join(f"  {u}: {demo_totp_secret(password, u)}" for u, _name, _role in STAFF)
    return (
        "demo ready: administrators admin admin2; supporters bolig1 bolig2 kommune1 kommune2 dps1 dps2; "
        "patients pasient1-pasient5 (care circles bolig -> kommune -> dps; a year of history), pasient6 (bolig only: "
        "nights uncovered, a pending plan proposal), pasient7 (kommune -> dps, discharged 5 days ago); "
        "next of kin parorende1 (Lene, included by pasient1)\n"
        "staff also give a code from an authenticator app; add these keys to one "
        "(or: python -c \"import pyotp; print(pyotp.TOTP('KEY').now())\"):\n" + secrets
    )


def demo_totp_secret(password: str, username: str) -> str:
    """The demo staff's TOTP key, derived from the demo password (local demo only)."""
    digest = hmac.new(password.encode(), f"nattlys-demo-totp:{username}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest[:20]).decode()
