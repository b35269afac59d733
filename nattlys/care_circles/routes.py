"""/api/teams and /api/patients (profiles and care circles)."""

from __future__ import annotations

from flask import Blueprint, g
from pydantic import BaseModel

from nattlys import access, clock
from nattlys.access import Need
from nattlys.accounts import invitations, staff_caps
from nattlys.accounts.models import Role, User
from nattlys.accounts.schemas import InvitationIssued
from nattlys.api.endpoints import endpoint
from nattlys.api.errors import ApiError
from nattlys.audit import writer as audit
from nattlys.care_circles import service
from nattlys.care_circles.schemas import (
    CareCirclePublic,
    CareCircleUpdate,
    PatientCreate,
    PatientPublic,
    TeamCreate,
    TeamMembersUpdate,
    TeamPublic,
    TeamUpdate,
)
from nattlys.db import get_db
from nattlys.rosters import coverage
from nattlys.rosters.schemas import NightGapPublic

bp = Blueprint("care_circles", __name__, url_prefix="/api")


@bp.get("/teams")
@endpoint(
    "Teams: all for administrators, their own for supporters",
    tag="teams",
    response=list[TeamPublic],
    roles=(Role.admin, Role.supporter),
)
def list_teams() -> list[TeamPublic]:
    db = get_db()
    only = None if g.user.role == Role.admin else access.supporter_team_ids(db, g.user.id)
    return [service.team_public(db, t) for t in service.list_teams(db, only_ids=only)]


@bp.post("/teams")
@endpoint(
    "Create a team",
    tag="teams",
    body=TeamCreate,
    response=TeamPublic,
    status=201,
    roles=(Role.admin,),
    errors=(409,),
)
def create_team(body: TeamCreate) -> TeamPublic:
    db = get_db()
    return service.team_public(db, service.create_team(db, actor=g.user, data=body))


@bp.patch("/teams/<int:team_id>")
@endpoint(
    "Rename a team", tag="teams", body=TeamUpdate, response=TeamPublic, roles=(Role.admin,), errors=(409,)
)
def update_team(team_id: int, body: TeamUpdate) -> TeamPublic:
    db = get_db()
    team = service.update_team(db, actor=g.user, team=service.get_team(db, team_id), data=body)
    return service.team_public(db, team)


@bp.put("/teams/<int:team_id>/members")
@endpoint(
    "Set a team's supporters", tag="teams", body=TeamMembersUpdate, response=TeamPublic, roles=(Role.admin,)
)
def set_team_members(team_id: int, body: TeamMembersUpdate) -> TeamPublic:
    db = get_db()
    team = service.set_members(db, actor=g.user, team=service.get_team(db, team_id), user_ids=body.user_ids)
    return service.team_public(db, team)


@bp.get("/patients")
@endpoint(
    "Patients: all for administrators, those in their care circles for supporters",
    tag="patients",
    response=list[PatientPublic],
    roles=(Role.admin, Role.supporter),
)
def list_patients() -> list[PatientPublic]:
    db = get_db()
    only = None if g.user.role == Role.admin else access.patient_ids_in_circles_of(db, g.user.id)
    patients = service.list_patients(db, viewer=g.user, only_ids=only)
    return [service.patient_public(p) for p in patients]


class PatientCreated(BaseModel):
    patient: PatientPublic
    invitation: InvitationIssued
    # Evenings and nights of the coming weeks with nobody on duty for the new
    # patient: the screen warns whoever enrolled them (empty: all covered).
    night_gaps: list[NightGapPublic]


@bp.post("/patients")
@endpoint(
    "Create a patient and a one-time invitation link with QR code",
    tag="patients",
    body=PatientCreate,
    response=PatientCreated,
    status=201,
    roles=(Role.admin, Role.supporter),
    errors=(409,),
)
def create_patient(body: PatientCreate) -> PatientCreated:
    db = get_db()
    if not access.may_create_patient_in_team(db, g.user, body.team_id):
        raise ApiError(403, "forbidden", "Choose one of your own teams for the new patient.")
    patient = service.create_patient(db, actor=g.user, data=body)
    staff_caps.count(g.user, "accounts", at=clock.now())
    token, invitation = invitations.issue(db, user=patient, created_by=g.user, at=clock.now())
    return PatientCreated(
        patient=service.patient_public(patient),
        invitation=invitations.issued(token, invitation),
        night_gaps=coverage.patient_night_gaps(db, patient.id, now=clock.now()),
    )


@bp.get("/patients/<int:patient_id>")
@endpoint("A patient's profile", tag="patients", response=PatientPublic, patient=Need.profile)
def get_patient(patient: User) -> PatientPublic:
    db = get_db()
    if g.user.id != patient.id:
        audit.record(
            db,
            actor=g.user,
            action="patient.read",
            object_type="patient",
            object_id=patient.id,
            patient_id=patient.id,
        )
    return service.patient_public(patient)


@bp.get("/patients/<int:patient_id>/care-circle")
@endpoint(
    "Who is in a patient's care circle, tier by tier",
    tag="patients",
    response=CareCirclePublic,
    patient=Need.care_circle,
)
def get_care_circle(patient: User) -> CareCirclePublic:
    db = get_db()
    if g.user.id != patient.id:
        audit.record(
            db,
            actor=g.user,
            action="care_circle.read",
            object_type="care_circle",
            object_id=patient.id,
            patient_id=patient.id,
        )
    return service.care_circle(db, patient=patient)


@bp.put("/patients/<int:patient_id>/care-circle")
@endpoint(
    "Replace a patient's care circle (administrators)",
    tag="patients",
    body=CareCircleUpdate,
    response=CareCirclePublic,
    patient=Need.manage_care_circle,
)
def put_care_circle(patient: User, body: CareCircleUpdate) -> CareCirclePublic:
    db = get_db()
    service.replace_care_circle(db, actor=g.user, patient=patient, data=body)
    return service.care_circle(db, patient=patient)
