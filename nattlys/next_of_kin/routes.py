"""/api/patients/<id>/next-of-kin (the patient's own choices) and the next of
kin's own screens: the patients who include them, the shared plan, "I am worried"."""

from __future__ import annotations

from flask import Blueprint, g

from nattlys import clock
from nattlys.access import Need
from nattlys.accounts.models import Role, User
from nattlys.api.endpoints import Endpoints
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
api = Endpoints(bp, tag="next_of_kin")


@api.post(
    "/patients/<int:patient_id>/next-of-kin",
    "Invite a next of kin and choose what they may see and do (the patient only)",
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


@api.get(
    "/patients/<int:patient_id>/next-of-kin",
    "The next of kin she includes now (the patient only)",
    response=list[ConsentPublic],
    roles=(Role.patient,),
    patient=Need.next_of_kin,
)
def list_next_of_kin(patient: User) -> list[ConsentPublic]:
    db = get_db()
    return service.list_for(db, patient=patient)


@api.put(
    "/patients/<int:patient_id>/next-of-kin/<int:consent_id>",
    "Change what a next of kin may see and do (the patient only)",
    body=ConsentIn,
    response=ConsentPublic,
    roles=(Role.patient,),
    patient=Need.next_of_kin,
)
def change(patient: User, consent_id: int, body: ConsentIn) -> ConsentPublic:
    db = get_db()
    return service.change(db, patient=patient, consent_id=consent_id, data=body, at=clock.now())


@api.post(
    "/patients/<int:patient_id>/next-of-kin/<int:consent_id>/withdraw",
    "Withdraw a next of kin's consent; their access ends at once (the patient only)",
    response=ConsentPublic,
    roles=(Role.patient,),
    patient=Need.next_of_kin,
)
def withdraw(patient: User, consent_id: int) -> ConsentPublic:
    db = get_db()
    return service.withdraw(db, patient=patient, consent_id=consent_id, at=clock.now())


@api.get(
    "/next-of-kin/home",
    "The patients who include me as next of kin (next of kin)",
    response=KinHome,
    roles=(Role.next_of_kin,),
)
def home() -> KinHome:
    return service.home(get_db(), kin=g.user, at=clock.now())


@api.get(
    "/patients/<int:patient_id>/next-of-kin/plan",
    "The crisis-plan sections she shares with me, with numbers to call (next of kin)",
    response=KinPlan,
    roles=(Role.next_of_kin,),
    patient=Need.kin_plan,
)
def shared_plan(patient: User) -> KinPlan:
    db = get_db()
    return service.read_plan(db, kin=g.user, patient=patient)


@api.post(
    "/patients/<int:patient_id>/next-of-kin/worry",
    '"I am worried about her tonight": an alert to whoever is on duty for her (next of kin she allows it)',
    response=WorrySent,
    status=201,
    roles=(Role.next_of_kin,),
    errors=(409,),
    patient=Need.kin_worry,
)
def worry(patient: User) -> WorrySent:
    db = get_db()
    return service.signal_worry(db, kin=g.user, patient=patient, at=clock.now())
