"""The one place that answers "may this user see or do this, now?".

Every route and socket event asks this module. Need to know (README, "Who may
see what, when"):
- a patient reaches only their own data;
- a supporter reaches a patient only while the patient is in their care circle
  (a member of a team in one of the circle's tiers, or a named primary contact);
- check-in answers and the check-in schedule: only the supporters on duty for
  the patient now (the roster's answer) and the named primary contacts; any
  other supporter in the circle only through break-glass access (a stated
  reason, a time limit, shown to the patient at once, reviewed by an
  administrator), and then only to read;
- turning check-ins off or changing what happens after a missed one: only the
  patient or a named primary contact;
- the crisis plan: the circle, for the sections shared with their team kind;
- chat actions: in the circle and on duty now;
- an administrator manages users, teams, care circles and rosters, never
  clinical content (break-glass is not for administrators either);
- a next of kin reaches a patient only while her consent is in force, and then
  only the plan sections she shares and (if she allows it) the worry signal:
  never chat, check-in answers or anything else; only the patient herself
  invites them and changes or withdraws what they may see.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlmodel import Session, col, select

from nattlys import clock
from nattlys.accounts.models import Role, User
from nattlys.api.errors import ApiError, forbidden, not_found, unauthorized
from nattlys.break_glass.openings import active_opening
from nattlys.care_circles.membership import team_kinds_in_circle
from nattlys.care_circles.models import CareTier, CareTierTeam, PrimaryContact, TeamMembership
from nattlys.next_of_kin.models import NextOfKinConsent
from nattlys.rosters.duty import is_on_duty_for, patients_on_duty_for


class Need(StrEnum):
    """What the caller wants to do with a patient's data."""

    profile = "profile"  # name and account status
    care_circle = "care_circle"  # who is in the circle
    manage_care_circle = "manage_care_circle"
    enrol = "enrol"  # issue a new invitation link
    plan = "plan"  # read the crisis plan (sections shared with the viewer's team kinds)
    follow_up = "follow_up"  # record a discharge and the contact after it
    on_duty = "on_duty"  # who is on duty for the patient now
    own_clinical = "own_clinical"  # only the patient: write their own plan, its versions, sharing
    propose_clinical = "propose_clinical"  # a supporter in the circle: propose changes to the plan
    checkins = "checkins"  # read check-in answers and the check-in schedule
    checkin_schedule = "checkin_schedule"  # change the check-in schedule
    checkin_safety_net = "checkin_safety_net"  # turn check-ins off, change what happens after a missed one
    break_glass = "break_glass"  # open the check-ins for a short time, with a reason
    next_of_kin = "next_of_kin"  # only the patient: invite next of kin, change or withdraw their consent
    kin_plan = "kin_plan"  # a next of kin with her consent: the plan sections she shares
    kin_worry = "kin_worry"  # a next of kin she allows it: "I am worried about her tonight"


_ADMIN_NEEDS = frozenset({Need.profile, Need.care_circle, Need.manage_care_circle, Need.enrol, Need.on_duty})
# Every supporter in the circle, on duty or not.
_CIRCLE_NEEDS = frozenset(
    {
        Need.profile,
        Need.care_circle,
        Need.enrol,
        Need.plan,
        Need.follow_up,
        Need.on_duty,
        Need.propose_clinical,
        Need.break_glass,
    }
)
_PATIENT_SELF_NEEDS = frozenset(
    {
        Need.profile,
        Need.care_circle,
        Need.plan,
        Need.on_duty,
        Need.own_clinical,
        Need.checkins,
        Need.checkin_schedule,
        Need.checkin_safety_net,
        Need.next_of_kin,
    }
)
NOT_ON_DUTY = "You are not on duty for this patient now."


def require_login(user: User | None) -> User:
    if user is None:
        raise unauthorized()
    return user


def require_role(user: User | None, *roles: Role) -> User:
    user = require_login(user)
    if user.role not in roles:
        raise forbidden()
    return user


def supporter_team_ids(db: Session, supporter_id: int) -> list[int]:
    return list(db.exec(select(TeamMembership.team_id).where(TeamMembership.user_id == supporter_id)).all())


