"""The one place that answers "may this user see or do this, now?".

Every route and socket event asks this module. Rules (PRODUCT.md, Security):
- a patient reaches only their own data;
- a supporter reaches a patient only while the patient is in their care circle
  (a member of a team in one of the circle's tiers, or a named primary contact);
- an administrator manages users, teams, care circles and rosters, never
  clinical content.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlmodel import Session, col, select

from server.accounts.models import Role, User
from server.api.errors import forbidden, not_found, unauthorized
from server.care_circles.models import CareTier, CareTierTeam, PrimaryContact, TeamMembership


class Need(StrEnum):
    """What the caller wants to do with a patient's data."""

    profile = "profile"  # name and account status
    care_circle = "care_circle"  # who is in the circle
    manage_care_circle = "manage_care_circle"
    enrol = "enrol"  # issue a new invitation link
    clinical = "clinical"  # plan, check-ins, chat
    on_duty = "on_duty"  # who is on duty for the patient now
    own_clinical = "own_clinical"  # only the patient: write their own plan, its versions, sharing
    propose_clinical = "propose_clinical"  # a supporter in the circle: propose changes to the plan


_ADMIN_NEEDS = frozenset({Need.profile, Need.care_circle, Need.manage_care_circle, Need.enrol, Need.on_duty})
_SUPPORTER_NEEDS = frozenset(
    {Need.profile, Need.care_circle, Need.enrol, Need.clinical, Need.on_duty, Need.propose_clinical}
)
_PATIENT_SELF_NEEDS = frozenset(
    {Need.profile, Need.care_circle, Need.clinical, Need.on_duty, Need.own_clinical}
)


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


def care_circle_team_ids(db: Session, patient_id: int) -> list[int]:
    return list(
        db.exec(
            select(CareTierTeam.team_id)
            .join(CareTier, col(CareTier.id) == col(CareTierTeam.tier_id))
            .where(CareTier.patient_id == patient_id)
        ).all()
    )


def is_in_care_circle(db: Session, *, supporter_id: int, patient_id: int) -> bool:
    via_team = db.exec(
        select(CareTier.id)
        .join(CareTierTeam, col(CareTierTeam.tier_id) == col(CareTier.id))
        .join(TeamMembership, col(TeamMembership.team_id) == col(CareTierTeam.team_id))
        .where(CareTier.patient_id == patient_id, TeamMembership.user_id == supporter_id)
        .limit(1)
    ).first()
    if via_team is not None:
        return True
    named = db.get(PrimaryContact, (patient_id, supporter_id))
    return named is not None


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


def may_access_patient(db: Session, user: User, patient: User, need: Need) -> bool:
    if not user.is_active or patient.role != Role.patient:
        return False
    if user.role == Role.patient:
        return user.id == patient.id and need in _PATIENT_SELF_NEEDS
    if user.role == Role.admin:
        return need in _ADMIN_NEEDS
    if user.role == Role.supporter:
        return need in _SUPPORTER_NEEDS and is_in_care_circle(
            db,
            supporter_id=user.id,
            patient_id=patient.id,  # type: ignore[arg-type]
        )
    return False


def require_patient(db: Session, user: User | None, patient_id: int, need: Need) -> User:
    """The patient, if this user may have `need` of their data now; else 401/403/404."""
    user = require_login(user)
    patient = db.get(User, patient_id)
    if patient is None or patient.role != Role.patient:
        # Staff may learn that an id is not a patient; patients only ever see 403
        # for ids other than their own.
        if user.role == Role.patient:
            raise forbidden()
        raise not_found("No such patient.")
    if not may_access_patient(db, user, patient, need):
        raise forbidden()
    return patient


def require_team_view(db: Session, user: User | None, team_id: int) -> User:
    """Administrators see every team's roster; supporters their own teams'."""
    user = require_role(user, Role.admin, Role.supporter)
    if user.role == Role.supporter and team_id not in supporter_team_ids(db, user.id):  # type: ignore[arg-type]
        raise forbidden()
    return user


