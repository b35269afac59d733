"""Teams, memberships and care circles."""

from __future__ import annotations

from blinker import Namespace
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select

from nattlys import clock
from nattlys.accounts import service as accounts
from nattlys.accounts.models import Role, User
from nattlys.accounts.schemas import UserCreate
from nattlys.api.errors import ApiError, conflict, not_found
from nattlys.audit import writer as audit
from nattlys.care_circles.membership import last_resort
from nattlys.care_circles.models import (
    CareTier,
    CareTierTeam,
    LastResort,
    PrimaryContact,
    Team,
    TeamKind,
    TeamMembership,
)
from nattlys.care_circles.schemas import (
    CareCirclePublic,
    CareCircleUpdate,
    CareTierIn,
    CareTierPublic,
    LastResortIn,
    MemberPublic,
    PatientCreate,
    PatientPublic,
    TeamCreate,
    TeamPublic,
    TeamRef,
    TeamUpdate,
)
from nattlys.db import stored_id
from nattlys.rosters.generation import bump_generation

# Sent in the changing transaction, after the change is flushed, when supporters
# leave a team (supporter_ids) or a patient's circle changes (patient_id): chat
# routes the open conversations they can no longer answer again
# (nattlys/chat/departures.py), without care circles knowing chat.
supporters_left = Namespace().signal("supporters-left")


def member_public(user: User) -> MemberPublic:
    return MemberPublic(id=user.id, display_name=user.display_name, username=user.username)


def team_public(db: Session, team: Team) -> TeamPublic:
    members = db.exec(
        select(User)
        .join(TeamMembership, col(TeamMembership.user_id) == col(User.id))
        .where(TeamMembership.team_id == team.id)
        .order_by(col(User.display_name))
    ).all()
    return TeamPublic(
        id=stored_id(team),
        name=team.name,
        kind=TeamKind(team.kind),
        members=[member_public(m) for m in members],
    )


def list_teams(db: Session, *, only_ids: list[int] | None = None) -> list[Team]:
    stmt = select(Team).order_by(col(Team.kind), col(Team.name))
    if only_ids is not None:
        stmt = stmt.where(col(Team.id).in_(only_ids))
    return list(db.exec(stmt).all())


def get_team(db: Session, team_id: int) -> Team:
    team = db.get(Team, team_id)
    if team is None:
        raise not_found("No such team.")
    return team


def create_team(db: Session, *, actor: User, data: TeamCreate) -> Team:
    if db.exec(select(Team.id).where(Team.name == data.name)).first() is not None:
        raise conflict("team_name_taken", "A team with that name already exists.")
    team = Team(name=data.name, kind=data.kind)
    db.add(team)
    try:
        db.flush()
    except IntegrityError as exc:
        raise conflict("team_name_taken", "A team with that name already exists.") from exc
    bump_generation(db)
    audit.record(db, actor=actor, action="team.create", object_type="team", object_id=team.id)
    return team


def update_team(db: Session, *, actor: User, team: Team, data: TeamUpdate) -> Team:
    if data.name is not None:
        name = " ".join(data.name.split())
        clash = db.exec(select(Team.id).where(Team.name == name, Team.id != team.id)).first()
        if clash is not None:
            raise conflict("team_name_taken", "A team with that name already exists.")
        team.name = name
    db.add(team)
    bump_generation(db)
    audit.record(db, actor=actor, action="team.update", object_type="team", object_id=team.id)
    return team


def _supporters(db: Session, user_ids: list[int]) -> list[User]:
    ids = list(dict.fromkeys(user_ids))
    if not ids:
        return []
    users = db.exec(select(User).where(col(User.id).in_(ids))).all()
    found = {u.id: u for u in users}
    wrong = [i for i in ids if i not in found or found[i].role != Role.supporter]
    if wrong:
        raise ApiError(
            400,
            "not_supporters",
            "Only supporters can be members or primary contacts.",
            fields=[{"loc": ["user_ids"], "type": "not_supporter", "message": str(wrong)}],
        )
    return [found[i] for i in ids]


def set_members(db: Session, *, actor: User, team: Team, user_ids: list[int]) -> Team:
    members = _supporters(db, user_ids)
    before = set(db.exec(select(TeamMembership.user_id).where(TeamMembership.team_id == team.id)).all())
    db.exec(delete(TeamMembership).where(col(TeamMembership.team_id) == team.id))
    for user in members:
        db.add(TeamMembership(team_id=team.id, user_id=user.id))
    db.flush()
    bump_generation(db)
    audit.record(db, actor=actor, action="team.members", object_type="team", object_id=team.id)
    removed = before - {u.id for u in members}
    if removed:
        supporters_left.send(db, at=clock.now(), reason="the supporter left the team", supporter_ids=removed)
    return team