def is_in_care_circle(db: Session, *, supporter_id: int, patient_id: int) -> bool:
    via_team = db.exec(
        select(CareTier.id)
        .join(CareTierTeam, col(CareTierTeam.tier_id) == col(CareTier.id))
        .join(TeamMembership, col(TeamMembership.team_id) == col(CareTierTeam.team_id))
        .where(CareTier.patient_id == patient_id, TeamMembership.user_id == supporter_id)
        .limit(1)
    ).first()
    return via_team is not None or is_primary_contact(db, supporter_id=supporter_id, patient_id=patient_id)


def patient_ids_in_circles_of(db: Session, supporter_id: int) -> set[int]:
    via_team = db.exec(
        select(CareTier.patient_id)
        .join(CareTierTeam, col(CareTierTeam.tier_id) == col(CareTier.id))
        .join(TeamMembership, col(TeamMembership.team_id) == col(CareTierTeam.team_id))
        .where(TeamMembership.user_id == supporter_id)
    ).all()
    named = db.exec(
        select(PrimaryContact.patient_id).where(PrimaryContact.supporter_id == supporter_id)
    ).all()
    return set(via_team) | set(named)


def is_primary_contact(db: Session, *, supporter_id: int, patient_id: int) -> bool:
    return db.get(PrimaryContact, (patient_id, supporter_id)) is not None


def _on_duty_for(db: Session, supporter_id: int, patient_id: int, at: datetime) -> bool:
    return is_on_duty_for(db, supporter_id=supporter_id, patient_id=patient_id, at=at)


def _has_break_glass(db: Session, supporter_id: int, patient_id: int, at: datetime) -> bool:
    return active_opening(db, supporter_id=supporter_id, patient_id=patient_id, at=at) is not None


def _supporter_may(db: Session, supporter_id: int, patient_id: int, need: Need, at: datetime) -> bool:
    if not is_in_care_circle(db, supporter_id=supporter_id, patient_id=patient_id):
        return False
    if need in _CIRCLE_NEEDS:
        return True
    if need == Need.checkin_safety_net:
        return is_primary_contact(db, supporter_id=supporter_id, patient_id=patient_id)
    if need in (Need.checkins, Need.checkin_schedule):
        if _sees_checkins(db, supporter_id, patient_id, at):
            return True
        return need == Need.checkins and _has_break_glass(db, supporter_id, patient_id, at)
    return False


def _sees_checkins(db: Session, supporter_id: int, patient_id: int, at: datetime) -> bool:
    return is_primary_contact(db, supporter_id=supporter_id, patient_id=patient_id) or _on_duty_for(
        db, supporter_id, patient_id, at
    )


def may_access_patient(
    db: Session, user: User, patient: User, need: Need, *, at: datetime | None = None
) -> bool:
    if not user.is_active or patient.role != Role.patient:
        return False
    if user.role == Role.patient:
        return user.id == patient.id and need in _PATIENT_SELF_NEEDS
    if user.role == Role.admin:
        return need in _ADMIN_NEEDS
    if user.role == Role.supporter:
        return _supporter_may(db, user.id, patient.id, need, at or clock.now())
    if user.role == Role.next_of_kin:
        return _kin_may(db, user.id, patient.id, need)
    return False


def active_consent(db: Session, *, next_of_kin_id: int, patient_id: int) -> NextOfKinConsent | None:
    """The patient's consent in force for this next of kin, if any."""
    return db.exec(
        select(NextOfKinConsent).where(
            NextOfKinConsent.patient_id == patient_id,
            NextOfKinConsent.next_of_kin_id == next_of_kin_id,
            col(NextOfKinConsent.withdrawn_at).is_(None),
        )
    ).first()


def _kin_may(db: Session, kin_id: int, patient_id: int, need: Need) -> bool:
    consent = active_consent(db, next_of_kin_id=kin_id, patient_id=patient_id)
    if consent is None:
        return False
    if need == Need.kin_plan:
        return True
    return need == Need.kin_worry and consent.may_signal_worry


def kin_visible_sections(db: Session, user: User, patient_id: int, sections: list[str]) -> list[str]:
    """The plan sections a next of kin may read now: those her consent in force
    names, in plan order; nobody else sees anything through this."""
    if user.role != Role.next_of_kin:
        return []
    consent = active_consent(db, next_of_kin_id=user.id, patient_id=patient_id)
    shared = set(consent.sections) if consent else set()
    return [key for key in sections if key in shared]


