"""/api/patients/<id>/next-of-kin (the patient's own choices) and the next of
kin's own screens: the patients who include them, the shared plan, "I am worried"."""

from __future__ import annotations

from flask import Blueprint, g

from nattlys import clock
from nattlys.access import Need
from nattlys.accounts.models import Role, User
from nattlys.api.endpoints import endpoint
from nattlys.db import get_db
from nattlys.next_of_kin import service
from nattlys.next_of_kin.schemas import (
    ConsentIn,
    ConsentPublic,
    Invited,
    InviteIn,
    KinHome,
    KinPlan,
    WorrySent,
)

bp = Blueprint("next_of_kin", __name__, url_prefix="/api")


@bp.post("/patients/<int:patient_id>/next-of-kin")
@endpoint(
    "Invite a next of kin and choose what they may see and do (the patient only)",
    tag="next_of_kin",
    body=InviteIn,
    response=Invited,
    status=201,
    roles=(Role.patient,),
    errors=(409,),
    patient=Need.next_of_kin,
)
def invite(patient: User, body: InviteIn) -> Invited:
    db = get_db()
    return service.invite(db, patient=patient, data=body, at=clock.now())


@bp.get("/patients/<int:patient_id>/next-of-kin")
@endpoint(
    "The next of kin she includes now (the patient only)",
    tag="next_of_kin",
    response=list[ConsentPublic],
    roles=(Role.patient,),
    patient=Need.next_of_kin,
)
def list_next_of_kin(patient: User) -> list[ConsentPublic]:
    db = get_db()
    return service.list_for(db, patient=patient)


@bp.put("/patients/<int:patient_id>/next-of-kin/<int:consent_id>")
@endpoint(
    "Change what a next of kin may see and do (the patient only)",
    tag="next_of_kin",
    body=ConsentIn,
    response=ConsentPublic,
    roles=(Role.patient,),
    patient=Need.next_of_kin,
)
def change(patient: User, consent_id: int, body: ConsentIn) -> ConsentPublic:
    db = get_db()
    return service.change(db, patient=patient, consent_id=consent_id, data=body, at=clock.now())


@bp.post("/patients/<int:patient_id>/next-of-kin/<int:consent_id>/withdraw")
@endpoint(
    "Withdraw a next of kin's consent; their access ends at once (the patient only)",
    tag="next_of_kin",
    response=ConsentPublic,
    roles=(Role.patient,),
    patient=Need.next_of_kin,
)
def withdraw(patient: User, consent_id: int) -> ConsentPublic:
    db = get_db()
    return service.withdraw(db, patient=patient, consent_id=consent_id, at=clock.now())


@bp.get("/next-of-kin/home")
@endpoint(
    "The patients who include me as next of kin (next of kin)",
    tag="next_of_kin",
    response=KinHome,
    roles=(Role.next_of_kin,),
)
def home() -> KinHome:
    return service.home(get_db(), kin=g.user, at=clock.now())


@bp.get("/patients/<int:patient_id>/next-of-kin/plan")
@endpoint(
    "The crisis-plan sections she shares with me, with numbers to call (next of kin)",
    tag="next_of_kin",
    response=KinPlan,
    roles=(Role.next_of_kin,),
    patient=Need.kin_plan,
)
def shared_plan(patient: User) -> KinPlan:
    db = get_db()
    return service.read_plan(db, kin=g.user, patient=patient)


@bp.post("/patients/<int:patient_id>/next-of-kin/worry")
@endpoint(
    '"I am worried about her tonight": an alert to whoever is on duty for her (next of kin she allows it)',
    tag="next_of_kin",
    response=WorrySent,
    status=201,
    roles=(Role.next_of_kin,),
    errors=(409,),
    patient=Need.kin_worry,
)
def worry(patient: User) -> WorrySent:
    db = get_db()
    return service.signal_worry(db, kin=g.user, patient=patient, at=clock.now())