def care_circle(db: Session, *, patient: User) -> CareCirclePublic:
    tiers = db.exec(
        select(CareTier).where(CareTier.patient_id == patient.id).order_by(col(CareTier.position))
    ).all()
    out: list[CareTierPublic] = []
    for tier in tiers:
        teams = db.exec(
            select(Team)
            .join(CareTierTeam, col(CareTierTeam.team_id) == col(Team.id))
            .where(CareTierTeam.tier_id == tier.id)
            .order_by(col(Team.name))
        ).all()
        out.append(
            CareTierPublic(
                position=tier.position,
                escalate_after_minutes=tier.escalate_after_minutes,
                teams=[TeamRef(id=t.id, name=t.name, kind=TeamKind(t.kind)) for t in teams],
            )
        )
    contacts = db.exec(
        select(User)
        .join(PrimaryContact, col(PrimaryContact.supporter_id) == col(User.id))
        .where(PrimaryContact.patient_id == patient.id)
        .order_by(col(User.display_name))
    ).all()
    return CareCirclePublic(
        patient_id=patient.id,
        tiers=out,
        primary_contacts=[member_public(c) for c in contacts],
        last_resort=last_resort(db, patient.id),
    )


def _set_last_resort(db: Session, patient_id: int, data: LastResortIn | None) -> None:
    row = db.get(LastResort, patient_id)
    if data is None:
        if row is not None:
            db.delete(row)
        return
    row = row or LastResort(patient_id=patient_id, label=data.label, phone=data.phone)
    row.label, row.phone = data.label, data.phone
    db.add(row)


def replace_care_circle(db: Session, *, actor: User, patient: User, data: CareCircleUpdate) -> None:
    """Replace the whole circle at once: tiers in the order given."""
    team_ids = [tid for tier in data.tiers for tid in tier.team_ids]
    if len(team_ids) != len(set(team_ids)):
        raise ApiError(400, "team_repeated", "A team can appear in only one tier.")
    known = set(db.exec(select(Team.id).where(col(Team.id).in_(team_ids))).all())
    missing = sorted(set(team_ids) - known)
    if missing:
        raise ApiError(
            400,
            "unknown_team",
            "One or more teams do not exist.",
            fields=[{"loc": ["tiers"], "type": "unknown_team", "message": str(missing)}],
        )
    contacts = _supporters(db, data.primary_contact_ids)

    old_tier_ids = list(db.exec(select(CareTier.id).where(CareTier.patient_id == patient.id)).all())
    if old_tier_ids:
        db.exec(delete(CareTierTeam).where(col(CareTierTeam.tier_id).in_(old_tier_ids)))
        db.exec(delete(CareTier).where(col(CareTier.id).in_(old_tier_ids)))
    db.exec(delete(PrimaryContact).where(col(PrimaryContact.patient_id) == patient.id))
    db.flush()
    for position, tier_in in enumerate(data.tiers):
        tier = CareTier(
            patient_id=patient.id,
            position=position,
            escalate_after_minutes=tier_in.escalate_after_minutes,
        )
        db.add(tier)
        db.flush()
        for team_id in tier_in.team_ids:
            db.add(CareTierTeam(tier_id=tier.id, team_id=team_id))
    for contact in contacts:
        db.add(PrimaryContact(patient_id=patient.id, supporter_id=contact.id))
    db.flush()
    if "last_resort" in data.model_fields_set:
        _set_last_resort(db, patient.id, data.last_resort)
    bump_generation(db)
    supporters_left.send(db, at=clock.now(), reason="the care circle changed", patient_id=patient.id)
    audit.record(
        db,
        actor=actor,
        action="care_circle.update",
        object_type="care_circle",
        object_id=patient.id,
        patient_id=patient.id,
    )


def create_patient(db: Session, *, actor: User, data: PatientCreate) -> User:
    """A new patient account; a supporter's own team becomes the first tier.
    Call after access.may_create_patient_in_team."""

    if data.team_id is not None:
        get_team(db, data.team_id)
    patient = accounts.create_user(
        db,
        actor=actor,
        data=UserCreate(username=data.username, display_name=data.display_name, role=Role.patient),
    )
    if data.team_id is not None:
        replace_care_circle(
            db,
            actor=actor,
            patient=patient,
            data=CareCircleUpdate(tiers=[CareTierIn(team_ids=[data.team_id])]),
        )
    return patient


def patient_public(user: User) -> PatientPublic:
    return PatientPublic(
        id=stored_id(user),
        username=user.username,
        display_name=user.display_name,
        is_active=user.is_active,
        has_password=user.has_password,
    )


def list_patients(
    db: Session, *, viewer: User, only_ids: set[int] | None = None, action: str = "patient.list"
) -> list[User]:
    """Patients, each listing audited under `action` (their name is their data)."""
    stmt = select(User).where(User.role == Role.patient).order_by(col(User.display_name))
    if only_ids is not None:
        stmt = stmt.where(col(User.id).in_(only_ids))
    patients = list(db.exec(stmt).all())
    for patient in patients:
        audit.record(
            db,
            actor=viewer,
            action=action,
            object_type="patient",
            object_id=patient.id,
            patient_id=patient.id,
        )
    return patients