def sees_checkins_without_break_glass(db: Session, user: User, patient_id: int, *, at: datetime) -> bool:
    """On duty for the patient now, or a named primary contact (break-glass not needed)."""
    return _sees_checkins(db, user.id, patient_id, at)


def _refusal(db: Session, user: User, patient: User, need: Need, at: datetime) -> ApiError:
    """Why a supporter in the circle is refused, so the app can say what to do."""
    in_circle = user.role == Role.supporter and is_in_care_circle(
        db,
        supporter_id=user.id,
        patient_id=patient.id,
    )
    if in_circle and need == Need.checkins:
        return ApiError(403, "break_glass_available", NOT_ON_DUTY)
    if in_circle and need == Need.checkin_schedule:
        return ApiError(403, "not_on_duty", NOT_ON_DUTY)
    if in_circle and need == Need.checkin_safety_net:
        return ApiError(
            403,
            "patient_or_primary_contact",
            "Only the patient or a named primary contact can turn check-ins off "
            "or change what happens after a missed check-in.",
        )
    return forbidden()


def require_patient(db: Session, user: User | None, patient_id: int, need: Need) -> User:
    """The patient, if this user may have `need` of their data now; else 401/403/404."""
    user = require_login(user)
    patient = db.get(User, patient_id)
    if patient is None or patient.role != Role.patient:
        # Staff may learn that an id is not a patient; patients and next of kin
        # only ever see 403 for ids other than their own.
        if user.role in (Role.patient, Role.next_of_kin):
            raise forbidden()
        raise not_found("No such patient.")
    at = clock.now()
    if not may_access_patient(db, user, patient, need, at=at):
        raise _refusal(db, user, patient, need, at)
    return patient


def require_team_view(db: Session, user: User | None, team_id: int) -> User:
    """Administrators see every team's roster; supporters their own teams'."""
    user = require_role(user, Role.admin, Role.supporter)
    if user.role == Role.supporter and team_id not in supporter_team_ids(db, user.id):
        raise forbidden()
    return user


def may_create_patient_in_team(db: Session, user: User, team_id: int | None) -> bool:
    if user.role == Role.admin:
        return True
    if user.role == Role.supporter:
        return team_id is not None and team_id in supporter_team_ids(db, user.id)
    return False


def require_chat_action(
    db: Session, user: User, conversation: Any, *, at: datetime, reading: bool = False
) -> None:
    """A patient only reads (and types in) their own conversation here: taking,
    answering as staff, handing over, closing and confirming delivery are
    supporters' actions, over HTTP and Socket.IO alike. A supporter must be in
    the patient's care circle and on duty for them right now, and (unless only
    reading) hold the conversation or have it offered to them."""
    if not user.is_active:
        raise forbidden()
    if user.role == Role.patient:
        if conversation.patient_id != user.id or not reading:
            raise forbidden()
        return
    if user.role != Role.supporter:
        raise forbidden()
    if not is_in_care_circle(db, supporter_id=user.id, patient_id=conversation.patient_id):
        raise forbidden("This patient is not in your care circle.")
    involved = conversation.holder_id == user.id or user.id in (conversation.offered_to or [])
    if not is_on_duty_for(db, supporter_id=user.id, patient_id=conversation.patient_id, at=at):
        raise forbidden(NOT_ON_DUTY)
    if not reading and not involved:
        raise forbidden("This conversation is not offered to you.")


def visible_plan_sections(
    db: Session, user: User, patient_id: int, sharing: dict[str, list[str]], sections: list[str]
) -> list[str]:
    """Which crisis-plan sections this user may see now, given the patient's
    sharing choices ({section: [team kinds]}). The patient sees every section;
    a supporter those shared with a kind through which they see the patient;
    everyone else none. Call after require_patient(..., Need.plan)."""
    if user.role == Role.patient:
        return list(sections) if user.id == patient_id else []
    if user.role != Role.supporter:
        return []
    kinds = set(team_kinds_in_circle(db, supporter_id=user.id, patient_id=patient_id))
    return [key for key in sections if kinds & set(sharing.get(key, []))]


def on_duty_patient_ids(db: Session, *, supporter_id: int, at: datetime) -> set[int]:
    """The patients in this supporter's care circles whom they are on duty for
    now (check-in lists, alerts): in the circle AND on duty in one of its tiers."""
    return patient_ids_in_circles_of(db, supporter_id) & patients_on_duty_for(
        db, supporter_id=supporter_id, at=at
    )