def may_create_patient_in_team(db: Session, user: User, team_id: int | None) -> bool:
    if user.role == Role.admin:
        return True
    if user.role == Role.supporter:
        return team_id is not None and team_id in supporter_team_ids(db, user.id)  # type: ignore[arg-type]
    return False


def team_kinds_in_circle(db: Session, *, supporter_id: int, patient_id: int) -> list[str]:
    """The team kinds through which a supporter sees this patient, in tier
    order: their teams in the circle; a named primary contact also gets the
    kinds of all their teams."""
    from server.care_circles.models import Team

    rows = db.exec(
        select(CareTier.position, Team.kind)
        .join(CareTierTeam, col(CareTierTeam.tier_id) == col(CareTier.id))
        .join(Team, col(Team.id) == col(CareTierTeam.team_id))
        .join(TeamMembership, col(TeamMembership.team_id) == col(Team.id))
        .where(CareTier.patient_id == patient_id, TeamMembership.user_id == supporter_id)
        .order_by(col(CareTier.position))
    ).all()
    kinds = list(dict.fromkeys(kind for _, kind in rows))
    if db.get(PrimaryContact, (patient_id, supporter_id)) is not None:
        own = db.exec(
            select(Team.kind)
            .join(TeamMembership, col(TeamMembership.team_id) == col(Team.id))
            .where(TeamMembership.user_id == supporter_id)
        ).all()
        kinds += [k for k in own if k not in kinds]
    return kinds


def require_chat_action(
    db: Session, user: User, conversation: Any, *, at: datetime, reading: bool = False
) -> None:
    """A patient only reads (and types in) their own conversation here: taking,
    answering as staff, handing over, closing and confirming delivery are
    supporters' actions, over HTTP and Socket.IO alike. A supporter must be in
    the patient's care circle and on duty for them right now, and (unless only
    reading) hold the conversation or have it offered to them."""
    from server.rosters.service import is_on_duty_for

    if not user.is_active:
        raise forbidden()
    if user.role == Role.patient:
        if conversation.patient_id != user.id or not reading:
            raise forbidden()
        return
    if user.role != Role.supporter:
        raise forbidden()
    if not is_in_care_circle(db, supporter_id=user.id, patient_id=conversation.patient_id):  # type: ignore[arg-type]
        raise forbidden("This patient is not in your care circle.")
    involved = conversation.holder_id == user.id or user.id in (conversation.offered_to or [])
    if not is_on_duty_for(db, supporter_id=user.id, patient_id=conversation.patient_id, at=at):  # type: ignore[arg-type]
        raise forbidden("You are not on duty for this patient now.")
    if not reading and not involved:
        raise forbidden("This conversation is not offered to you.")


def visible_plan_sections(
    db: Session, user: User, patient_id: int, sharing: dict[str, list[str]], sections: list[str]
) -> list[str]:
    """Which crisis-plan sections this user may see now, given the patient's
    sharing choices ({section: [team kinds]}). The patient sees every section;
    a supporter those shared with a kind through which they see the patient;
    everyone else none. Call after require_patient(..., Need.clinical)."""
    if user.role == Role.patient:
        return list(sections) if user.id == patient_id else []
    if user.role != Role.supporter:
        return []
    kinds = set(team_kinds_in_circle(db, supporter_id=user.id, patient_id=patient_id))  # type: ignore[arg-type]
    return [key for key in sections if kinds & set(sharing.get(key, []))]


def on_duty_patient_ids(db: Session, *, supporter_id: int, at: datetime) -> set[int]:
    """The patients in this supporter's care circles whom they are on duty for
    now (check-in lists, alerts): in the circle AND on duty in one of its tiers."""
    from server.rosters.service import patients_on_duty_for

    return patient_ids_in_circles_of(db, supporter_id) & patients_on_duty_for(
        db, supporter_id=supporter_id, at=at
    )
